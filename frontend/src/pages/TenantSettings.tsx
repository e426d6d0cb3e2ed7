import { Alert, Badge, Button, Card, Code, Group, Modal, Progress, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, call } from '../api/http';
import { type Role, type Schemas, can, keys, useApiKeys, useMembers, useTenant } from '../api/queries';
import { Copy } from '../components/instances/bits';
import { formatAgo, formatBytes, formatDate } from '../lib/format';

const ROLES: { value: Role; label: string }[] = [
  { value: 'viewer', label: 'viewer — read, read-only commands' },
  { value: 'member', label: 'member — create and run instances' },
  { value: 'admin', label: 'admin — members, keys, passwords' },
  { value: 'owner', label: 'owner — everything, delete the tenant' },
];

function Usage({ label, used, limit, format = String }: { label: string; used: number; limit: number; format?: (n: number) => string }) {
  const ratio = limit > 0 ? Math.min(100, (used / limit) * 100) : 0;
  return (
    <Stack gap={4}>
      <Group justify="space-between">
        <Text size="sm" fw={500}>
          {label}
        </Text>
        <Text size="sm">
          {format(used)} of {format(limit)}
        </Text>
      </Group>
      <Progress value={ratio} color={ratio > 90 ? 'red' : 'teal'} aria-label={`${label}: ${format(used)} of ${format(limit)}`} />
    </Stack>
  );
}

export function TenantSettings() {
  const { tid = '' } = useParams();
  const tenant = useTenant(tid);
  const role = tenant.data?.role;
  if (tenant.error) return <Alert color="red" title="Could not load this tenant">{tenant.error.message}</Alert>;
  if (!tenant.data) return <Text>Loading the tenant…</Text>;
  const t = tenant.data;
  return (
    <Stack>
      <Title order={1} size="h2">
        Tenant settings — {t.name}
      </Title>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">
          Quotas and usage
        </Title>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Usage label="Instances" used={t.usage.nodes} limit={t.quotas.max_nodes} />
          <Usage label="Memory" used={t.usage.memory} limit={t.quotas.max_memory} format={formatBytes} />
        </SimpleGrid>
        <Text size="sm" c="dimmed" mt="xs">
          At most {formatBytes(t.quotas.max_node_memory)} per instance. Quotas are set by the platform admin.
        </Text>
      </Card>
      <Members tid={tid} role={role} />
      {can.manage(role) && <ApiKeys tid={tid} role={role!} />}
      {can.deleteTenant(role) && <DangerZone tid={tid} name={t.name} />}
    </Stack>
  );
}

