import { ActionIcon, Badge, CopyButton, Group, Progress, Stack, Text } from '@mantine/core';
import type { Node } from '../../api/queries';
import { formatBytes } from '../../lib/format';

function CopyIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <rect x="8" y="8" width="12" height="12" rx="2" />
      <path d="M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2" />
    </svg>
  );
}

function CheckIcon() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.5" aria-hidden="true">
      <path d="M5 12l5 5L20 7" />
    </svg>
  );
}

export const PHASE_COLOR: Record<string, string> = {
  Running: 'green',
  Starting: 'blue',
  Pending: 'gray',
  Stopping: 'orange',
  Stopped: 'gray',
  Failed: 'red',
  Deleting: 'orange',
};

export function StatusBadge({ node }: { node: Node }) {
  return (
    <Stack gap={2}>
      <Badge color={PHASE_COLOR[node.phase] ?? 'gray'} variant={node.phase === 'Running' ? 'filled' : 'light'} aria-label={`Status: ${node.phase}`}>
        {node.phase}
      </Badge>
      {node.reason && (
        <Text size="xs" c={node.phase === 'Failed' ? 'red' : 'dimmed'} lineClamp={2} title={node.reason}>
          {node.reason}
        </Text>
      )}
    </Stack>
  );
}

export function MemoryBar({ used, limit }: { used: number | undefined; limit: number }) {
  const ratio = limit > 0 && used !== undefined ? Math.min(100, (used / limit) * 100) : 0;
  const color = ratio > 90 ? 'red' : ratio > 70 ? 'orange' : 'teal';
  const label = `${used === undefined ? '—' : formatBytes(used)} / ${formatBytes(limit)}`;
  return (
    <Stack gap={2} miw={110}>
      <Progress value={ratio} color={color} size="sm" aria-label={`Memory used ${label}`} />
      <Text size="xs" c="dimmed">
        {label}
      </Text>
    </Stack>
  );
}

export function Copy({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value} timeout={1500}>
      {({ copied, copy }) => (
        <ActionIcon variant="subtle" color={copied ? 'teal' : 'gray'} onClick={copy} aria-label={`Copy ${label}`} title={copied ? 'Copied' : `Copy ${label}`}>
          {copied ? <CheckIcon /> : <CopyIcon />}
        </ActionIcon>
      )}
    </CopyButton>
  );
}

export function endpointOf(node: Node): string | null {
  return node.endpoint ? `${node.endpoint.host}:${node.endpoint.port}` : null;
}

export function EndpointCell({ node }: { node: Node }) {
  const endpoint = endpointOf(node);
  if (!endpoint) return <Text size="sm" c="dimmed">not assigned</Text>;
  return (
    <Group gap={4} wrap="nowrap">
      <Text size="sm" ff="monospace">
        {endpoint}
      </Text>
      <Copy value={endpoint} label={`endpoint of ${node.name}`} />
    </Group>
  );
}

export function redisCliLine(node: Node, password: string): string {
  const host = node.endpoint?.host ?? '127.0.0.1';
  const port = node.endpoint?.port ?? 6379;
  const quoted = /^[A-Za-z0-9_\-.]+$/.test(password) ? password : `'${password.replace(/'/g, `'\\''`)}'`;
  return `redis-cli -h ${host} -p ${port} -a ${quoted}`;
}

export function redisUrl(node: Node, password: string): string {
  const host = node.endpoint?.host ?? '127.0.0.1';
  const port = node.endpoint?.port ?? 6379;
  return `redis://default:${encodeURIComponent(password)}@${host}:${port}`;
}
