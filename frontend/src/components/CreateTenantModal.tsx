import { Alert, Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../api/http';
import { keys } from '../api/queries';

export function CreateTenantForm({ onDone }: { onDone?: () => void }) {
  const [name, setName] = useState('');
  const client = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: (value: string) => call(api.POST('/api/tenants', { body: { name: value } })),
    onSuccess: async (tenant) => {
      await client.invalidateQueries({ queryKey: keys.tenants });
      await client.invalidateQueries({ queryKey: keys.me });
      onDone?.();
      setName('');
      navigate(`/t/${tenant.id}`);
    },
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate(name.trim());
      }}
    >
      <Stack>
        <TextInput
          label="Tenant name"
          description="A team, a project or an environment: instances, members and API keys belong to it."
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          required
          maxLength={100}
          data-autofocus
        />
        {create.error && (
          <Alert color="red" title="Could not create the tenant">
            {create.error.message}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={create.isPending} disabled={!name.trim()}>
            Create tenant
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function CreateTenantModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Create a tenant">
      <CreateTenantForm onDone={onClose} />
    </Modal>
  );
}
