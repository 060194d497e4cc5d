"""What a member offers and needs, as full-text vectors with GIN indexes, on PostgreSQL only.

"People worth meeting" (ties) matches my needs against others' offers and my offers against
their needs. Each text is stemmed twice, in Italian and in English, since members write in
either. The two configurations are the stock ones with the other language's stop words dropped
first: otherwise the Italian stemmer keeps "the" and "for", the English one "di" and "per", and
every profile written in the other language would match everyone.

The vectors are generated columns: PostgreSQL keeps them in step with ``offers`` and ``needs`` on
every write (the profile form, the admin, the demo loader, bulk inserts), so no code path can
forget them. Django does not know the columns; ties reads them in raw SQL. SQLite has neither
stemming nor these indexes: there the suggestions fall back to a plain word match.
"""

from django.db import migrations

LANGUAGES = (("italian", "english"), ("english", "italian"))
WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"
VECTOR = (
    "to_tsvector('clubin_italian'::regconfig, {column}) "
    "|| to_tsvector('clubin_english'::regconfig, {column})"
)


def _configurations():
    for language, other in LANGUAGES:
        yield (
            f"CREATE TEXT SEARCH DICTIONARY clubin_{other}_stopwords "
            f"(TEMPLATE = pg_catalog.simple, STOPWORDS = {other}, ACCEPT = false)"
        )
        yield f"CREATE TEXT SEARCH CONFIGURATION clubin_{language} (COPY = pg_catalog.{language})"
        yield (
            f"ALTER TEXT SEARCH CONFIGURATION clubin_{language} ALTER MAPPING FOR {WORD_TOKENS} "
            f"WITH clubin_{other}_stopwords, {language}_stem"
        )


def _vectors():
    for column in ("offers", "needs"):
        yield (
            f"ALTER TABLE members_profile ADD COLUMN {column}_tsv tsvector "
            f"GENERATED ALWAYS AS ({VECTOR.format(column=column)}) STORED"
        )
        # Fast update off, as for the directory's trigram index: a pending list makes the
        # planner price the index high.
        yield (
            f"CREATE INDEX profile_{column}_tsv ON members_profile "
            f"USING gin ({column}_tsv) WITH (fastupdate = off)"
        )


CREATE = (*_configurations(), *_vectors())
DROP = (
    "ALTER TABLE members_profile DROP COLUMN IF EXISTS offers_tsv",  # drops its index too
    "ALTER TABLE members_profile DROP COLUMN IF EXISTS needs_tsv",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS clubin_italian",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS clubin_english",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS clubin_english_stopwords",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS clubin_italian_stopwords",
)


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("members", "0008_linkedin_url_rule")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP))]
