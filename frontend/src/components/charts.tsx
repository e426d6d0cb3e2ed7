/** Chart helpers (this module and @mantine/charts/recharts load only with the pages that chart). */
import '@mantine/charts/styles.css';
import { AreaChart, LineChart } from '@mantine/charts';
import { Card, Text } from '@mantine/core';
import type { Sample } from '../api/queries';
import { formatBytes, formatRate } from '../lib/format';

export interface Point {
  t: string;
  used: number;
  limit: number;
  ops: number;
  clients: number;
  keys: number;
  hitRatio: number | null;
}

/** Chart points from samples; the hit ratio comes from the hit/miss deltas between samples. */
export function toPoints(samples: Sample[]): Point[] {
  return samples.map((s, i) => {
    const prev = samples[i - 1];
    const hits = prev ? s.hits - prev.hits : s.hits;
    const misses = prev ? s.misses - prev.misses : s.misses;
    const total = hits + misses;
    return {
      t: new Date(s.sampled_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }),
      used: s.used_memory,
      limit: s.maxmemory,
      ops: s.ops_per_sec,
      clients: s.connected_clients,
      keys: s.keys,
      hitRatio: total > 0 && hits >= 0 ? Math.round((hits / total) * 1000) / 10 : null,
    };
  });
}

function ChartCard({ title, children, empty }: { title: string; children: React.ReactNode; empty: boolean }) {
  return (
    <Card withBorder p="sm" role="figure" aria-label={title}>
      <Text fw={600} size="sm" mb={6}>
        {title}
      </Text>
      {empty ? (
        <Text c="dimmed" size="sm" h={160}>
          No samples in this range yet.
        </Text>
      ) : (
        children
      )}
    </Card>
  );
}

export function NodeCharts({ points }: { points: Point[] }) {
  const empty = points.length === 0;
  const common = { h: 160, data: points, dataKey: 't', withDots: false, curveType: 'linear' as const, tickLine: 'none' as const, gridAxis: 'y' as const };
  return (
    <>
      <ChartCard title="Memory" empty={empty}>
        <AreaChart
          {...common}
          valueFormatter={(v) => formatBytes(v)}
          series={[
            { name: 'used', label: 'Used', color: 'red.6' },
            { name: 'limit', label: 'Limit', color: 'gray.5' },
          ]}
          withGradient={false}
          fillOpacity={0.15}
        />
      </ChartCard>
      <ChartCard title="Operations per second" empty={empty}>
        <AreaChart {...common} valueFormatter={(v) => formatRate(v)} series={[{ name: 'ops', label: 'ops/s', color: 'blue.6' }]} />
      </ChartCard>
      <ChartCard title="Connected clients" empty={empty}>
        <LineChart {...common} series={[{ name: 'clients', label: 'Clients', color: 'teal.6' }]} />
      </ChartCard>
      <ChartCard title="Keys" empty={empty}>
        <LineChart {...common} series={[{ name: 'keys', label: 'Keys', color: 'violet.6' }]} />
      </ChartCard>
      <ChartCard title="Hit ratio (%)" empty={empty}>
        <LineChart {...common} yAxisProps={{ domain: [0, 100] }} connectNulls series={[{ name: 'hitRatio', label: 'Hit ratio %', color: 'orange.6' }]} />
      </ChartCard>
    </>
  );
}
