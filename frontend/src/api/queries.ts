/** TanStack Query hooks over the generated client: one place for keys, polling and invalidation. */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '../client/schema';
import { api, call } from './http';

export type Schemas = components['schemas'];
export type Node = Schemas['NodePublic'];
export type Tenant = Schemas['TenantPublic'];
export type TenantDetail = Schemas['TenantDetail'];
export type Role = Schemas['Role'];
export type ExecResult = Schemas['ExecResult'];
export type Sample = Schemas['Sample'];
export type EvictionPolicy = Schemas['EvictionPolicy'];
export type NodeEvent = Schemas['NodeEventPublic'];

export const keys = {
  me: ['me'] as const,
  tenants: ['tenants'] as const,
  tenant: (tid: string) => ['tenants', tid] as const,
  nodes: (tid: string) => ['tenants', tid, 'nodes'] as const,
  node: (tid: string, nid: string) => ['tenants', tid, 'nodes', nid] as const,
  metrics: (tid: string, nid: string, since: number) => ['tenants', tid, 'nodes', nid, 'metrics', since] as const,
  members: (tid: string) => ['tenants', tid, 'members'] as const,
  apiKeys: (tid: string) => ['tenants', tid, 'api-keys'] as const,
  audit: (tid: string) => ['tenants', tid, 'audit'] as const,
  events: (tid: string, nid: string) => ['tenants', tid, 'nodes', nid, 'events'] as const,
  overview: ['overview'] as const,
};

/** How often live views poll (the API samples nodes every few seconds). */
export const LIVE_MS = 3000;
const PAGE = 500;

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: () => call(api.GET('/api/auth/me')) });
}

export function useTenants() {
  return useQuery({
    queryKey: keys.tenants,
    queryFn: () => call(api.GET('/api/tenants', { params: { query: { limit: PAGE } } })),
  });
}

export function useTenant(tid: string) {
  return useQuery({
    queryKey: keys.tenant(tid),
    queryFn: () => call(api.GET('/api/tenants/{tid}', { params: { path: { tid } } })),
    enabled: !!tid,
  });
}

/** Every node of a tenant (pages of 500 fetched until `total`), refreshed live. */
export function useNodes(tid: string, live = true) {
  return useQuery({
    queryKey: keys.nodes(tid),
    queryFn: async () => {
      const items: Node[] = [];
      let total = 0;
      do {
        const page = await call(
          api.GET('/api/tenants/{tid}/nodes', { params: { path: { tid }, query: { limit: PAGE, offset: items.length } } }),
        );
        items.push(...page.items);
        total = page.total;
        if (page.items.length === 0) break;
      } while (items.length < total);
      return { items, total };
    },
    enabled: !!tid,
    refetchInterval: live ? LIVE_MS : false,
  });
}

export function useNode(tid: string, nid: string) {
  return useQuery({
    queryKey: keys.node(tid, nid),
    queryFn: () => call(api.GET('/api/tenants/{tid}/nodes/{nid}', { params: { path: { tid, nid } } })),
    refetchInterval: LIVE_MS,
  });
}

export function useMetrics(tid: string, nid: string, since: number) {
  return useQuery({
    queryKey: keys.metrics(tid, nid, since),
    queryFn: () =>
      call(api.GET('/api/tenants/{tid}/nodes/{nid}/metrics', { params: { path: { tid, nid }, query: { since } } })),
    refetchInterval: LIVE_MS,
    placeholderData: keepPreviousData,
  });
}

export function useOverview() {
  return useQuery({
    queryKey: keys.overview,
    queryFn: () => call(api.GET('/api/monitoring/overview')),
    refetchInterval: LIVE_MS,
  });
}

export function useMembers(tid: string) {
  return useQuery({
    queryKey: keys.members(tid),
    queryFn: () => call(api.GET('/api/tenants/{tid}/members', { params: { path: { tid }, query: { limit: PAGE } } })),
  });
}

export function useApiKeys(tid: string, enabled = true) {
  return useQuery({
    queryKey: keys.apiKeys(tid),
    queryFn: () => call(api.GET('/api/tenants/{tid}/api-keys', { params: { path: { tid }, query: { limit: PAGE } } })),
    enabled,
  });
}

/** A node's failures and restarts (the supervisor's), and for admins the commands run on it. */
export function useNodeEvents(tid: string, nid: string) {
  return useQuery({
    queryKey: keys.events(tid, nid),
    queryFn: () => call(api.GET('/api/tenants/{tid}/nodes/{nid}/events', { params: { path: { tid, nid }, query: { limit: 40 } } })),
    refetchInterval: LIVE_MS,
  });
}

export function useAudit(tid: string) {
  return useQuery({
    queryKey: keys.audit(tid),
    queryFn: () => call(api.GET('/api/tenants/{tid}/audit', { params: { path: { tid }, query: { limit: 100 } } })),
    refetchInterval: LIVE_MS * 2,
  });
}

/** A mutation that refreshes the tenant's node list (and the overview) when it settles. */
export function useNodeMutation<TVars, TData>(tid: string, fn: (vars: TVars) => Promise<TData>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: ['tenants', tid] });
      void client.invalidateQueries({ queryKey: keys.overview });
    },
  });
}

export const ROLE_RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };
export const can = {
  writeNodes: (role: Role | undefined) => !!role && ROLE_RANK[role] >= 1,
  readPassword: (role: Role | undefined) => !!role && ROLE_RANK[role] >= 2,
  manage: (role: Role | undefined) => !!role && ROLE_RANK[role] >= 2,
  deleteTenant: (role: Role | undefined) => role === 'owner',
};
