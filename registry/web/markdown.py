"""READMEs: Markdown rendered by markdown-it-py, then sanitised by nh3.

No raw HTML is rendered (markdown-it's "html" option is off, so it comes out as text), and the
result is sanitised anyway: only formatting tags survive, never a script, a style, an event
handler or a javascript: link, and every link gets rel="nofollow noopener noreferrer".
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    "table"
)
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"align"}, "th": {"align"}, "ol": {"start"}}
SCHEMES = {"http", "https", "mailto"}
MAX_CHARS = 512 * 1024  # a README longer than this is shown as far as this


def render(text: str) -> Markup:
    """Safe HTML for a README written in Markdown."""
    html = _MD.render(text[:MAX_CHARS])
    clean = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 (sanitised by nh3 just above)
