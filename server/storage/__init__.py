"""asyncpg adapters: documents, migrations, and the embedded Postgres."""
