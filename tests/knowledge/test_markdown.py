"""An article's Markdown becomes HTML that is safe to show a requester."""

import pytest

from knowledge.markdown import render_markdown, sanitize_html


def test_markdown_becomes_html():
    html = render_markdown("# Facturación\n\nPulse **Timbrar**.\n\n- uno\n- dos\n\n`código`")
    assert "<h1>Facturación</h1>" in html
    assert "<strong>Timbrar</strong>" in html
    assert "<li>uno</li>" in html
    assert "<code>código</code>" in html


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "Antes <script>alert(1)</script> después",
        "```\n</code><script>alert(1)</script>\n```",
    ],
)
def test_a_script_tag_never_becomes_a_script(markdown):
    assert "<script" not in render_markdown(markdown)


@pytest.mark.parametrize(
    "markdown",
    [
        "[Entrar](javascript:alert(1))",
        "[Entrar](JaVaScRiPt:alert(1))",
        "[Entrar](&#106;avascript:alert(1))",
        "[Entrar](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[Entrar](vbscript:msgbox(1))",
        "<javascript:alert(1)>",
    ],
)
def test_links_other_than_web_and_mail_are_dropped(markdown):
    html = render_markdown(markdown).lower()
    assert "href" not in html


def test_web_and_mail_links_stay_and_never_pass_the_opener():
    html = render_markdown("[Portal](https://portal.example.com/ayuda) y [soporte](mailto:soporte@example.com)")
    assert 'href="https://portal.example.com/ayuda"' in html
    assert 'href="mailto:soporte@example.com"' in html
    assert html.count('rel="noopener noreferrer"') == 2


@pytest.mark.parametrize(
    "markdown",
    [
        '<img src="x" onerror="alert(1)">',
        '<a href="https://example.com" onclick="alert(1)">x</a>',
        '<div onmouseover="alert(1)">x</div>',
        '<iframe src="https://example.com"></iframe>',
        "<style>body { display: none }</style>",
        '<svg onload="alert(1)"></svg>',
    ],
)
def test_raw_html_is_shown_as_text_never_as_markup(markdown):
    html = render_markdown(markdown)
    for tag in ("<img", "<a ", "<div", "<iframe", "<style", "<svg"):
        assert tag not in html
    assert "&lt;" in html  # the text is kept, escaped


@pytest.mark.parametrize(
    "markdown",
    [
        "![captura](javascript:alert(1))",
        "![captura](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    ],
)
def test_an_image_not_from_the_web_is_not_shown(markdown):
    assert "<img" not in render_markdown(markdown)


def test_an_image_title_cannot_add_a_handler():
    html = render_markdown('![captura](https://example.com/a.png "x\\" onerror=\\"alert(1)")')
    assert '<img src="https://example.com/a.png" alt="captura" title="x&quot; onerror=&quot;alert(1)">' in html


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        ('<img src="javascript:alert(1)" alt="x">', '<img alt="x">'),
        ('<img src="https://example.com/a.png" onerror="alert(1)">', '<img src="https://example.com/a.png">'),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<a href="https://example.com" onclick="alert(1)" target="_blank">x</a>', '<a href="https://example.com" rel="noopener noreferrer">x</a>'),
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ('<p style="color:red">a</p><iframe src="https://example.com"></iframe>', "<p>a</p>"),
    ],
)
def test_the_sanitiser_drops_what_the_renderer_might_let_through(html, kept):
    assert sanitize_html(html) == kept


def test_an_image_from_the_web_stays():
    html = render_markdown("![captura](https://example.com/a.png)")
    assert '<img src="https://example.com/a.png" alt="captura">' in html


def test_a_table_keeps_its_alignment_and_nothing_else_of_style():
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<th style="text-align:left">a</th>' in html
    assert '<td style="text-align:right">2</td>' in html
