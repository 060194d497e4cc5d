"""A trigram index for the member directory's search, on PostgreSQL only.

SQLite has no trigram index; the directory falls back to a plain filter there. Fast update
is off: profiles change rarely, and a pending list makes the planner shy away from the index.
"""

from django.db import migrations

CREATE = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS profile_search_trgm ON members_profile "
    "USING gin (search_text gin_trgm_ops) WITH (fastupdate = off)",
)
DROP = ("DROP INDEX IF EXISTS profile_search_trgm",)


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("members", "0002_applications")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
