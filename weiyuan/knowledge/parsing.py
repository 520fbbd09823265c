"""Parsing the Markdown law texts: `# title`, date lines, `<!-- INFO END -->`, `##` chapters, `###` sections,
paragraphs starting `第N条`. Errors name the file and the line."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

NUMERALS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
ARTICLE_RE = re.compile(r"^第([零〇一二两三四五六七八九十百千]+)条(之[一二三四五六七八九十]+)?[\s\u3000]+(.*)$")
FILE_DATE_RE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)$")


class LawFormatError(ValueError):
    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path.name}, line {line}: {message}")
        self.path = path
        self.line = line


def chinese_number(text: str) -> int:
    """第四十三 -> 43, 一百零二 -> 102, 十 -> 10."""
    total, current = 0, 0
    for ch in text:
        if ch in NUMERALS:
            current = NUMERALS[ch]
        elif ch in UNITS:
            total += (current or 1) * UNITS[ch]
            current = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text}")
    return total + current


@dataclass
class ParsedArticle:
    number: int
    number_text: str
    chapter: str
    section: str
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class ParsedLaw:
    path: Path
    title: str
    dates: str
    version_label: str
    articles: list[ParsedArticle]
    content_hash: str

    @property
    def key(self) -> str:
        return self.title.removeprefix("中华人民共和国").strip()


def parse_law(path: Path) -> ParsedLaw:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LawFormatError(path, raw[: exc.start].count(b"\n") + 1, "not UTF-8 text") from None
    lines = text.splitlines()
    if not lines or not lines[0].startswith("# ") or not lines[0][2:].strip():
        raise LawFormatError(path, 1, "the first line must be the title: '# 标题'")
    title = lines[0][2:].strip()
    try:
        info_end = next(i for i, line in enumerate(lines) if line.strip() == "<!-- INFO END -->")
    except StopIteration:
        raise LawFormatError(path, len(lines), "no '<!-- INFO END -->' line after the dates") from None
    dates = "\n".join(line.strip() for line in lines[1:info_end] if line.strip())
    chapter = section = ""
    articles: list[ParsedArticle] = []
    loose: list[str] = []
    last_number = 0
    for index in range(info_end + 1, len(lines)):
        line = lines[index].strip()
        if not line:
            continue
        if line.startswith("### "):
            section = line[4:].strip()
            continue
        if line.startswith("## "):
            chapter, section = line[3:].strip(), ""
            continue
        if line.startswith("#"):
            raise LawFormatError(path, index + 1, "only '##' chapters and '###' sections may follow the title")
        match = ARTICLE_RE.match(line)
        if match:
            number = chinese_number(match.group(1))
            suffix = match.group(2) or ""
            if number < last_number or (number == last_number and not suffix):
                raise LawFormatError(
                    path,
                    index + 1,
                    f"article 第{match.group(1)}条{suffix} is out of order (after article {last_number})",
                )
            last_number = number
            articles.append(ParsedArticle(number, f"第{match.group(1)}条{suffix}", chapter, section, [match.group(3)]))
        elif articles:
            articles[-1].paragraphs.append(line)
        else:
            loose.append(line)
    if not articles:
        if not loose:
            raise LawFormatError(path, len(lines), "no text after '<!-- INFO END -->'")
        # A reply or decision without numbered articles is kept whole, as one item.
        articles = [ParsedArticle(0, "全文", "", "", loose)]
    date_match = FILE_DATE_RE.search(path.stem)
    return ParsedLaw(
        path=path,
        title=title,
        dates=dates,
        version_label=date_match.group(1) if date_match else "",
        articles=articles,
        content_hash=hashlib.sha256(raw).hexdigest(),
    )
