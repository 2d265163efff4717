"""An article's Markdown as HTML that is safe to show anyone: CommonMark (markdown-it-py)
with raw HTML off, so that a `<script>` typed in an article stays text, and then nh3 with
an allow-list, so that whatever the renderer lets through (a `javascript:` link, an image
from anywhere but the web) is dropped too."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    [
        "a", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img",
        "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "s",
    ]
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"style"},
    "td": {"style"},
}
ALLOWED_URL_SCHEMES = frozenset(["http", "https", "mailto"])

# html=False: raw HTML in the Markdown is escaped, not passed through; "commonmark" plus
# tables and strikethrough, which help desks' articles use.
_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])


def _only_alignment(element: str, attribute: str, value: str) -> str | None:
    """Tables carry their columns' alignment as `style="text-align:…"`; nothing else."""
    if attribute == "style":
        return value if value in ("text-align:left", "text-align:center", "text-align:right") else None
    return value


def render_markdown(text: str) -> str:
    """The HTML of `text` (Markdown), sanitised: only ALLOWED_TAGS, no event handlers nor
    style beyond a table's alignment, links and images only to http, https (and mailto
    for links), every link with rel="noopener noreferrer"."""
    return sanitize_html(_renderer.render(text or ""))


def sanitize_html(html: str) -> str:
    """HTML reduced to the allow-list above: what render_markdown does after rendering,
    in case the renderer ever lets something through (it refuses javascript: and most
    data: links itself)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        attribute_filter=_only_alignment,
        strip_comments=True,
    )
