"""Running plans: a SELECT plan's fetch waves, materialized tables and SQLite query; a mutation plan's
read, confirmation and calls; SHOW and DESCRIBE from the catalog.

Each runner takes what it needs as arguments (the catalog, an engine, a fetch function, a send function,
a confirmation callback) rather than a Session, so it can be read, and tested, on its own. Nothing here
prints: runners return Results or raise errors, and the faces (CLI, shell) show them.
"""
