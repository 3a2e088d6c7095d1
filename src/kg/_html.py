"""The main content of an HTML release, via selectolax/lexbor (private; for :mod:`kg.sources`).

The content root is the largest ``<article>``, else ``<main>``, else ``[role=main]``, else the
element holding the most paragraph text. Navigation, asides, scripts, styles, forms, hidden
elements and cookie/consent banners are dropped; so are the page's own header and footer
when the root had to be guessed. Block elements become paragraphs, ``<li>`` items become
``- `` lines, ``<br>`` a line break, table rows one line each. When the root has no ``<h1>``
but the page has one, it is put first as the headline.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import InputError

if TYPE_CHECKING:
    from selectolax.lexbor import LexborNode

__all__ = ["html_text"]

_DROP = (
    "script, style, noscript, template, nav, aside, form, iframe, svg, button, select, "
    "[hidden], [aria-hidden=true], [role=navigation], [role=search], [role=complementary], "
    "[role=dialog], [role=alertdialog]"
)
_PAGE_CHROME = "header, footer, [role=banner], [role=contentinfo]"
#: class or id words of page furniture, matched at the start of a class/id word
_BOILERPLATE = re.compile(
    r"(?:^|[\s_-])(?:cookie|consent|gdpr|breadcrumb|share|social|newsletter|skip)", re.I
)
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "footer",
        "hr",
        "main",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tr",
        "ul",
        "caption",
    ]
)


def _text_len(node: LexborNode) -> int:
    return len(" ".join((node.text(separator=" ") or "").split()))


def _root(tree: LexborNode) -> tuple[LexborNode, bool]:
    """The content root and whether it was found by a semantic element."""
    for selector in ("article", "main", "[role=main]"):
        found = tree.css(selector)
        if found:
            return max(found, key=_text_len), True
    best, best_len = tree, 0
    for node in tree.css("div, section, td"):
        own = sum(_text_len(p) for p in node.iter() if p.tag == "p")
        if own > best_len:
            best, best_len = node, own
    return best, False


def _walk(node: LexborNode, out: list[str], in_item: bool) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag or "-"
        if tag == "-text":
            out.append(re.sub(r"\s+", " ", child.text(deep=False) or ""))
        elif tag == "br":
            out.append("\n")
        elif tag == "li":
            out.append("\n- ")
            _walk(child, out, True)
        elif tag in ("td", "th"):
            out.append(" ")
            _walk(child, out, in_item)
            out.append(" ")
        elif tag in _BLOCKS and not in_item:
            out.append("\n\n")
            _walk(child, out, in_item)
            out.append("\n\n" if tag != "tr" else "\n")
        elif not tag.startswith("-"):  # inline, or a block inside a list item; skip comments
            _walk(child, out, in_item)


def html_text(html: str, path: Path) -> str:
    """Extract a release's main text from an HTML page.

    :param html: the decoded page
    :param path: the file, for error messages
    :returns: text with paragraphs separated by blank lines
    :raises InputError: no main content is found
    """
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    top = tree.body or tree.root
    if top is None:
        raise InputError(path, "HTML has no body")
    for node in top.css(_DROP):
        node.decompose()
    for node in top.css("[class], [id]"):
        names = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _BOILERPLATE.search(names) and node.tag not in ("body", "main", "article"):
            node.decompose()
    root, semantic = _root(top)
    if not semantic:
        for node in root.css(_PAGE_CHROME):
            node.decompose()
    out: list[str] = []
    headline = top.css_first("h1")
    if root.css_first("h1") is None and headline is not None:
        out.append(headline.text(separator=" ") + "\n\n")
    _walk(root, out, False)
    text = re.sub(r"[ \t\r\f\v\u00a0]+", " ", "".join(out))
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n(?:- \n)+", "\n", text)  # empty list items
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if sum(c.isalpha() for c in text) < 20:
        raise InputError(path, "no main content found in the HTML (only navigation or scripts?)")
    return text
