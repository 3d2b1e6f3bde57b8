"""Optional plugins (sql: SQL text to query objects, needs sqlglot)."""
