"""Chinese text for the index and for queries: one normalisation and one segmentation on both sides.

Normalisation: NFKC (full-width Ａ１ -> A1, compatibility forms), case folding, OpenCC Traditional -> Simplified
with Taiwan phrases ("專利權" -> "专利权", "軟體" -> "软件"), so a Traditional query meets Simplified text and back.
Segmentation: jieba in search mode
(which also emits the parts of long words: 知识产权 -> 知识 产权 知识产权) with a user dictionary of IP terms, so that
two-character terms such as 专利, 商标 and 侵权 are tokens of their own and are never dropped.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jieba
import opencc

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICTIONARY = DATA_DIR / "ip_terms.txt"
SYNONYMS_FILE = DATA_DIR / "synonyms.txt"

_lock = threading.Lock()
_segmenter: jieba.Tokenizer | None = None
# Taiwan/Hong Kong usage to mainland Simplified, words as well as characters: 軟體 -> 软件, 智慧財產權 -> 知识产权.
converter = opencc.OpenCC("tw2sp")

# A token is kept when it has a letter or digit of any script (CJK ideographs are letters to Unicode).
_WORDLIKE = re.compile(r"\w", re.UNICODE)
_SPACES = re.compile(r"\s+")

# Function words and question words of everyday questions. They are dropped from queries (the index keeps them:
# they cost little and a later phrase feature may want them).
STOP_WORDS = frozenset(
    """
    的 了 是 在 和 与 及 或 或者 以及 而 并 并且 也 都 就 还 又 把 被 让 给 对 对于 向 从 自 由 于 为 为了 因 因为
    所以 如果 若 如何 怎么 怎么办 怎样 怎么样 什么 哪些 哪个 哪里 多少 几 吗 呢 吧 啊 呀 嘛 么 请问 请 问 问题 想 想要
    要 需要 应该 应当 能 能否 能不能 可以 可否 可不可以 会 会不会 是否 是不是 有 有没有 没有 没 不 一个 一些 这个 那个
    这 那 这些 那些 我 我们 我司 本人 你 你们 您 他 她 它 他们 她们 其 该 之 等 等等 上 下 中 里 后 前 时 时候 一下 已经
    现在 目前 知道 觉得 认为 比如 例如 谢谢 您好 你好 这样 那样 然后 但是 但 可是 不过 还是 以后 之后 一般 具体
    别人 别的 自己 有人 直接 只是 不是 就是 还要 还能 还会 还有 明明 早就 根本 不该 分别 一定 一直 一起 马上 其实
    真的 非常 特别 比较 大概 可能 这种 那种 这里 那里 以前 起来 下来 进去 出来 过去 回来 不要 才能 不然 的话 办法
    东西 手里 担心 遇到 结果 看到 算不算 这算 至少 清楚 偷偷 很 太 最 更 已 曾 刚 刚刚 各 每 某 某些
    the a an of to in on for and or is are was be how what can do does i we my our
    """.split()
)


def normalise(text: str) -> str:
    """NFKC + case fold + Traditional -> Simplified; whitespace runs become one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", converter.convert(folded)).strip()


def segmenter() -> jieba.Tokenizer:
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                tokenizer = jieba.Tokenizer()
                logging.getLogger("jieba").setLevel(logging.WARNING)
                tokenizer.initialize()
                if USER_DICTIONARY.exists():
                    tokenizer.load_userdict(str(USER_DICTIONARY))
                _segmenter = tokenizer
    return _segmenter


def words(normalised: str) -> list[str]:
    """Search-mode segmentation of normalised text, punctuation and spaces removed."""
    return [t for t in segmenter().cut_for_search(normalised) if _WORDLIKE.search(t) and not t.isspace()]


def plain_words(normalised: str, *, guess: bool = True) -> list[str]:
    """Plain segmentation (no sub-words): how a multi-word expansion term is split into the tokens it must contain.
    `guess=False` keeps to the dictionary: jieba's guessed words (HMM) in everyday questions are mostly a function
    character glued to a content one (能告, 钱会, 这算), which no text holds; without guessing they fall apart into
    lone characters, which queries drop."""
    return [t for t in segmenter().cut(normalised, HMM=guess) if _WORDLIKE.search(t) and not t.isspace()]


def parts(word: str) -> tuple[str, ...]:
    """The pieces a long word splits into when the text writes it apart, without overlap: 包装装潢 -> 包装 装潢,
    承担责任 -> 承担 责任 (not 担责任), 平台内 -> 平台 内. Empty when the search-mode pieces do not cover the word."""
    pieces: dict[int, str] = {}
    for piece, start, end in segmenter().tokenize(word, mode="search"):
        if end - start < len(word) and len(piece) > len(pieces.get(start, "")):
            pieces[start] = piece
    cover: list[str] = []
    position = 0
    while position < len(word):
        piece = pieces.get(position)
        if piece is None:
            return ()
        cover.append(piece)
        position += len(piece)
    return tuple(cover) if len(cover) > 1 else ()


def index_text(text: str) -> str:
    """The token string stored in the index: normalised, segmented, space-separated."""
    return " ".join(words(normalise(text)))


def is_meaningful(token: str) -> bool:
    """Query tokens that carry meaning: not a stop word, and not a lone CJK character (too ambiguous on its own)."""
    if token in STOP_WORDS:
        return False
    if not token.isascii() and all(char in STOP_WORDS for char in token):
        return False  # function words glued into one dictionary word: 不能 (of 能不能), 就让, 还要
    return not (len(token) == 1 and not token.isascii())


@cache
def synonyms() -> dict[str, tuple[str, ...]]:
    """Everyday wording -> the terms the legal texts use (data/synonyms.txt, `term<TAB>legal terms`)."""
    table: dict[str, tuple[str, ...]] = {}
    if not SYNONYMS_FILE.exists():
        return table
    for raw in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, _, tail = line.partition("\t") if "\t" in line else line.partition(" ")
        key = normalise(head)
        terms = tuple(dict.fromkeys(normalise(t) for t in tail.split() if t.strip()))
        if key and terms:
            table[key] = tuple(dict.fromkeys((*table.get(key, ()), *terms)))
    return table


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
