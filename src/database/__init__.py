"""The database: engines and their pool, sessions for requests, fast reads,
the declarative base and the migration entry points."""
