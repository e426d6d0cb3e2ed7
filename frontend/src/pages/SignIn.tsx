import { Alert, Anchor, Badge, Button, Card, Center, Loader, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { useSignedIn } from '../App';
import { ApiError, api, call } from '../api/http';
import type { Schemas } from '../api/queries';
import * as session from '../api/session';

function AuthCard({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Card withBorder shadow="sm" p="xl" w="100%" maw={420}>
        <Stack>
          <Text fw={800} size="xl" c="red.7">
            MiniRedis
          </Text>
          <Title order={1} size="h2">
            {title}
          </Title>
          {children}
        </Stack>
      </Card>
    </Center>
  );
}

function AuthLoading() {
  return (
    <Center mih="100vh">
      <Loader aria-label="Loading" />
    </Center>
  );
}

function useCredentials() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  return { email, setEmail, password, setPassword };
}

type AuthConfig = Schemas['AuthConfig'];
const BUILTIN: AuthConfig = { auth: 'builtin', signup_open: true };

/** How this API signs people in (`GET /api/auth/config`); built-in accounts if it cannot say. */
function useAuthConfig() {
  const query = useQuery({
    queryKey: ['auth-config'],
    queryFn: () => call(api.GET('/api/auth/config')),
    staleTime: Infinity,
    retry: 1,
  });
  return { config: query.data ?? (query.isError ? BUILTIN : undefined), loading: query.isPending };
}

/** Built-in: email + password at /api/auth/login. Firebase: the SDK (its own lazy chunk) signs in
 * or up, and its ID token is exchanged at /api/auth/firebase. Either way: MiniRedis tokens. */
async function signIn(config: AuthConfig, email: string, password: string, create = false) {
  if (config.auth === 'firebase') {
    const { firebaseIdToken } = await import('../lib/firebase');
    const id_token = await firebaseIdToken(config, email, password, create);
    session.setTokens(await call(api.POST('/api/auth/firebase', { body: { id_token } })));
    return;
  }
  if (create) await call(api.POST('/api/auth/signup', { body: { email, password } }));
  session.setTokens(await call(api.POST('/api/auth/login', { body: { email, password } })));
}

function FirebaseBadge({ config }: { config: AuthConfig }) {
  if (config.auth !== 'firebase') return null;
  return (
    <Badge variant="light" color="orange" w="fit-content">
      Firebase sign-in{config.firebase_emulator_host ? ' (emulator)' : ''}
    </Badge>
  );
}

export function SignIn() {
  const signedIn = useSignedIn();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [notice] = useState(() => session.takeSignOutMessage());
  const { email, setEmail, password, setPassword } = useCredentials();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { config, loading } = useAuthConfig();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  if (signedIn && !busy) return <Navigate to={from} replace />;
  if (loading || !config) return <AuthLoading />;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth-config' });
      await signIn(config, email, password);
      navigate(from, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError && e.status === 401 ? 'Wrong email or password.' : (e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in">
      <FirebaseBadge config={config} />
      {notice && (
        <Alert color="yellow" role="status" title={notice}>
          {notice.includes('expired') ? 'For your security, sessions end after a while.' : undefined}
        </Alert>
      )}
      <form onSubmit={submit}>
        <Stack>
          <TextInput label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput label="Password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={busy}>
            Sign in
          </Button>
        </Stack>
      </form>
      {config.signup_open && (
        <Text size="sm">
          No account yet?{' '}
          <Anchor component={Link} to="/sign-up">
            Create one
          </Anchor>
        </Text>
      )}
    </AuthCard>
  );
}

export function SignUp() {
  const signedIn = useSignedIn();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { email, setEmail, password, setPassword } = useCredentials();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { config, loading } = useAuthConfig();
  if (signedIn && !busy) return <Navigate to="/" replace />;
  if (loading || !config) return <AuthLoading />;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'auth-config' });
      await signIn(config, email, password, true);
      navigate('/', { replace: true });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Create your account">
      <FirebaseBadge config={config} />
      {!config.signup_open && (
        <Alert color="yellow" role="status">
          Sign-up is closed on this platform. Ask an administrator for an account.
        </Alert>
      )}
      <form onSubmit={submit}>
        <Stack>
          <TextInput label="Email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput
            label="Password"
            description="At least 8 characters."
            autoComplete="new-password"
            required
            minLength={8}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={busy}>
            Create account
          </Button>
        </Stack>
      </form>
      <Text size="sm">
        Already have an account?{' '}
        <Anchor component={Link} to="/sign-in">
          Sign in
        </Anchor>
      </Text>
    </AuthCard>
  );
}
