"""Who may do what in a tenant: the one place where roles are turned into permissions.

Roles are ordered viewer < member < admin < owner; each action names the lowest role allowed.
The platform admin (the first account) acts as an owner in every tenant. An API key carries a
role in one tenant and is treated exactly like a member with that role. `api/README.md` prints
this table for humans; `tests/api/test_authz.py` checks it through HTTP.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    viewer = "viewer"
    member = "member"
    admin = "admin"
    owner = "owner"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Role):
            return NotImplemented
        return self.rank >= other.rank


_RANK = {Role.viewer: 0, Role.member: 1, Role.admin: 2, Role.owner: 3}


class Action(enum.StrEnum):
    read_tenant = "read tenant, members, nodes and metrics"
    exec_readonly = "run read-only commands"
    exec = "run any allowed command"
    write_nodes = "create, resize, start, stop and delete nodes"
    read_password = "read and rotate node passwords"
    manage_members = "add, remove and change members"
    manage_api_keys = "create, list and revoke API keys"
    read_audit = "read the audit log of commands"
    update_tenant = "rename the tenant"
    delete_tenant = "delete the tenant"


POLICY: dict[Action, Role] = {
    Action.read_tenant: Role.viewer,
    Action.exec_readonly: Role.viewer,
    Action.exec: Role.member,
    Action.write_nodes: Role.member,
    Action.read_password: Role.admin,
    Action.manage_members: Role.admin,
    Action.manage_api_keys: Role.admin,
    Action.read_audit: Role.admin,
    Action.update_tenant: Role.admin,
    Action.delete_tenant: Role.owner,
}
"""Changing quotas is reserved to the platform admin. Only an owner may grant or remove the owner role,
and an API key can never be given a role above its creator's."""


def allows(role: Role, action: Action) -> bool:
    return role >= POLICY[action]
