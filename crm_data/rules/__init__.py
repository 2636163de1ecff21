"""Classification rules as data: stored versions (store), compiled to SQL (sql), applied to
every customer (apply), and explained in words (explain)."""