function Members({ tid, role }: { tid: string; role: Role | undefined }) {
  const members = useMembers(tid);
  const client = useQueryClient();
  const [email, setEmail] = useState('');
  const [newRole, setNewRole] = useState<Role>('member');
  const manage = can.manage(role);
  const refresh = () => client.invalidateQueries({ queryKey: keys.members(tid) });
  const add = useMutation({
    mutationFn: () => call(api.POST('/api/tenants/{tid}/members', { params: { path: { tid } }, body: { email, role: newRole } })),
    onSuccess: () => (setEmail(''), refresh()),
  });
  const change = useMutation({
    mutationFn: (v: { user_id: string; role: Role }) =>
      call(api.PATCH('/api/tenants/{tid}/members/{user_id}', { params: { path: { tid, user_id: v.user_id } }, body: { role: v.role } })),
    onSettled: refresh,
    onError: (e) => notifications.show({ color: 'red', title: 'Could not change the role', message: e.message }),
  });
  const remove = useMutation({
    mutationFn: (user_id: string) => call(api.DELETE('/api/tenants/{tid}/members/{user_id}', { params: { path: { tid, user_id } } })),
    onSettled: refresh,
    onError: (e) => notifications.show({ color: 'red', title: 'Could not remove the member', message: e.message }),
  });
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        Members
      </Title>
      {members.error && <Alert color="red">{members.error.message}</Alert>}
      <Table aria-label="Members">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Email</Table.Th>
            <Table.Th>Role</Table.Th>
            <Table.Th>Added</Table.Th>
            {manage && <Table.Th><span className="skip-link">Actions</span></Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(members.data?.items ?? []).map((m) => (
            <Table.Tr key={m.user_id}>
              <Table.Td>{m.email}</Table.Td>
              <Table.Td>
                {manage ? (
                  <Select
                    aria-label={`Role of ${m.email}`}
                    data={ROLES.map((r) => ({ value: r.value, label: r.value }))}
                    value={m.role}
                    onChange={(v) => v && v !== m.role && change.mutate({ user_id: m.user_id, role: v as Role })}
                    allowDeselect={false}
                    w={130}
                  />
                ) : (
                  <Badge variant="light">{m.role}</Badge>
                )}
              </Table.Td>
              <Table.Td>{formatDate(m.created_at)}</Table.Td>
              {manage && (
                <Table.Td>
                  <Button size="xs" variant="subtle" color="red" onClick={() => remove.mutate(m.user_id)} aria-label={`Remove ${m.email}`}>
                    Remove
                  </Button>
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {manage && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <Group align="flex-end" mt="sm">
            <TextInput label="Add a member by email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} description="They need an account already." />
            <Select label="Role" data={ROLES} value={newRole} onChange={(v) => v && setNewRole(v as Role)} allowDeselect={false} w={300} />
            <Button type="submit" loading={add.isPending}>
              Add member
            </Button>
          </Group>
          {add.error && (
            <Alert color="red" mt="xs" role="alert">
              {add.error.message}
            </Alert>
          )}
        </form>
      )}
    </Card>
  );
}

function ApiKeys({ tid, role }: { tid: string; role: Role }) {
  const apiKeys = useApiKeys(tid);
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [keyRole, setKeyRole] = useState<Role>('member');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<Schemas['ApiKeyCreated'] | null>(null);
  const [revoking, setRevoking] = useState<Schemas['ApiKeyPublic'] | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: keys.apiKeys(tid) });
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/tenants/{tid}/api-keys', {
          params: { path: { tid } },
          body: { name, role: keyRole, expires_at: expires ? new Date(`${expires}T23:59:59Z`).toISOString() : null },
        }),
      ),
    onSuccess: (key) => (setCreated(key), setName(''), setExpires(''), refresh()),
  });
  const revoke = useMutation({
    mutationFn: (kid: string) => call(api.DELETE('/api/tenants/{tid}/api-keys/{kid}', { params: { path: { tid, kid } } })),
    onSuccess: (key) => (notifications.show({ color: 'teal', message: `API key ${key.name} revoked` }), setRevoking(null)),
    onSettled: refresh,
  });
  const allowedRoles = ROLES.filter((r) => role === 'owner' || r.value !== 'owner');
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="sm">
        API keys
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        For automation: send <Code>Authorization: Bearer &lt;key&gt;</Code>. A key acts in this tenant only, with its role.
      </Text>
      {apiKeys.error && <Alert color="red">{apiKeys.error.message}</Alert>}
      {apiKeys.data && apiKeys.data.items.length === 0 && <Text c="dimmed">No API keys yet.</Text>}
      {apiKeys.data && apiKeys.data.items.length > 0 && (
        <Table.ScrollContainer minWidth={700}>
          <Table aria-label="API keys">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {apiKeys.data.items.map((k) => {
                const expired = !!k.expires_at && new Date(k.expires_at).getTime() < Date.now();
                return (
                  <Table.Tr key={k.id}>
                    <Table.Td>{k.name}</Table.Td>
                    <Table.Td>
                      <Code>{k.prefix}…</Code>
                    </Table.Td>
                    <Table.Td>{k.role}</Table.Td>
                    <Table.Td>{formatDate(k.created_at)}</Table.Td>
                    <Table.Td>{formatAgo(k.last_used_at)}</Table.Td>
                    <Table.Td>{k.expires_at ? formatDate(k.expires_at) : 'never'}</Table.Td>
                    <Table.Td>
                      {k.revoked_at ? (
                        <Badge color="gray">revoked</Badge>
                      ) : expired ? (
                        <Badge color="orange">expired</Badge>
                      ) : (
                        <Button size="xs" variant="subtle" color="red" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Group align="flex-end" mt="sm">
          <TextInput label="Key name" required maxLength={100} value={name} onChange={(e) => setName(e.currentTarget.value)} />
          <Select label="Key role" data={allowedRoles} value={keyRole} onChange={(v) => v && setKeyRole(v as Role)} allowDeselect={false} w={300} />
          <TextInput label="Expires on (optional)" type="date" value={expires} onChange={(e) => setExpires(e.currentTarget.value)} />
          <Button type="submit" loading={create.isPending}>
            Create API key
          </Button>
        </Group>
        {create.error && (
          <Alert color="red" mt="xs" role="alert">
            {create.error.message}
          </Alert>
        )}
      </form>
      <Modal opened={!!created} onClose={() => setCreated(null)} title="Your new API key" size="lg">
        {created && (
          <Stack>
            <Alert color="yellow" title="Copy it now">
              This is the only time the secret is shown. Store it somewhere safe.
            </Alert>
            <Group wrap="nowrap">
              <Code style={{ overflowX: 'auto' }} aria-label="API key secret">
                {created.key}
              </Code>
              <Copy value={created.key} label="API key" />
            </Group>
            <Group justify="flex-end">
              <Button onClick={() => setCreated(null)}>Done</Button>
            </Group>
          </Stack>
        )}
      </Modal>
      <Modal opened={!!revoking} onClose={() => setRevoking(null)} title={`Revoke ${revoking?.name ?? ''}?`}>
        <Stack>
          <Text>The key stops working at once. Scripts that use it will get 401.</Text>
          {revoke.error && <Alert color="red">{revoke.error.message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRevoking(null)}>
              Cancel
            </Button>
            <Button color="red" loading={revoke.isPending} onClick={() => revoking && revoke.mutate(revoking.id)}>
              Revoke key
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}

function DangerZone({ tid, name }: { tid: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const client = useQueryClient();
  const navigate = useNavigate();
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/api/tenants/{tid}', { params: { path: { tid } } })),
    onSuccess: async () => {
      localStorage.removeItem('miniredis.tenant');
      await client.invalidateQueries({ queryKey: keys.tenants });
      navigate('/');
    },
  });
  return (
    <Card withBorder style={{ borderColor: 'var(--mantine-color-red-4)' }}>
      <Title order={2} size="h4" mb="xs">
        Delete this tenant
      </Title>
      <Text size="sm" mb="sm">
        Deletes every instance (and its data), member and API key of {name}.
      </Text>
      <Button color="red" variant="outline" onClick={() => setOpen(true)}>
        Delete tenant…
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Delete ${name}?`}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (typed === name) remove.mutate();
          }}
        >
          <Stack>
            <TextInput label={`Type the tenant name (${name}) to confirm`} value={typed} onChange={(e) => setTyped(e.currentTarget.value)} autoComplete="off" data-autofocus />
            {remove.error && <Alert color="red">{remove.error.message}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setOpen(false)}>
                Cancel
              </Button>
              <Button type="submit" color="red" disabled={typed !== name} loading={remove.isPending}>
                Delete tenant
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Card>
  );
}
