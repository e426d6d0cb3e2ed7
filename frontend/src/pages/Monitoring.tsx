import { Alert, Anchor, Card, Group, Loader, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useQueries } from '@tanstack/react-query';
import { memo, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../api/http';
import { LIVE_MS, type Node, keys, useOverview, useTenants } from '../api/queries';
import { MemoryBar, StatusBadge } from '../components/instances/bits';
import { type VirtualRowProps, VirtualTbody } from '../components/VirtualTbody';
import { formatBytes, formatRate } from '../lib/format';

const POINTS = 40;

/** A sparkline as one SVG path: cheap enough for hundreds of rows refreshing live. */
export function Spark({ values, label, width = 120, height = 28 }: { values: number[]; label: string; width?: number; height?: number }) {
  const data = values.length > 1 ? values : [0, ...values, ...(values.length ? [] : [0])];
  const max = Math.max(...data, 1e-9);
  const step = width / Math.max(1, data.length - 1);
  const points = data.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
  return (
    <svg width={width} height={height} role="img" aria-label={label}>
      <path d={`M0,${height} L${points.join(' L')} L${width},${height} Z`} fill="var(--mantine-color-blue-1)" />
      <path d={`M${points.join(' L')}`} fill="none" stroke="var(--mantine-color-blue-6)" strokeWidth={1.5} />
    </svg>
  );
}

function Stat({ label, value, detail }: { label: string; value: React.ReactNode; detail?: React.ReactNode }) {
  return (
    <Card withBorder p="md" role="group" aria-label={label}>
      <Text size="xs" tt="uppercase" c="dimmed" fw={700}>
        {label}
      </Text>
      <Text fw={700} size="xl" data-testid={`stat-${label}`}>
        {value}
      </Text>
      {detail && (
        <Text size="xs" c="dimmed">
          {detail}
        </Text>
      )}
    </Card>
  );
}

/** ops/s of every node, kept client-side from the live list (one point per refresh). */
function useOpsHistory(nodes: Node[]) {
  const history = useRef(new Map<string, number[]>());
  const [, tick] = useState(0);
  useEffect(() => {
    for (const node of nodes) {
      const series = history.current.get(node.id) ?? [];
      series.push(node.metrics?.ops_per_sec ?? 0);
      if (series.length > POINTS) series.splice(0, series.length - POINTS);
      history.current.set(node.id, series);
    }
    tick((t) => t + 1);
  }, [nodes]);
  return history.current;
}

const NO_POINTS: number[] = [];
const nodeKey = (node: Node) => node.id;

/** `series` grows in place; `version` (the refresh count) tells memo when it did. */
const Row = memo(function Row({
  node,
  tenant,
  series,
  measure,
  index,
}: { node: Node; tenant: string; series: number[]; version: number } & VirtualRowProps) {
  return (
    <Table.Tr ref={measure} data-index={index} aria-rowindex={index + 2}>
      <Table.Td>
        <Anchor component={Link} to={`/t/${node.tenant_id}/instances/${node.id}`}>
          {node.name}
        </Anchor>
      </Table.Td>
      <Table.Td>{tenant}</Table.Td>
      <Table.Td>
        <StatusBadge node={node} />
      </Table.Td>
      <Table.Td>
        <MemoryBar used={node.metrics?.used_memory} limit={node.memory} />
      </Table.Td>
      <Table.Td ta="right">{formatRate(node.metrics?.ops_per_sec)}</Table.Td>
      <Table.Td>
        <Spark values={series} label={`ops/s trend of ${node.name}`} />
      </Table.Td>
    </Table.Tr>
  );
});

export default function Monitoring() {
  const overview = useOverview();
  const tenants = useTenants();
  const tenantList = tenants.data?.items ?? [];
  const lists = useQueries({
    queries: tenantList.map((t) => ({
      queryKey: [...keys.nodes(t.id), 'monitoring'],
      queryFn: () => call(api.GET('/api/tenants/{tid}/nodes', { params: { path: { tid: t.id }, query: { limit: 500 } } })),
      refetchInterval: LIVE_MS,
    })),
  });
  const nodes = lists.flatMap((q) => q.data?.items ?? []);
  const [stamp, setStamp] = useState(0);
  const updated = lists.map((q) => q.dataUpdatedAt).join(',');
  useEffect(() => {
    setStamp((s) => s + 1);
  }, [updated]);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const history = useOpsHistory(useStable(nodes, stamp));
  const names = new Map(tenantList.map((t) => [t.id, t.name]));
  const totals = overview.data?.totals;
  const running = totals?.by_phase?.Running ?? 0;

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">
          Monitoring
        </Title>
        <Text size="sm" c="dimmed" role="status">
          {overview.isFetching ? 'Refreshing…' : `Live: refreshes every ${LIVE_MS / 1000} s`}
        </Text>
      </Group>
      {overview.error && (
        <Alert color="red" title="Could not load the overview">
          {overview.error.message}
        </Alert>
      )}
      {overview.isLoading ? (
        <Loader aria-label="Loading the overview" />
      ) : (
        totals && (
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Stat label="Running" value={running} detail={`of ${totals.nodes} instances`} />
            <Stat label="Memory" value={formatBytes(totals.memory_used)} detail={`of ${formatBytes(totals.memory_limit)} limit`} />
            <Stat label="Ops/s" value={formatRate(totals.ops_per_sec)} detail="all instances" />
            <Stat label="Free ports" value={overview.data!.capacity.ports_free} detail={`${overview.data!.capacity.ports_used} used of ${overview.data!.capacity.ports_total}`} />
          </SimpleGrid>
        )
      )}
      {totals && Object.keys(totals.by_phase ?? {}).length > 0 && (
        <Text size="sm" c="dimmed">
          By phase: {Object.entries(totals.by_phase ?? {}).map(([phase, count]) => `${phase} ${count}`).join(' · ')}
        </Text>
      )}
      {overview.data && overview.data.tenants.length > 1 && (
        <Card withBorder>
          <Title order={2} size="h4" mb="xs">
            Tenants
          </Title>
          <Table aria-label="Tenants">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Tenant</Table.Th>
                <Table.Th ta="right">Instances</Table.Th>
                <Table.Th ta="right">Running</Table.Th>
                <Table.Th>Memory</Table.Th>
                <Table.Th ta="right">Ops/s</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {overview.data.tenants.map((t) => (
                <Table.Tr key={t.tenant_id}>
                  <Table.Td>{t.tenant_name}</Table.Td>
                  <Table.Td ta="right">{t.nodes}</Table.Td>
                  <Table.Td ta="right">{t.by_phase?.Running ?? 0}</Table.Td>
                  <Table.Td>
                    {formatBytes(t.memory_used)} / {formatBytes(t.memory_limit)}
                  </Table.Td>
                  <Table.Td ta="right">{formatRate(t.ops_per_sec)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">
          Instances
        </Title>
        {nodes.length === 0 ? (
          <Text c="dimmed">{lists.some((q) => q.isLoading) ? 'Loading instances…' : 'No instances yet.'}</Text>
        ) : (
          <Table.ScrollContainer minWidth={700}>
            <Table aria-label="Instances" verticalSpacing={4} aria-rowcount={nodes.length + 1}>
              <Table.Thead>
                <Table.Tr aria-rowindex={1}>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Tenant</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Memory</Table.Th>
                  <Table.Th ta="right">Ops/s</Table.Th>
                  <Table.Th>Trend</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <VirtualTbody
                items={nodes}
                getKey={nodeKey}
                estimate={49}
                colSpan={6}
                renderRow={(node, row) => (
                  <Row key={node.id} node={node} tenant={names.get(node.tenant_id) ?? ''} series={history.get(node.id) ?? NO_POINTS} version={stamp} {...row} />
                )}
              />
            </Table>
          </Table.ScrollContainer>
        )}
      </Card>
    </Stack>
  );
}

/** The same array object until `stamp` changes (new data arrived), so history grows once per refresh. */
function useStable<T>(value: T, stamp: number): T {
  const ref = useRef<{ stamp: number; value: T }>({ stamp, value });
  if (ref.current.stamp !== stamp) ref.current = { stamp, value };
  return ref.current.value;
}
