import { Alert, Anchor, Badge, Button, Card, Group, Loader, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { memo, useDeferredValue, useState } from 'react';
import { Link, useParams } from 'react-router';
import { type Node, type Role, can, useNodes, useTenant } from '../api/queries';
import { EndpointCell, MemoryBar, StatusBadge } from '../components/instances/bits';
import { type VirtualRowProps, VirtualTbody } from '../components/VirtualTbody';
import { CreateInstanceDialog, persistenceLabel } from '../components/instances/dialogs';
import { InstanceActions } from '../components/instances/InstanceActions';
import { formatDate, formatRate } from '../lib/format';

const Row = memo(function Row({ node, role, measure, index }: { node: Node; role: Role | undefined } & VirtualRowProps) {
  const m = node.metrics;
  return (
    <Table.Tr ref={measure} data-index={index} aria-rowindex={index + 2}>
      <Table.Td>
        <Anchor component={Link} to={`/t/${node.tenant_id}/instances/${node.id}`} fw={600}>
          {node.name}
        </Anchor>
        {node.persistence !== 'none' && (
          <Badge size="xs" variant="light" color="grape" ml={6} title={`Persistence: ${persistenceLabel(node.persistence)}`}>
            {node.persistence}
          </Badge>
        )}
      </Table.Td>
      <Table.Td>
        <StatusBadge node={node} />
      </Table.Td>
      <Table.Td>
        <MemoryBar used={m?.used_memory} limit={node.memory} />
      </Table.Td>
      <Table.Td ta="right">{m ? m.keys : '—'}</Table.Td>
      <Table.Td ta="right">{m ? m.connected_clients : '—'}</Table.Td>
      <Table.Td ta="right">{m ? formatRate(m.ops_per_sec) : '—'}</Table.Td>
      <Table.Td>
        <EndpointCell node={node} />
      </Table.Td>
      <Table.Td>
        <Text size="sm">{formatDate(node.created_at)}</Text>
      </Table.Td>
      <Table.Td>
        <InstanceActions node={node} role={role} />
      </Table.Td>
    </Table.Tr>
  );
});

const nodeKey = (node: Node) => node.id;
/** A row's usual height (a reason under the status makes it taller; rows are measured). */
const ROW_HEIGHT = 61;

/** Only the rows near the viewport are mounted (VirtualTbody): 200 instances render as fast as 10. */
export function InstancesTable({ nodes, role }: { nodes: Node[]; role: Role | undefined }) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table highlightOnHover verticalSpacing="xs" aria-label="Your instances" aria-rowcount={nodes.length + 1}>
        <Table.Thead>
          <Table.Tr aria-rowindex={1}>
            <Table.Th>Name</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Memory</Table.Th>
            <Table.Th ta="right">Keys</Table.Th>
            <Table.Th ta="right">Clients</Table.Th>
            <Table.Th ta="right">Ops/s</Table.Th>
            <Table.Th>Endpoint</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>
              <span className="skip-link">Actions</span>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <VirtualTbody
          items={nodes}
          getKey={nodeKey}
          estimate={ROW_HEIGHT}
          colSpan={9}
          renderRow={(node, row) => <Row key={node.id} node={node} role={role} {...row} />}
        />
      </Table>
    </Table.ScrollContainer>
  );
}

export function Dashboard() {
  const { tid = '' } = useParams();
  const tenant = useTenant(tid);
  const nodes = useNodes(tid);
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter);
  const role = tenant.data?.role;
  const all = nodes.data?.items ?? [];
  const shown = deferred ? all.filter((n) => n.name.includes(deferred.toLowerCase())) : all;

  return (
    <Stack>
      <Group justify="space-between" align="flex-end">
        <div>
          <Title order={1} size="h2">
            Your instances
          </Title>
          {tenant.data && (
            <Text c="dimmed" size="sm">
              {tenant.data.name} · you are {role} · {tenant.data.usage.nodes} of {tenant.data.quotas.max_nodes} instances
            </Text>
          )}
        </div>
        <Group>
          {all.length > 5 && (
            <TextInput aria-label="Filter instances by name" placeholder="Filter by name" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} />
          )}
          {nodes.isFetching && !nodes.isLoading && <Loader size="xs" aria-label="Refreshing" />}
          {can.writeNodes(role) && <Button onClick={() => setCreating(true)}>Create instance</Button>}
        </Group>
      </Group>
      {tenant.error && (
        <Alert color="red" title="Could not load this tenant">
          {tenant.error.message}
        </Alert>
      )}
      {nodes.isLoading ? (
        <Group>
          <Loader size="sm" />
          <Text>Loading your instances…</Text>
        </Group>
      ) : nodes.error && !nodes.data ? (
        <Alert color="red" title="Could not load your instances">
          {nodes.error.message} The list retries by itself every few seconds.
        </Alert>
      ) : all.length === 0 ? (
        <Card withBorder p="xl">
          <Stack align="center">
            <Text fw={600}>No instances yet</Text>
            <Text c="dimmed" ta="center">
              An instance is a Redis-compatible server with its own memory limit, endpoint and password.
            </Text>
            {can.writeNodes(role) ? (
              <Button onClick={() => setCreating(true)}>Create your first instance</Button>
            ) : (
              role && <Text size="sm">As a {role} you can see this tenant’s instances but not create them.</Text>
            )}
          </Stack>
        </Card>
      ) : (
        <>
          {nodes.isRefetchError && (
            <Alert color="yellow" role="status">
              Showing the last known state: refreshing failed ({nodes.error?.message}).
            </Alert>
          )}
          <InstancesTable nodes={shown} role={role} />
          {shown.length === 0 && <Text c="dimmed">No instance matches “{deferred}”.</Text>}
        </>
      )}
      {creating && <CreateInstanceDialog tid={tid} opened onClose={() => setCreating(false)} />}
    </Stack>
  );
}
