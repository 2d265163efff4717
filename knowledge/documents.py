"""The words PostgreSQL keeps for an article, below the models that store them."""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db.models import BooleanField, Func, TextField
from django.db.models.functions import Lower

# Spanish stemming and stop words over words without accents (migration 0001 creates it).
SEARCH_CONFIG = "spanish_unaccent"


class ArticleSearchDocument(Func):
    """An article's words for full-text search, computed by PostgreSQL into the stored
    column `Article.search_vector`; null on other databases."""

    arity = 0
    output_field = SearchVectorField()

    def as_sql(self, compiler, connection, **extra_context):
        return "NULL", []

    def as_postgresql(self, compiler, connection, **extra_context):
        vector = (
            SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("keywords", weight="B", config=SEARCH_CONFIG)
            + SearchVector("body", weight="C", config=SEARCH_CONFIG)
        )
        return compiler.compile(vector.resolve_expression(compiler.query, allow_joins=False))


# The IMMUTABLE unaccent() of migration 0003, which its trigram index on titles is built with.
FOLD_FUNCTION = "public.knowledge_unaccent"


def folded_title() -> Func:
    """`knowledge_unaccent(lower(title))`: the expression of the titles' trigram index
    (migration 0003), written exactly so for PostgreSQL to use it. PostgreSQL only."""
    return Func(Lower("title"), function=FOLD_FUNCTION, output_field=TextField())


class WordSimilar(Func):
    """`text <% folded title`: some extent of the title's words is at least
    `pg_trgm.word_similarity_threshold` alike the text, by trigrams; the operator the
    trigram index answers."""

    arity = 2
    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()
