"""Where the data lives: the engine and units of work (db), the ORM tables (models), the schema
and its migrations (schema), and the data version that keys every cached result (meta)."""
