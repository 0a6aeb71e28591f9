"""The database: engines and their pool, sessions and units of work, named
reads, the counted lists, the declarative base and the migrations' entry
points. It imports no other package of the application but its settings."""
