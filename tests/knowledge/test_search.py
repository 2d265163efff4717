"""search_articles: full-text in Spanish on PostgreSQL (stems, accents, typos in titles,
stop words), a word match on SQLite, and never a draft, an archived or (for requesters)
an internal article."""

import pytest
from django.db import connection, models

from knowledge.models import Article
from knowledge.search import plain_text, search_articles
from tests.factories import ArticleFactory, ModuleFactory

pytestmark = pytest.mark.django_db

V, S = Article.Visibility, Article.State

postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search is PostgreSQL's; set DATABASE_URL=postgres://…"
)


def published(title, body="Siga los pasos.", *, visibility=V.PUBLIC, **fields):
    return ArticleFactory(title=title, body=body, state=S.PUBLISHED, visibility=visibility, **fields)


def titles(text, *, public_only=True, **kwargs):
    return [a.title for a in search_articles(text, public_only=public_only, **kwargs)]


@pytest.fixture
def articles(db):
    return {
        "password": published("Cómo cambiar la contraseña", "Abra su perfil y elija «Cambiar contraseña»."),
        "printer": published("Configurar la impresora de red", "Agregue la impresora desde el panel."),
        "invoice": published("Timbrar una factura", "Pulse Timbrar.", keywords="cfdi sat"),
    }


def test_accents_do_not_matter(articles):
    assert titles("contrasena") == ["Cómo cambiar la contraseña"]
    assert titles("CONTRASEÑA") == ["Cómo cambiar la contraseña"]


def test_a_plural_finds_the_singular(articles):
    assert titles("impresoras") == ["Configurar la impresora de red"]


def test_keywords_are_searched(articles):
    assert titles("cfdi") == ["Timbrar una factura"]


def test_an_empty_text_finds_nothing(articles):
    assert titles("") == []
    assert titles("   ") == []


def test_drafts_archived_and_internal_articles_are_never_public(articles):
    ArticleFactory(title="Borrador de la contraseña", state=S.DRAFT, visibility=V.PUBLIC)
    ArticleFactory(title="Archivado: contraseña", state=S.ARCHIVED, visibility=V.PUBLIC)
    published("Restablecer la contraseña en el directorio", visibility=V.INTERNAL)
    assert titles("contraseña") == ["Cómo cambiar la contraseña"]
    assert sorted(titles("contraseña", public_only=False)) == [
        "Cómo cambiar la contraseña",
        "Restablecer la contraseña en el directorio",
    ]


def test_a_module_narrows_the_search(articles):
    billing = ModuleFactory(name="Facturación")
    published("Contraseña del portal de facturación", modules=[billing])
    assert titles("contraseña", module=billing) == ["Contraseña del portal de facturación"]
    assert len(titles("contraseña")) == 2


def test_the_limit_is_kept(articles):
    for n in range(5):
        published(f"Contraseña {n}")
    assert len(titles("contraseña", limit=3)) == 3


def test_the_snippet_is_escaped(db):
    published("Contraseña", "Escriba <script>alert(1)</script> su contraseña nueva.")
    (article,) = search_articles("contraseña", public_only=True)
    assert "<script>" not in article.snippet
    assert "alert(1)" in article.snippet


@postgres
def test_the_title_ranks_above_the_body(db):
    published("Otra cosa", "Hablamos de la impresora al final.")
    published("La impresora no imprime")
    assert titles("impresora") == ["La impresora no imprime", "Otra cosa"]


@postgres
def test_a_typo_in_a_title_word_still_finds_it(articles):
    assert titles("impresroa") == ["Configurar la impresora de red"]
    assert titles("contrsaeña") == ["Cómo cambiar la contraseña"]


@postgres
def test_a_typo_never_finds_an_internal_article(articles):
    published("Impresora del almacén", visibility=V.INTERNAL)
    assert titles("impresroa") == ["Configurar la impresora de red"]


@postgres
def test_stop_words_alone_find_nothing(articles):
    assert titles("de la para el") == []
    assert titles("cómo") == []


@postgres
def test_the_snippet_marks_the_words_found(articles):
    (article,) = search_articles("impresoras", public_only=True)
    assert "<mark>impresora</mark>" in article.snippet
    assert article.rank > 0


def test_stop_words_alone_find_nothing_without_postgresql_either(articles):
    assert titles("para como") == []


@pytest.fixture
def desk(db):
    """A few articles like a desk's, to search as a requester would type."""
    for title, body, keywords in [
        ("No puedo imprimir: la cola de impresión está detenida", "Reinicie la cola de impresión.", "impresora"),
        ("Restablecer su contraseña del correo", "Entre al portal y pida un enlace.", "clave"),
        ("Conectarse a la VPN desde casa", "Instale el cliente y entre con su usuario.", "remoto"),
        ("Consultar su recibo de nómina", "Los recibos se publican cada quincena.", "pago"),
        ("Cancelar una factura timbrada", "La cancelación pide el motivo.", "cfdi"),
    ]:
        published(title, body, keywords=keywords)


