"""Persistence: RDB snapshots (rdb.py) and the append-only file (aof.py)."""
