from django.db import migrations

# PostgreSQL only (SQLite has neither pg_trgm nor unaccent): the typo fallback of
# knowledge.search compares the text with each title's words by trigrams. An index may
# only use IMMUTABLE functions and unaccent() is STABLE (its dictionary could change), so
# knowledge_unaccent() wraps it with the dictionary named: the same words always give the
# same text. The GIN trigram index on the folded title serves the `<%` operator
# (word_similarity above pg_trgm.word_similarity_threshold) instead of a scan of every title.
FORWARD = [
    "CREATE OR REPLACE FUNCTION public.knowledge_unaccent(text) RETURNS text "
    "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
    "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$",
    "CREATE INDEX IF NOT EXISTS article_title_trgm_idx ON knowledge_article "
    "USING gin (public.knowledge_unaccent(lower(title)) gin_trgm_ops)",
]
REVERSE = [
    "DROP INDEX IF EXISTS article_title_trgm_idx",
    "DROP FUNCTION IF EXISTS public.knowledge_unaccent(text)",
]


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that does nothing on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):

    dependencies = [
        ('knowledge', '0002_feedback'),
    ]

    operations = [
        PostgreSQLOnly(FORWARD, REVERSE, elidable=False),
    ]
