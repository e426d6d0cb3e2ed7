import { AppShell, Burger, Button, Group, Menu, NavLink, Select, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, Outlet, useLocation, useMatch, useNavigate } from 'react-router';
import { api } from '../api/http';
import { useMe, useTenants } from '../api/queries';
import * as session from '../api/session';
import { CreateTenantModal } from './CreateTenantModal';

export const LAST_TENANT = 'miniredis.tenant';

export function Layout() {
  const [opened, { toggle, close }] = useDisclosure();
  const [creating, setCreating] = useState(false);
  const match = useMatch('/t/:tid/*');
  const tid = match?.params.tid ?? localStorage.getItem(LAST_TENANT) ?? '';
  const tenants = useTenants();
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();

  useEffect(() => {
    if (match?.params.tid) localStorage.setItem(LAST_TENANT, match.params.tid);
  }, [match?.params.tid]);
  useEffect(() => {
    close();
  }, [location.pathname, close]);

  const items = tenants.data?.items ?? [];
  const known = items.some((t) => t.id === tid);
  const current = known ? tid : items[0]?.id;

  const switchTenant = (value: string | null) => {
    if (value === '__new') return setCreating(true);
    if (!value) return;
    // keep the same section when switching (instances, CLI, settings)
    const section = match?.params['*']?.split('/')[0];
    const rest = section === 'cli' || section === 'settings' ? `/${section}` : '';
    navigate(`/t/${value}${rest}`);
  };

  const signOut = async () => {
    const token = session.refreshToken();
    if (token) await api.POST('/api/auth/logout', { body: { refresh_token: token } }).catch(() => undefined);
    session.clear('You signed out.');
    queryClient.clear();
  };

  const link = (to: string, label: string, exact = false) => (
    <NavLink
      component={Link}
      to={to}
      label={label}
      active={exact ? location.pathname === to : location.pathname.startsWith(to)}
    />
  );

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <UnstyledButton component={Link} to="/" aria-label="MiniRedis home">
              <Text fw={800} size="lg" c="red.7">
                MiniRedis
              </Text>
            </UnstyledButton>
            <Select
              aria-label="Tenant"
              placeholder={tenants.isLoading ? 'Loading tenants…' : 'Choose a tenant'}
              data={[
                ...items.map((t) => ({ value: t.id, label: `${t.name} (${t.role})` })),
                { value: '__new', label: '+ Create a tenant…' },
              ]}
              value={current ?? null}
              onChange={switchTenant}
              allowDeselect={false}
              w={{ base: 170, sm: 260 }}
              comboboxProps={{ withinPortal: true }}
            />
          </Group>
          <Menu position="bottom-end">
            <Menu.Target>
              <Button variant="subtle" aria-label="Account menu">
                {me.data?.email ?? 'Account'}
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {me.data?.is_admin && <Menu.Label>Platform admin</Menu.Label>}
              <Menu.Item onClick={signOut}>Sign out</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation">
        {current ? (
          <>
            {link(`/t/${current}`, 'Instances', true)}
            {link(`/t/${current}/cli`, 'Redis CLI')}
            {link(`/t/${current}/settings`, 'Tenant settings')}
          </>
        ) : null}
        {link('/monitoring', 'Monitoring')}
      </AppShell.Navbar>
      <AppShell.Main id="main">
        <Outlet />
      </AppShell.Main>
      <CreateTenantModal opened={creating} onClose={() => setCreating(false)} />
    </AppShell>
  );
}
