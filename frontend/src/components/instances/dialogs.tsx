import { Alert, Button, Code, Group, Modal, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/http';
import { type EvictionPolicy, type Node, type TenantDetail, useNodeMutation, useTenant } from '../../api/queries';
import { MIB, formatBytes } from '../../lib/format';
import { Copy, redisCliLine, redisUrl } from './bits';
import { MemoryInput } from './MemoryInput';

export const POLICIES: { value: EvictionPolicy; label: string }[] = [
  { value: 'noeviction', label: 'noeviction — refuse writes when full' },
  { value: 'allkeys-lru', label: 'allkeys-lru — evict least recently used keys' },
  { value: 'allkeys-lfu', label: 'allkeys-lfu — evict least frequently used keys' },
  { value: 'allkeys-random', label: 'allkeys-random — evict random keys' },
  { value: 'volatile-lru', label: 'volatile-lru — LRU among keys with a TTL' },
  { value: 'volatile-lfu', label: 'volatile-lfu — LFU among keys with a TTL' },
  { value: 'volatile-random', label: 'volatile-random — random keys with a TTL' },
  { value: 'volatile-ttl', label: 'volatile-ttl — keys closest to expiry first' },
];

export type Persistence = Node['persistence'];

export const PERSISTENCE: { value: Persistence; label: string; description: string }[] = [
  { value: 'none', label: 'None', description: 'In memory only: stopping or a crash loses every key.' },
  {
    value: 'rdb',
    label: 'Snapshots (RDB)',
    description: 'Snapshots on save rules and on every stop: a stop keeps the data, a crash loses the writes since the last snapshot.',
  },
  {
    value: 'aof',
    label: 'Append-only (AOF)',
    description: 'Every write logged (fsync every second): a stop or a process crash keeps every acknowledged write.',
  },
];

export function persistenceLabel(mode: Persistence | undefined): string {
  return PERSISTENCE.find((p) => p.value === (mode ?? 'none'))?.label ?? String(mode);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function quotaLeft(tenant: TenantDetail | undefined, exclude?: Node) {
  if (!tenant) return null;
  const usedMemory = tenant.usage.memory - (exclude?.memory ?? 0);
  const memory = Math.max(0, tenant.quotas.max_memory - usedMemory);
  return {
    nodes: Math.max(0, tenant.quotas.max_nodes - tenant.usage.nodes),
    memory,
    perNode: Math.min(tenant.quotas.max_node_memory, memory),
    maxNodeMemory: tenant.quotas.max_node_memory,
  };
}

function notifyDone(message: string) {
  notifications.show({ color: 'teal', message });
}

export function CreateInstanceDialog({ tid, opened, onClose }: { tid: string; opened: boolean; onClose: () => void }) {
  const tenant = useTenant(tid);
  const left = quotaLeft(tenant.data);
  const [name, setName] = useState('');
  const [memory, setMemory] = useState<number | null>(40 * MIB);
  const [policy, setPolicy] = useState<EvictionPolicy>('noeviction');
  const [running, setRunning] = useState(true);
  const [persistence, setPersistence] = useState<Persistence>('none');
  const create = useNodeMutation(tid, () =>
    call(api.POST('/api/tenants/{tid}/nodes', { params: { path: { tid } }, body: { name, memory, eviction_policy: policy, running, persistence } })),
  );
  const nameError = name && !DNS_LABEL.test(name) ? 'Lower-case letters, digits and "-", starting and ending with a letter or digit' : null;
  const full = left !== null && left.nodes === 0;
  const close = () => {
    create.reset();
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Create an instance" size="lg">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(undefined, {
            onSuccess: (node) => {
              notifyDone(`Instance ${node.name} created`);
              setName('');
              close();
            },
          });
        }}
      >
        <Stack>
          {left && (
            <Text size="sm" c={full ? 'red' : 'dimmed'} role="status">
              Quota left: {left.nodes} of {tenant.data!.quotas.max_nodes} instances, {formatBytes(left.memory)} of{' '}
              {formatBytes(tenant.data!.quotas.max_memory)} memory (at most {formatBytes(left.maxNodeMemory)} per instance).
            </Text>
          )}
          <TextInput
            label="Name"
            description="Unique in this tenant; a DNS label such as cache-1."
            value={name}
            onChange={(e) => setName(e.currentTarget.value.toLowerCase())}
            error={nameError}
            required
            maxLength={63}
            data-autofocus
          />
          <MemoryInput value={memory} onChange={setMemory} max={left?.perNode} />
          <Select label="Eviction policy" data={POLICIES} value={policy} onChange={(v) => v && setPolicy(v as EvictionPolicy)} allowDeselect={false} />
          <Select
            label="Persistence"
            description={`${PERSISTENCE.find((p) => p.value === persistence)?.description} Fixed at creation.`}
            data={PERSISTENCE.map(({ value, label }) => ({ value, label }))}
            value={persistence}
            onChange={(v) => v && setPersistence(v as Persistence)}
            allowDeselect={false}
          />
          <Switch label="Start now" checked={running} onChange={(e) => setRunning(e.currentTarget.checked)} />
          {create.error && (
            <Alert color="red" title="Could not create the instance" role="alert">
              {create.error.message}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={create.isPending} disabled={!name || !!nameError || memory === null || full}>
              Create instance
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

export function StopDialog({ node, onClose }: { node: Node; onClose: () => void }) {
  const stop = useNodeMutation(node.tenant_id, () =>
    call(api.POST('/api/tenants/{tid}/nodes/{nid}/stop', { params: { path: { tid: node.tenant_id, nid: node.id } } })),
  );
  return (
    <Modal opened onClose={onClose} title={`Stop ${node.name}?`}>
      <Stack>
        {node.data_kept_when_stopped ? (
          <Text>
            The instance keeps its data on disk ({persistenceLabel(node.persistence)}) and gets it back when you start it again.
            {node.persistence === 'rdb' && ' A snapshot is written as it stops.'} Clients are disconnected.
          </Text>
        ) : (
          <Alert color="orange" title="Its data will be lost" role="alert">
            This instance keeps its data in memory only: stopping it discards every key. Clients are disconnected.
          </Alert>
        )}
        {stop.error && <Alert color="red">{stop.error.message}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button color="orange" loading={stop.isPending} onClick={() => stop.mutate(undefined, { onSuccess: () => (notifyDone(`Stopping ${node.name}`), onClose()) })}>
            Stop instance
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function ResizeDialog({ node, onClose }: { node: Node; onClose: () => void }) {
  const tenant = useTenant(node.tenant_id);
  const left = quotaLeft(tenant.data, node);
  const [memory, setMemory] = useState<number | null>(node.memory);
  const resize = useNodeMutation(node.tenant_id, () =>
    call(api.PATCH('/api/tenants/{tid}/nodes/{nid}', { params: { path: { tid: node.tenant_id, nid: node.id } }, body: { memory } })),
  );
  return (
    <Modal opened onClose={onClose} title={`Resize ${node.name}`} size="lg">
      <Stack>
        <Text size="sm">
          Now {formatBytes(node.memory)}; used {formatBytes(node.metrics?.used_memory)}. The new limit applies at once, without a restart.
        </Text>
        <MemoryInput value={memory} onChange={setMemory} max={left?.perNode} label="New memory limit" />
        {resize.error && (
          <Alert color="red" role="alert">
            {resize.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button
            loading={resize.isPending}
            disabled={memory === null || memory === node.memory}
            onClick={() => resize.mutate(undefined, { onSuccess: (n) => (notifyDone(`${n.name} now has ${formatBytes(n.memory)}`), onClose()) })}
          >
            Resize
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function PolicyDialog({ node, onClose }: { node: Node; onClose: () => void }) {
  const [policy, setPolicy] = useState<EvictionPolicy>(node.eviction_policy);
  const update = useNodeMutation(node.tenant_id, () =>
    call(api.PATCH('/api/tenants/{tid}/nodes/{nid}', { params: { path: { tid: node.tenant_id, nid: node.id } }, body: { eviction_policy: policy } })),
  );
  return (
    <Modal opened onClose={onClose} title={`Eviction policy of ${node.name}`}>
      <Stack>
        <Select label="Eviction policy" data={POLICIES} value={policy} onChange={(v) => v && setPolicy(v as EvictionPolicy)} allowDeselect={false} />
        {update.error && <Alert color="red">{update.error.message}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button loading={update.isPending} disabled={policy === node.eviction_policy} onClick={() => update.mutate(undefined, { onSuccess: () => (notifyDone('Eviction policy changed'), onClose()) })}>
            Apply
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** Password reveal and rotation, with a ready redis-cli line and redis:// URL. */
export function ConnectionDetails({ node, canReadPassword }: { node: Node; canReadPassword: boolean }) {
  const [revealed, setRevealed] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const path = { params: { path: { tid: node.tenant_id, nid: node.id } } };
  const password = useQuery({
    queryKey: ['tenants', node.tenant_id, 'nodes', node.id, 'password'],
    queryFn: () => call(api.GET('/api/tenants/{tid}/nodes/{nid}/password', path)),
    enabled: revealed && canReadPassword,
    staleTime: Infinity,
  });
  const rotate = useNodeMutation(node.tenant_id, () => call(api.POST('/api/tenants/{tid}/nodes/{nid}/password', path)));
  const secret = password.data?.password;
  const hidden = '•'.repeat(12);
  const endpoint = node.endpoint ? `${node.endpoint.host}:${node.endpoint.port}` : 'not assigned yet';
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Text size="sm" fw={500} w={90}>
          Endpoint
        </Text>
        <Code>{endpoint}</Code>
        {node.endpoint && <Copy value={endpoint} label="endpoint" />}
      </Group>
      {!canReadPassword ? (
        <Text size="sm" c="dimmed">
          Only owners and admins of the tenant can read the password.
        </Text>
      ) : (
        <>
          <Group gap="xs">
            <Text size="sm" fw={500} w={90}>
              Password
            </Text>
            <Code aria-label="Password">{revealed && secret ? secret : hidden}</Code>
            <Button size="xs" variant="light" onClick={() => setRevealed((r) => !r)} loading={revealed && password.isLoading}>
              {revealed ? 'Hide password' : 'Reveal password'}
            </Button>
            {!confirmRotate ? (
              <Button size="xs" variant="subtle" color="orange" onClick={() => setConfirmRotate(true)}>
                Rotate password
              </Button>
            ) : (
              <Group gap={4}>
                <Text size="xs">Existing clients keep working; new connections need the new password.</Text>
                <Button
                  size="xs"
                  color="orange"
                  loading={rotate.isPending}
                  onClick={() =>
                    rotate.mutate(undefined, {
                      onSuccess: (data) => {
                        password.refetch();
                        setRevealed(true);
                        setConfirmRotate(false);
                        notifyDone(`New password for ${node.name}`);
                        void data;
                      },
                    })
                  }
                >
                  Confirm rotation
                </Button>
                <Button size="xs" variant="default" onClick={() => setConfirmRotate(false)}>
                  Cancel
                </Button>
              </Group>
            )}
          </Group>
          {password.error && <Alert color="red">{password.error.message}</Alert>}
          {rotate.error && <Alert color="red">{rotate.error.message}</Alert>}
          {revealed && secret && (
            <>
              <Group gap="xs" wrap="nowrap">
                <Text size="sm" fw={500} w={90}>
                  redis-cli
                </Text>
                <Code style={{ overflowX: 'auto' }} aria-label="redis-cli command">
                  {redisCliLine(node, secret)}
                </Code>
                <Copy value={redisCliLine(node, secret)} label="redis-cli command" />
              </Group>
              <Group gap="xs" wrap="nowrap">
                <Text size="sm" fw={500} w={90}>
                  URL
                </Text>
                <Code style={{ overflowX: 'auto' }} aria-label="redis URL">
                  {redisUrl(node, secret)}
                </Code>
                <Copy value={redisUrl(node, secret)} label="redis:// URL" />
              </Group>
            </>
          )}
        </>
      )}
    </Stack>
  );
}

export function ConnectDialog({ node, canReadPassword, onClose }: { node: Node; canReadPassword: boolean; onClose: () => void }) {
  return (
    <Modal opened onClose={onClose} title={`Connect to ${node.name}`} size="xl">
      <ConnectionDetails node={node} canReadPassword={canReadPassword} />
    </Modal>
  );
}

export function DeleteDialog({ node, onClose, onDeleted }: { node: Node; onClose: () => void; onDeleted?: () => void }) {
  const [typed, setTyped] = useState('');
  const remove = useNodeMutation(node.tenant_id, () =>
    call(api.DELETE('/api/tenants/{tid}/nodes/{nid}', { params: { path: { tid: node.tenant_id, nid: node.id } } })),
  );
  return (
    <Modal opened onClose={onClose} title={`Delete ${node.name}?`}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (typed === node.name)
            remove.mutate(undefined, { onSuccess: () => (notifyDone(`Instance ${node.name} deleted`), onClose(), onDeleted?.()) });
        }}
      >
        <Stack>
          <Alert color="red" title="This cannot be undone">
            The instance stops and every key in it is gone.
          </Alert>
          <TextInput
            label={`Type the instance name (${node.name}) to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
            data-autofocus
          />
          {remove.error && <Alert color="red">{remove.error.message}</Alert>}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" disabled={typed !== node.name} loading={remove.isPending}>
              Delete instance
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
