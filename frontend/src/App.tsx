import { Center, Loader } from '@mantine/core';
import { Suspense, lazy, useSyncExternalStore } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import * as session from './api/session';
import { Layout } from './components/Layout';
import { Dashboard } from './pages/Dashboard';
import { Home } from './pages/Home';
import { SignIn, SignUp } from './pages/SignIn';
import { TenantSettings } from './pages/TenantSettings';

// Charts (recharts) and the CLI load on demand, in their own chunks.
const InstancePage = lazy(() => import('./pages/InstancePage'));
const Monitoring = lazy(() => import('./pages/Monitoring'));
const CliPage = lazy(() => import('./pages/CliPage'));

export function useSignedIn(): boolean {
  return useSyncExternalStore(session.subscribe, session.signedIn);
}

function RequireSession({ children }: { children: React.ReactNode }) {
  const signedIn = useSignedIn();
  const location = useLocation();
  if (!signedIn) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}

export function PageLoader() {
  return (
    <Center h={240}>
      <Loader aria-label="Loading" />
    </Center>
  );
}

export function App() {
  return (
    <Suspense fallback={<PageLoader />}>
      <Routes>
        <Route path="/sign-in" element={<SignIn />} />
        <Route path="/sign-up" element={<SignUp />} />
        <Route
          element={
            <RequireSession>
              <Layout />
            </RequireSession>
          }
        >
          <Route index element={<Home />} />
          <Route path="monitoring" element={<Monitoring />} />
          <Route path="t/:tid" element={<Dashboard />} />
          <Route path="t/:tid/instances/:nid" element={<InstancePage />} />
          <Route path="t/:tid/cli" element={<CliPage />} />
          <Route path="t/:tid/settings" element={<TenantSettings />} />
        </Route>
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </Suspense>
  );
}
