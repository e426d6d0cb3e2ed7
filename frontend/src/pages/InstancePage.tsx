import { Alert, Anchor, Badge, Card, Group, Loader, SegmentedControl, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link, useNavigate, useParams } from 'react-router';
import { useState } from 'react';
import { type NodeEvent, can, useMetrics, useNode, useNodeEvents, useTenant } from '../api/queries';
import { NodeCharts, toPoints } from '../components/charts';
import { StatusBadge } from '../components/instances/bits';
import { ConnectionDetails, persistenceLabel } from '../components/instances/dialogs';
import { InstanceActions } from '../components/instances/InstanceActions';
import { formatAgo, formatBytes, formatDate } from '../lib/format';

const RANGES = [
  { label: '15 min', value: String(15 * 60) },
  { label: '1 hour', value: String(3600) },
  { label: '6 hours', value: String(6 * 3600) },
  { label: '24 hours', value: String(24 * 3600) },
];

const HINT_LOOKUPS = new Set(['command|docs', 'command|list']);
const EVENT_BADGE: Record<NodeEvent['kind'], { label: string; color: string }> = {
  failed: { label: 'failure', color: 'red' },
  restart_failed: { label: 'restart failed', color: 'red' },
  restarted: { label: 'restart', color: 'orange' },
  command: { label: 'command', color: 'gray' },
};

function EventLine({ event }: { event: NodeEvent }) {
  const badge = EVENT_BADGE[event.kind];
  return (
    <Group gap="xs" wrap="nowrap" align="baseline" role="listitem">
      <Text span size="sm" c="dimmed" miw={70} title={formatDate(event.created_at)}>
        {formatAgo(event.created_at)}
      </Text>
      <Badge size="sm" variant="light" color={badge.color} miw={96}>
        {badge.label}
      </Badge>
      <Text span size="sm" c={event.kind === 'command' ? undefined : badge.color === 'red' ? 'red' : undefined}>
        {event.message}
        {event.actor && (
          <Text span size="sm" c="dimmed">
            {' '}
            by {event.actor}
          </Text>
        )}
      </Text>
    </Group>
  );
}

function uptime(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.floor(seconds / 86400)} d`;
}

export default function InstancePage() {
  const { tid = '', nid = '' } = useParams();
  const navigate = useNavigate();
  const [range, setRange] = useState(RANGES[0].value);
  const tenant = useTenant(tid);
  const node = useNode(tid, nid);
  const metrics = useMetrics(tid, nid, Number(range));
  const nodeEvents = useNodeEvents(tid, nid);
  const role = tenant.data?.role;

  if (node.isLoading) return <Loader aria-label="Loading the instance" />;
  if (node.error || !node.data) {
    return (
      <Alert color="red" title="Could not load this instance">
        {node.error?.message ?? 'Not found.'}{' '}
        <Anchor component={Link} to={`/t/${tid}`}>
          Back to your instances
        </Anchor>
      </Alert>
    );
  }
  const n = node.data;
  const m = n.metrics;
  // The CLI's own look-ups for completion and hints (COMMAND LIST/DOCS) are audited but not shown.
  const events = (nodeEvents.data?.items ?? []).filter((e) => !e.command || !HINT_LOOKUPS.has(e.command.toLowerCase())).slice(0, 15);
  const rows: [string, React.ReactNode][] = [
    ['Memory limit', formatBytes(n.memory)],
    ['Used memory', formatBytes(m?.used_memory)],
    ['Eviction policy', n.eviction_policy],
    ['Desired state', n.running ? 'running' : 'stopped'],
    ['Persistence', persistenceLabel(n.persistence)],
    ['Data when stopped', n.data_kept_when_stopped ? 'kept on disk' : 'discarded (in memory only)'],
    ['Restarts', n.restarts],
    ['Uptime', uptime(m?.uptime_seconds)],
    ['Created', formatDate(n.created_at)],
    ['Updated', formatDate(n.updated_at)],
  ];

  return (
    <Stack>
      <Group justify="space-between">
        <Group>
          <Anchor component={Link} to={`/t/${tid}`} size="sm">
            ← Instances
          </Anchor>
          <Title order={1} size="h2">
            {n.name}
          </Title>
          <StatusBadge node={n} />
        </Group>
        <InstanceActions node={n} role={role} onDeleted={() => navigate(`/t/${tid}`)} />
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Settings
          </Title>
          <Table aria-label="Settings" withRowBorders={false} verticalSpacing={4}>
            <Table.Tbody>
              {rows.map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Th w={170} fw={500}>
                    {k}
                  </Table.Th>
                  <Table.Td>{v}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Connection
          </Title>
          <ConnectionDetails node={n} canReadPassword={can.readPassword(role)} />
        </Card>
      </SimpleGrid>
      <Group justify="space-between">
        <Title order={2} size="h3">
          Live charts
        </Title>
        <SegmentedControl aria-label="Time range" data={RANGES} value={range} onChange={setRange} />
      </Group>
      {metrics.error && <Alert color="red">{metrics.error.message}</Alert>}
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
        <NodeCharts points={toPoints(metrics.data?.history ?? [])} />
      </SimpleGrid>
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Recent events
        </Title>
        <Stack gap={6} role="list" aria-label="Recent events">
          {n.phase === 'Failed' && <Text c="red">Failed now: {n.reason ?? 'no reason recorded'}</Text>}
          {nodeEvents.error && <Alert color="red">{nodeEvents.error.message}</Alert>}
          {events.length === 0 && !nodeEvents.isLoading && (
            <Text c="dimmed" size="sm">
              No events yet. Restarts, failures{can.manage(role) ? ' and commands run from the CLI' : ''} show here.
            </Text>
          )}
          {events.map((e) => (
            <EventLine key={e.id} event={e} />
          ))}
        </Stack>
      </Card>
    </Stack>
  );
}
