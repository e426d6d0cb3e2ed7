import { Button, Menu } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/http';
import { type Node, type Role, can, useNodeMutation } from '../../api/queries';
import { ConnectDialog, DeleteDialog, PolicyDialog, ResizeDialog, StopDialog } from './dialogs';

type Dialog = 'stop' | 'resize' | 'policy' | 'connect' | 'delete' | null;

/** The per-instance actions menu (also used on the instance page). A plain button until first
 * used, so a list of hundreds of instances does not mount hundreds of menus. */
export function InstanceActions(props: { node: Node; role: Role | undefined; onDeleted?: () => void }) {
  const [armed, setArmed] = useState(false);
  if (!armed) {
    return (
      <Button size="xs" variant="light" aria-label={`Actions for ${props.node.name}`} aria-haspopup="menu" onClick={() => setArmed(true)}>
        Actions
      </Button>
    );
  }
  return <ActionsMenu {...props} />;
}

function ActionsMenu({ node, role, onDeleted }: { node: Node; role: Role | undefined; onDeleted?: () => void }) {
  const [dialog, setDialog] = useState<Dialog>(null);
  const navigate = useNavigate();
  const start = useNodeMutation(node.tenant_id, () =>
    call(api.POST('/api/tenants/{tid}/nodes/{nid}/start', { params: { path: { tid: node.tenant_id, nid: node.id } } })),
  );
  const write = can.writeNodes(role);
  const stopped = !node.running;
  const close = () => setDialog(null);
  return (
    <>
      <Menu position="bottom-end" withinPortal defaultOpened>
        <Menu.Target>
          <Button size="xs" variant="light" aria-label={`Actions for ${node.name}`} loading={start.isPending}>
            Actions
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {/* viewers see only what they may do: connect details and the (read-only) CLI */}
          {write && stopped && (
            <Menu.Item
              onClick={() =>
                start.mutate(undefined, {
                  onSuccess: () => notifications.show({ color: 'teal', message: `Starting ${node.name}` }),
                  onError: (e) => notifications.show({ color: 'red', title: 'Could not start', message: e.message }),
                })
              }
            >
              Start
            </Menu.Item>
          )}
          {write && !stopped && <Menu.Item onClick={() => setDialog('stop')}>Stop…</Menu.Item>}
          {write && <Menu.Item onClick={() => setDialog('resize')}>Resize memory…</Menu.Item>}
          {write && <Menu.Item onClick={() => setDialog('policy')}>Eviction policy…</Menu.Item>}
          <Menu.Item onClick={() => setDialog('connect')}>Connect (password, redis-cli, URL)…</Menu.Item>
          <Menu.Item onClick={() => navigate(`/t/${node.tenant_id}/cli?node=${node.id}`)}>Open in CLI</Menu.Item>
          {write && (
            <>
              <Menu.Divider />
              <Menu.Item color="red" onClick={() => setDialog('delete')}>
                Delete…
              </Menu.Item>
            </>
          )}
        </Menu.Dropdown>
      </Menu>
      {dialog === 'stop' && <StopDialog node={node} onClose={close} />}
      {dialog === 'resize' && <ResizeDialog node={node} onClose={close} />}
      {dialog === 'policy' && <PolicyDialog node={node} onClose={close} />}
      {dialog === 'connect' && <ConnectDialog node={node} canReadPassword={can.readPassword(role)} onClose={close} />}
      {dialog === 'delete' && <DeleteDialog node={node} onClose={close} onDeleted={onDeleted} />}
    </>
  );
}
