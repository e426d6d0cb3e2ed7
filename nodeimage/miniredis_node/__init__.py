"""MiniRedis node: a Redis 7.0-compatible in-memory server in Python (the data plane)."""

__version__ = "0.1.0"
# What INFO server and HELLO report: the Redis version whose behaviour the node follows.
REDIS_VERSION = "7.0.15"
