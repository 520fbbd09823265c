"""From what a person typed to what the index is asked.

"電商平台把我的商品下架了，我怎麼辦？電子商務法第43條" becomes: the law 电子商务法 and article 43 (boosts, not
filters), and word groups 电商 / 平台 / 商品 / 下架, each with its alternatives (下架 -> 删除, 屏蔽, 断开链接 from the
synonyms table). Stop words and lone characters are dropped; if nothing is left, the query has no words and the
caller answers with a hint rather than an error.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
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
    """Name (normalised) -> law key, for the laws in the index; longest names first. Read from the index at most
    once a minute per process (other processes' writes show after that); this process's own writes keep it current
    through `law_names_update`."""
    global _law_names
    loaded_at, names = _law_names
    if time.monotonic() - loaded_at < LAW_NAMES_TTL_SECONDS and names:
        return names
    from weiyuan.search.models import SearchEntry

    names = _names_table(set(SearchEntry.objects.exclude(law_key="").values_list("law_key", flat=True).distinct()))
    _law_names = (time.monotonic(), names)
    return names


def _names_table(keys: set[str]) -> dict[str, str]:
    table = {text.normalise(key): key for key in keys}
    table.update({alias: key for alias, key in LAW_ALIASES.items() if key in keys})
    return dict(sorted(table.items(), key=lambda item: len(item[0]), reverse=True))


def law_names_update(*, added: Iterable[str] = (), removed: Iterable[str] = ()) -> None:
    """After index writes: laws newly in the index join the cached names, laws whose entries were removed leave
    them if none is left (one indexed lookup, only for such laws). Writes that add articles to a known law (the
    common case) cost nothing, instead of reading every law name again."""
    global _law_names
    loaded_at, names = _law_names
    if not names:
        return  # nothing cached: the next query reads the names
    keys = set(names.values())
    new = {key for key in added if key and key not in keys}
    gone = {key for key in removed if key and key in keys} - new
    if gone:
        from weiyuan.search.models import SearchEntry

        gone -= set(SearchEntry.objects.filter(law_key__in=gone).values_list("law_key", flat=True).distinct())
    if new or gone:
        _law_names = (loaded_at, _names_table((keys | new) - gone))


def law_names_forget() -> None:
    """Drop the cached names (after a rebuild of the whole index; tests, each with its own database)."""
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
    # Everyday phrases first, longest first (they may span several words: 商标被抢注); a phrase found is taken out of
    # the text so its words do not become groups of their own. A phrase counts only where it starts and ends between
    # words: 设计专利 (Taiwan for 外观设计) is not read inside 外观设计专利.
    for phrase, terms in sorted(expansions.items(), key=lambda item: -len(item[0])):
        if len(phrase) > 1 and phrase in rest:
            cut = _cut_out(phrase, rest)
            if cut != rest:
                groups[phrase] = [*_own_words(phrase), *(_alternative(term) for term in terms)]
                rest = cut
    tokens = text.plain_words(rest, guess=False)
    lone = [t for t in tokens if t not in text.STOP_WORDS and not text.is_meaningful(t)]
    # A lone character is too ambiguous to search for, unless the synonyms table gives it a meaning (卖 -> 销售).
    kept = [t for t in tokens if text.is_meaningful(t) or (t in expansions and t not in text.STOP_WORDS)]
    words: list[str] = []
    for token in kept or lone:
        # A compound of everyday words the table knows (盗版软件 -> 盗版 软件) is searched as those words.
        pieces = text.parts(token) if token not in expansions else ()
        if any(piece in expansions for piece in pieces):
            words.extend(p for p in pieces if text.is_meaningful(p) or p in expansions)
        else:
            words.append(token)
    for token in words:
        alternatives = groups.setdefault(token, [(token,)])
        # The index holds a long word and its parts (search mode); a long query word the text splits differently
        # (平台内 in the query, 平台 内 in the text) is still found through its parts.
        parts = text.parts(token)
        if len(token) >= 3 and parts:
            alternatives.append(parts)
        for term in expansions.get(token, ()):
            alternatives.append(_alternative(term))
    for word, alternatives in groups.items():
        clean = tuple(dict.fromkeys(a for a in alternatives if a))
        if clean:
            result.groups.append(Group(word=word, alternatives=clean))
    return result


def _cut_out(phrase: str, rest: str) -> str:
    """`rest` with each occurrence of `phrase` that starts and ends at a word boundary replaced by a space."""
    starts, ends, position = set(), set(), 0
    for token in text.segmenter().cut(rest, HMM=False):
        starts.add(position)
        position += len(token)
        ends.add(position)
    pieces, cursor = [], 0
    start = rest.find(phrase)
    while start != -1:
        if start in starts and start + len(phrase) in ends:
            pieces.append(rest[cursor:start] + " ")
            cursor = start + len(phrase)
        start = rest.find(phrase, start + len(phrase))
    return "".join(pieces) + rest[cursor:] if pieces else rest


def _own_words(phrase: str) -> list[tuple[str, ...]]:
    """The phrase's own words as an alternative, when they still say what it says: 商标被抢注 -> 商标 抢注, 侵权产品;
    not when a single ordinary word is left of it (早就有的技术 -> 技术, 起诉前 -> 起诉, 很像 -> 像)."""
    tokens = text.plain_words(phrase)
    meaningful = tuple(t for t in tokens if text.is_meaningful(t))
    if len(meaningful) == len(tokens) or len(meaningful) >= 2:
        return [meaningful]
    return []


def _alternative(term: str) -> tuple[str, ...]:
    return tuple(t for t in text.plain_words(term) if t not in text.STOP_WORDS) or tuple(text.plain_words(term))
