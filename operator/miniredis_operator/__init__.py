"""MiniRedis operator: reconciles MiniRedisNode resources (group miniredis.io) with kopf."""
