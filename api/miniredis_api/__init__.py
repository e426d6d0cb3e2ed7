"""MiniRedis control plane: one FastAPI application for sign-in, tenants, API keys, nodes, exec and monitoring.

Layers, top to bottom: `routes` (thin HTTP handlers) → `services` (rules, quotas, orchestration) →
`repositories` (keyword-only data access taking `session=`) and `runtimes` (where node processes
or pods actually run). `core` holds settings, the database engine and security primitives.
"""

__version__ = "0.1.0"
