"""The kopf layer: `configure` sets kopf's settings, `register` adds every handler to a registry.

Handlers are thin: each reads the body into a `NodeSpec`, calls `reconcile`, writes status through
kopf's `patch.status` and posts the events `status.transitions` and `reconcile` name. They close over one
`Context` instead of reading globals, so a test can run an operator with its own settings and registry.
"""

from __future__ import annotations

import kopf

from miniredis_operator import naming
from miniredis_operator.config import OperatorConfig
from miniredis_operator.context import Context
from miniredis_operator.handlers import activities, lifecycle, monitor


def configure(settings: kopf.OperatorSettings, config: OperatorConfig) -> None:
    """kopf's settings: our finalizer and annotations under miniredis.io, peering, event source."""
    settings.persistence.finalizer = naming.FINALIZER
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=naming.ANNOTATIONS_PREFIX)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(
        prefix=naming.ANNOTATIONS_PREFIX, key="last-handled-configuration"
    )
    settings.posting.reporting_component = "miniredis-operator"
    settings.posting.event_name_prefix = "miniredis-"
    settings.posting.level = 20  # logging.INFO: kopf's own info messages become events too
    # One replica runs standalone; more replicas need a peering name so only one handles each event.
    settings.peering.standalone = not config.peering
    if config.peering:
        settings.peering.name = config.peering
        settings.peering.mandatory = True
        settings.peering.clusterwide = not config.namespaces
    settings.watching.server_timeout = 600
    settings.watching.client_timeout = 660
    settings.networking.request_timeout = 60
    settings.networking.connect_timeout = 10


def register(registry: kopf.OperatorRegistry, ctx: Context) -> None:
    """Add the login, startup, health, lifecycle and monitor handlers to `registry`."""
    activities.register(registry, ctx)
    lifecycle.register(registry, ctx)
    monitor.register(registry, ctx)
