"""Services: the rules between routes and storage (authorization, quotas, node orchestration,
exec guard rails, monitoring). Routes call services; services call repositories and the runtime."""
