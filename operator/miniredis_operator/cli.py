"""`miniredis-operator`: run the operator (settings from MINIREDIS_OPERATOR_* variables, see config.py)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

import kopf

from miniredis_operator.config import OperatorConfig
from miniredis_operator.context import Context
from miniredis_operator.handlers import configure, register


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="miniredis-operator",
        description="Reconcile MiniRedisNode resources (miniredis.io/v1alpha1) into running MiniRedis nodes.",
        epilog="Settings come from MINIREDIS_OPERATOR_* environment variables; see operator/README.md.",
    )
    parser.add_argument("--verbose", action="store_true", help="Log at debug level.")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    config = OperatorConfig.from_env()
    ctx = Context(config=config)
    registry = kopf.OperatorRegistry()
    register(registry, ctx)
    settings = kopf.OperatorSettings()
    configure(settings, config)
    kopf.run(
        registry=registry,
        settings=settings,
        clusterwide=not config.namespaces,
        namespaces=list(config.namespaces),
        standalone=not config.peering,
        peering_name=config.peering or None,
        liveness_endpoint=f"http://0.0.0.0:{config.health_port}/healthz" if config.health_port else None,
    )


if __name__ == "__main__":
    main()
