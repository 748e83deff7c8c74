"""Organisers' texts (introduction, thank-you) written in Markdown: rendered by
markdown-it-py with raw HTML off, then sanitised by nh3 (an allow-list of tags and
attributes, http(s) and mailto links only, each link rel="noopener noreferrer nofollow")."""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt

TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "h2", "h3",
        "h4"}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
SCHEMES = {"http", "https", "mailto"}
_PARSER = MarkdownIt("commonmark", {"html": False})


@functools.lru_cache(maxsize=512)
def render(text: str) -> str:
    """Safe HTML for a Markdown text ("" for none). A `# heading` becomes text: the page
    has its own h1."""
    if not text.strip():
        return ""
    html = _PARSER.render(text)
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel="noopener noreferrer nofollow")  # fmt: skip
