"""Showing the text of a knowledge item: plain text with a few conventions, escaped, with cited articles linked.

Authors write plain text: a blank line starts a paragraph, a line starting "## " is a heading, lines starting "- " a
list, lines starting "1. " (or "1、") a numbered list. Where the text names an article the version cites
("电子商务法第四十三条", "《中华人民共和国商标法》第三十二条"), the mention links to that exact article text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from weiyuan.knowledge.selectors import CitedArticle

BULLET_RE = re.compile(r"^[-•·]\s+")
NUMBERED_RE = re.compile(r"^(\d{1,2})[.、．]\s*")
ARTICLE_NUMBER = r"第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?"


def _mention_pattern(cited: Iterable[CitedArticle]) -> tuple[re.Pattern[str] | None, dict[tuple[str, str], str]]:
    """One pattern for every mention of a cited article ("电子商务法第四十三条") or of a document cited whole (a
    reply without numbered articles), and the URL of each (law key, article as written; "" for a whole document)."""
    urls: dict[tuple[str, str], str] = {}
    for item in cited:
        number = item.article.number_text if item.article.number else ""
        urls[(item.article.version.law.key, number)] = item.url
    if not urls:
        return None, urls

    def names(keys: set[str]) -> str:
        return "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))

    parts = []
    with_articles = {key for key, number in urls if number}
    whole = {key for key, number in urls if not number}
    if with_articles:
        parts.append(rf"《?(?:中华人民共和国)?(?P<law>{names(with_articles)})》?\s*(?P<article>{ARTICLE_NUMBER})")
    if whole:
        parts.append(rf"《?(?P<whole>{names(whole)})》?")
    return re.compile("|".join(parts)), urls


def _inline(text: str, pattern: re.Pattern[str] | None, urls: dict[tuple[str, str], str]) -> str:
    """Escape one line and link mentions of cited articles."""
    if pattern is None:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        groups = match.groupdict()
        key = (groups["whole"], "") if groups.get("whole") else (groups.get("law") or "", groups.get("article") or "")
        url = urls.get(key)
        if url is None:
            continue
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(url)}">{escape(match.group(0))}</a>')
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def render_text(text: str, cited: Iterable[CitedArticle] = ()) -> SafeString:
    pattern, urls = _mention_pattern(cited)
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip())
    html: list[str] = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and lines[0].startswith("## "):
            html.append(f"<h3>{_inline(lines[0][3:].strip(), pattern, urls)}</h3>")
        elif all(BULLET_RE.match(line) for line in lines):
            items = "".join(f"<li>{_inline(BULLET_RE.sub('', line), pattern, urls)}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        elif all(NUMBERED_RE.match(line) for line in lines):
            items = "".join(f"<li>{_inline(NUMBERED_RE.sub('', line), pattern, urls)}</li>" for line in lines)
            html.append(f"<ol>{items}</ol>")
        else:
            html.append("<p>" + "<br>".join(_inline(line, pattern, urls) for line in lines) + "</p>")
    # Every piece of text above went through escape().
    return mark_safe("".join(html))


# Markdown marks an author may type (the page shows headings and lists; the others are kept as typed there), taken
# out of the text given to the search index, so snippets and index words hold the words only.
FENCE_RE = re.compile(r"^(```|~~~)")
RULE_RE = re.compile(r"^(?:[-*_]\s*){3,}$|^=+$")
HEADING_RE = re.compile(r"^#{1,6}(?:\s+|$)(.*?)(?:\s+#+)?$")
QUOTE_RE = re.compile(r"^(?:>\s?)+")
LIST_MARK_RE = re.compile(r"^(?:[-*+•·]\s+(?:\[[ xX]\]\s+)?|\d{1,3}(?:[.)．]\s+|、\s*))")
TABLE_RULE_RE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*\|?$")
LINK_DEFINITION_RE = re.compile(r"^\[[^\]]+\]:\s+\S+")
INLINE_MARKS = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image: its alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # link: its text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference link: its text
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolink: the address
    (re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>"), ""),  # inline HTML tags
    (re.compile(r"`([^`]+)`"), r"\1"),  # code
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
    (re.compile(r"(?<![*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?!\*)"), r"\1"),  # emphasis with *
    # Emphasis with _ only at word edges: "file_name" and 甲_乙 keep their underscores.
    (re.compile(r"(?<![\w\\])_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"), r"\1"),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),  # backslash escapes
)


def plain_text(text: str) -> str:
    """The words of a text written in Markdown, without its marks: headings, list and quote marks, emphasis, links
    (their text stays, the address goes), code marks, rules and table borders. Line and paragraph breaks stay, so
    the search index and its snippets read as the text does."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if FENCE_RE.match(stripped) or RULE_RE.match(stripped) or TABLE_RULE_RE.match(stripped):
            continue
        if LINK_DEFINITION_RE.match(stripped):
            continue
        stripped = QUOTE_RE.sub("", stripped)
        heading = HEADING_RE.match(stripped)
        if heading:
            stripped = heading.group(1)
        stripped = LIST_MARK_RE.sub("", stripped)
        if stripped.startswith("|") and stripped.endswith("|") and len(stripped) > 1:
            stripped = "  ".join(cell.strip() for cell in stripped[1:-1].split("|"))
        for pattern, replacement in INLINE_MARKS:
            stripped = pattern.sub(replacement, stripped)
        lines.append(stripped.strip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
