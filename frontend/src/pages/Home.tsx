import { Alert, Card, Center, Stack, Text, Title } from '@mantine/core';
import { Navigate } from 'react-router';
import { PageLoader } from '../App';
import { useTenants } from '../api/queries';
import { CreateTenantForm } from '../components/CreateTenantModal';
import { LAST_TENANT } from '../components/Layout';

/** `/`: the last tenant you used, the first one you have, or a form to create your first. */
export function Home() {
  const tenants = useTenants();
  if (tenants.isLoading) return <PageLoader />;
  if (tenants.error) {
    return (
      <Alert color="red" title="Could not load your tenants">
        {tenants.error.message}
      </Alert>
    );
  }
  const items = tenants.data?.items ?? [];
  const last = localStorage.getItem(LAST_TENANT);
  const target = items.find((t) => t.id === last) ?? items[0];
  if (target) return <Navigate to={`/t/${target.id}`} replace />;
  return (
    <Center mt="xl">
      <Card withBorder maw={480} w="100%" p="xl">
        <Stack>
          <Title order={2}>Welcome to MiniRedis</Title>
          <Text c="dimmed">You are not a member of any tenant yet. Create one to start creating Redis instances.</Text>
          <CreateTenantForm />
        </Stack>
      </Card>
    </Center>
  );
}
