"""ORM models (SQLAlchemy 2 typed mappings). Importing this package registers every table."""

from miniredis_api.models.audit import AuditRecord
from miniredis_api.models.auth import RefreshToken, User
from miniredis_api.models.event import NodeEvent
from miniredis_api.models.node import Node
from miniredis_api.models.tenant import ApiKey, Membership, Tenant

__all__ = ["ApiKey", "AuditRecord", "Membership", "Node", "NodeEvent", "RefreshToken", "Tenant", "User"]
