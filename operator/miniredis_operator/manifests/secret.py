"""The generated password Secret (only when spec.passwordSecretRef is absent)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from miniredis_operator import naming
from miniredis_operator.manifests.common import metadata
from miniredis_operator.spec import NodeSpec


def generated_secret(spec: NodeSpec, password: str, extra_labels: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The Secret `<name>-auth` holding `password`; the caller creates it once and never rewrites it."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(spec, naming.secret_name(spec.name), "auth", extra_labels),
        "type": "Opaque",
        "data": {naming.PASSWORD_KEY: base64.b64encode(password.encode()).decode()},
    }
