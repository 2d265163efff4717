"""The words PostgreSQL keeps for an article, below the models that store them."""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db.models import Func

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
