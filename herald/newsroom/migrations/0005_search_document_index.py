"""A GIN index on the whole search document of Wagtail's PostgreSQL search index.

Wagtail's PostgreSQL backend matches ``(title || body) @@ query`` and ranks
``title`` and ``body``; its own GIN indexes cover each column alone, which that
expression cannot use, so every search read and concatenated the text vector of
every article (1.8 s at 100,000 stories). An index on the expression lets
PostgreSQL find rare words through the index, and ANALYZE then keeps statistics
on the expression, so the planner knows how common each word is and walks the
newest stories instead when a word is everywhere.

Built concurrently (no lock on index writes while publishing); PostgreSQL only,
other databases use their own full-text search.
"""

from django.db import migrations

INDEX = "herald_search_document_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} "
        f"ON {table} USING gin ((title || body))"
    )
    schema_editor.execute(f"ANALYZE {table}")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction.

    dependencies = [
        ("newsroom", "0004_editorial_workflow"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
