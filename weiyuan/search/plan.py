"""From what a person typed to what the index is asked.

"電商平台把我的商品下架了，我怎麼辦？電子商務法第43條" becomes: the law 电子商务法 and article 43 (boosts, not
filters), and word groups 电商 / 平台 / 商品 / 下架, each with its alternatives (下架 -> 删除, 屏蔽, 断开链接 from the
synonyms table). Stop words and lone characters are dropped; if nothing is left, the query has no words and the
caller answers with a hint rather than an error.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from weiyuan.search import text

# Everyday short names of laws -> the key in the index (only used when that law is in the index).
LAW_ALIASES = {
    "电商法": "电子商务法",
    "版权法": "著作权法",
    "反不正当竞争": "反不正当竞争法",
    "专利细则": "专利法实施细则",
    "商标条例": "商标法实施条例",
    "著作权条例": "著作权法实施条例",
}
ARTICLE_RE = re.compile(r"第?\s*([零〇一二两三四五六七八九十百千]+|\d{1,4})\s*条")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
LAW_NAMES_TTL_SECONDS = 60


def article_number(numeral: str) -> int:
    """ "四十三" -> 43, "一百零二" -> 102, "43" -> 43."""
    if numeral.isdigit():
        return int(numeral)
    total, current = 0, 0
    for char in numeral:
        if char in _DIGITS:
            current = _DIGITS[char]
        else:
            total += (current or 1) * _UNITS[char]
            current = 0
    return total + current


@dataclass(frozen=True)
class Group:
    """One word of the query: any alternative matches; an alternative is tokens that must all be present."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]


@dataclass
class Plan:
    normalised: str
    groups: list[Group] = field(default_factory=list)
    law_key: str = ""
    article_number: int | None = None

    @property
    def highlight_terms(self) -> list[str]:
        terms = [token for g in self.groups for alt in g.alternatives for token in alt]
        return sorted(text.unique(terms), key=len, reverse=True)

    @property
    def is_citation_only(self) -> bool:
        return not self.groups and bool(self.law_key) and self.article_number is not None


_law_names: tuple[float, dict[str, str]] = (0.0, {})


def law_names() -> dict[str, str]:
    """Name (normalised) -> law key, for the laws in the index; longest names first. Cached for a minute."""
    global _law_names
    loaded_at, names = _law_names
    if time.monotonic() - loaded_at < LAW_NAMES_TTL_SECONDS and names:
        return names
    from weiyuan.search.models import SearchEntry

    keys = set(SearchEntry.objects.exclude(law_key="").values_list("law_key", flat=True).distinct())
    table = {text.normalise(key): key for key in keys}
    table.update({alias: key for alias, key in LAW_ALIASES.items() if key in keys})
    names = dict(sorted(table.items(), key=lambda item: len(item[0]), reverse=True))
    _law_names = (time.monotonic(), names)
    return names


def law_names_forget() -> None:
    global _law_names
    _law_names = (0.0, {})


def plan(raw: str) -> Plan:
    normalised = text.normalise(raw)
    result = Plan(normalised=normalised)
    rest = normalised
    for name, key in law_names().items():
        if name in rest:
            result.law_key = key
            rest = rest.replace(name, " ")
            break
    match = ARTICLE_RE.search(rest)
    if match and (match.group(0).startswith("第") or result.law_key):
        result.article_number = article_number(match.group(1))
        rest = rest[: match.start()] + " " + rest[match.end() :]

    expansions = text.synonyms()
    groups: dict[str, list[tuple[str, ...]]] = {}
    # Everyday phrases first (they may span several words: 商标被抢注); a phrase found is taken out of the text so
    # its words do not become groups of their own.
    for phrase, terms in expansions.items():
        if len(phrase) > 1 and phrase in rest:
            groups[phrase] = [_alternative(phrase), *(_alternative(term) for term in terms)]
            rest = rest.replace(phrase, " ")
    tokens = text.plain_words(rest)
    lone = [t for t in tokens if t not in text.STOP_WORDS and not text.is_meaningful(t)]
    for token in [t for t in tokens if text.is_meaningful(t)] or lone:
        alternatives = groups.setdefault(token, [(token,)])
        # The index holds a long word and its parts (search mode); a long query word the text splits differently
        # (平台内 in the query, 平台 内 in the text) is still found through its parts.
        parts = tuple(p for p in text.words(token) if p != token and len(p) > 1)
        if len(token) >= 3 and parts:
            alternatives.append(parts)
        for term in expansions.get(token, ()):
            alternatives.append(_alternative(term))
    for word, alternatives in groups.items():
        clean = tuple(dict.fromkeys(a for a in alternatives if a))
        if clean:
            result.groups.append(Group(word=word, alternatives=clean))
    return result


def _alternative(term: str) -> tuple[str, ...]:
    return tuple(t for t in text.plain_words(term) if t not in text.STOP_WORDS) or tuple(text.plain_words(term))