PRINTER = "No puedo imprimir: la cola de impresión está detenida"
PASSWORD = "Restablecer su contraseña del correo"
VPN = "Conectarse a la VPN desde casa"
PAYROLL = "Consultar su recibo de nómina"
INVOICE = "Cancelar una factura timbrada"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no puedo imprimir", [PRINTER]),  # stop words ("no") dropped, the rest required
        ("contrasena", [PASSWORD]),  # without its accent
        ("NÓMINA", [PAYROLL]),  # upper case, with its accent
        ("recibos de nomina", [PAYROLL]),  # a plural and no accent
        ("facturas", [INVOICE]),  # a plural of a title word
        ("cfdi", [INVOICE]),  # a keyword
        ("vpn casa", [VPN]),  # two words, both required
    ],
)
def test_what_a_requester_types_finds_the_article(desk, text, expected):
    assert titles(text) == expected


@postgres
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("impresroa", [PRINTER]),  # letters swapped
        ("contraseia", [PASSWORD]),  # a letter wrong
        ("nomian", [PAYROLL]),  # the last two letters swapped
        ("facturra", [INVOICE]),  # a letter doubled
        ("zzqwx", []),  # nothing alike
    ],
)
def test_a_typo_finds_the_title_through_trigrams(desk, text, expected):
    assert titles(text) == expected


@postgres
def test_a_typo_is_found_through_the_titles_trigram_index(desk):
    """The fallback's filter is the operator the index answers: with sequential scans
    made dear (five rows would otherwise be read in order), PostgreSQL reads the index."""
    from django.db import transaction

    from knowledge.documents import WordSimilar, folded_title

    articles = Article.objects.filter(WordSimilar(models.Value("impresroa"), folded_title()))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = articles.explain()
    assert "article_title_trgm_idx" in plan


SETTINGS = ("pg_trgm.word_similarity_threshold", "enable_seqscan")


def settings_shown():
    with connection.cursor() as cursor:
        shown = []
        for name in SETTINGS:
            cursor.execute(f"SHOW {name}")
            shown.append(cursor.fetchone()[0])
        return shown


@postgres
@pytest.mark.django_db(transaction=True)
def test_the_search_settings_do_not_outlive_the_search(desk):
    """Set for the search's own transaction only: other queries keep theirs."""
    before = settings_shown()
    assert titles("impresroa") == [PRINTER]
    assert titles("nómina") == [PAYROLL]
    assert settings_shown() == before == ["0.6", "on"]


@postgres
def test_inside_a_transaction_the_search_puts_its_settings_back(desk):
    """The test's own transaction stands for a caller's: its later queries keep their plans."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.word_similarity_threshold', '0.5', true)")
    for text in ("impresroa", "nómina", "cómo"):
        search_articles(text, public_only=True)
        assert settings_shown() == ["0.5", "on"]


@pytest.mark.parametrize("text", ["contraseña", "impresroa", "de la"])
def test_the_queries_do_not_grow_with_the_articles(db, django_assert_max_num_queries, text):
    for n in range(30):
        published(f"Contraseña e impresora {n}", f"Texto {n}.")
    # On PostgreSQL, inside the test's transaction: a savepoint, the settings read, set
    # with the stop words' check, full-text search, the typo fallback, the settings put
    # back, the savepoint's release; one query on SQLite.
    with django_assert_max_num_queries(7):
        search_articles(text, public_only=True)


@pytest.mark.parametrize(
    "markdown, text",
    [
        ("## Pasos\n1. Abra **Inicio** > *Impresoras*\n2. Pulse `Reiniciar`", "Pasos Abra Inicio > Impresoras Pulse Reiniciar"),
        ("Vea [la guía](https://mesa.example.mx/ayuda/) y ![la captura](captura.png)", "Vea la guía y la captura"),
        ("| Campo | Valor |\n|---|:---:|\n| RFC | XAXX010101000 |", "Campo Valor RFC XAXX010101000"),
        ("El archivo nomina_2026.xls se llama _así_", "El archivo nomina_2026.xls se llama así"),
        ("- Versión 10.2 del cliente\n- ~~Antes~~ ahora", "Versión 10.2 del cliente Antes ahora"),
    ],
)
def test_a_snippet_reads_as_text_without_the_markdown_signs(markdown, text):
    assert plain_text(markdown) == text


def test_the_snippet_shown_has_no_markdown_signs(db):
    ArticleFactory(
        title="Impresora atascada",
        body="Si la **impresora** no responde, abra `Dispositivos` y vea [la guía](https://x.example/guia).",
        state=Article.State.PUBLISHED,
        visibility=Article.Visibility.PUBLIC,
    )
    (found,) = search_articles("impresora", public_only=True)
    assert "**" not in found.snippet and "`" not in found.snippet and "](" not in found.snippet
    assert "la guía" in found.snippet
