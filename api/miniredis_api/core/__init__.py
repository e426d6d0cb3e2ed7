"""Settings, database engine and security primitives shared by every layer."""
