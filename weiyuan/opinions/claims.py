"""Splitting pasted patent claims into claims and each claim into technical features. Pure functions, no database.

Chinese claims are numbered "1. 一种……" / "2．根据权利要求1所述的……"; an independent claim is written as a preamble
(前序部分: the subject and the features it shares with the prior art) and a characterising part after "其特征在于"
(Implementing Rules of the Patent Law, Rule 23 in the 2023 text, formerly Rule 21). Under the all-elements rule the
features of both parts count, so both are split. The split is a first proposal: the user edits, joins and splits
features afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "1." "1．" "1、" "1)" "1）" "[1]" or "权利要求1：" at the start of a claim.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CLAIM_START_RE = re.compile(
    r"(?:^|(?<=[。.;；\n]))[ \t\u3000]*(?:权利要求\s*)?[\[【(（]?(\d{1,3})[\]】)）]?\s*[.．、:：)）](?!\d)[ \t\u3000]*"
)
# "根据权利要求1所述的" / "如权利要求1或2所述" / "按照权利要求1-3中任一项所述" / "according to claim 1".
_REFERENCE_RE = re.compile(
    r"^(?:根据|如|按照|依据|依照|基于)?\s*权利要求\s*(\d+)"
    r"(?:\s*(?:[至到~\-－—]|或|和|及|、|，|,)\s*(?:权利要求)?\s*\d+)*"
    r"\s*(?:中的?)?(?:任一项|任意一项|之一)?\s*(?:所述|所记载|的)"
    r"|^(?:the\s+\w+\s+)?(?:according\s+to|as\s+claimed\s+in|of)\s+claims?\s+(\d+)",
    re.IGNORECASE,
)
_MARKER_RE = re.compile(
    r"(?:其)?(?:特征在于|特征是|改进在于|特征为)\s*[:：,，]?\s*|characteri[sz]ed\s+in\s+that\s*,?\s*"
)
_INCLUDES_RE = re.compile(r"(?:包括|包含|含有|由以下部件组成|comprising)\s*[:：]?\s*")
_END_PUNCT = "。.;；,，:： \t\n\u3000"


@dataclass(frozen=True)
class ParsedClaim:
    number: int
    text: str
    independent: bool
    refers_to: int | None
    features: tuple[str, ...]


def _normalise(text: str) -> str:
    text = text.translate(_FULLWIDTH_DIGITS).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\x00", "")


def split_claims(text: str) -> list[ParsedClaim]:
    """The claims of a pasted claim set, in order, each with its proposed features.

    A number starts a new claim only where a claim may start (the beginning, a new line, or after 。/；) and only if it
    is the next number expected, so "权利要求1所述" or "0.5 mm" inside a claim never split it. Text without any
    numbering is one claim, number 1."""
    text = _normalise(text).strip()
    if not text:
        return []
    starts: list[tuple[int, int, int]] = []  # (number, match start, text start)
    expected = 1
    for match in _CLAIM_START_RE.finditer(text):
        if int(match.group(1)) == expected:
            starts.append((expected, match.start(), match.end()))
            expected += 1
    if not starts:
        return [_claim(1, _join_lines(text))]
    claims: list[ParsedClaim] = []
    for index, (number, _start, body_start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(text)
        body = _join_lines(text[body_start:end])
        if body:
            claims.append(_claim(number, body))
    return claims


def _join_lines(text: str) -> str:
    """Keep a line break where a line ends a piece (after ：；。，), drop the hard wraps of text pasted from a PDF
    (a space between two Latin words)."""
    out = ""
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        if not out:
            out = line
        elif out[-1] in "：:；;。，,":
            out += "\n" + line
        elif out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum():
            out += " " + line
        else:
            out += line
    return out


def _claim(number: int, text: str) -> ParsedClaim:
    text = text.strip()
    refers_to = claim_reference(text)
    return ParsedClaim(
        number=number,
        text=text,
        independent=refers_to is None,
        refers_to=refers_to,
        features=tuple(split_features(text)),
    )


def claim_reference(text: str) -> int | None:
    """The claim a dependent claim refers to (the first one named), or None for an independent claim."""
    match = _REFERENCE_RE.match(_normalise(text).strip())
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


# "包括以下步骤：" introduces the features and is none itself.
_LEAD_IN_RE = re.compile(r"^(?:包括|包含|含有)?(?:以下|如下|下述)(?:步骤|部件|结构|组分)?$")


def _pieces(text: str) -> list[str]:
    """Split on semicolons and line breaks; where there are none, on commas (and full stops inside the text)."""
    parts = re.split(r"[;；\n]", text)
    if len([p for p in parts if p.strip(_END_PUNCT)]) <= 1:
        parts = re.split(r"[,，。]", text)
    pieces = [p.strip(_END_PUNCT) for p in parts if p.strip(_END_PUNCT)]
    return [p for p in pieces if not _LEAD_IN_RE.match(p)]


def split_features(text: str) -> list[str]:
    """The technical features of one claim, in order.

    With a characterising marker (其特征在于…): the preamble without its subject ("一种折叠车架") and without the
    reference of a dependent claim, then the characterising part, each split on semicolons (on commas where there
    are none). Without a marker: what follows "包括" (or the first comma) is split the same way."""
    text = _normalise(text).strip().strip(_END_PUNCT)
    if not text:
        return []
    marker = _MARKER_RE.search(text)
    if marker:
        preamble, body = text[: marker.start()], text[marker.end() :]
    else:
        includes = _INCLUDES_RE.search(text)
        if includes:
            preamble, body = text[: includes.start()], text[includes.end() :]
        else:
            comma = re.search(r"[,，]", text)
            preamble, body = (text[: comma.start()], text[comma.end() :]) if comma else ("", text)
    return _preamble_features(preamble) + _pieces(body)


def _preamble_features(preamble: str) -> list[str]:
    """A preamble's features: what follows the subject ("一种X，包括A和B，" -> "包括A和B"); a dependent claim's
    reference ("根据权利要求1所述的X") carries none of its own."""
    preamble = preamble.strip(_END_PUNCT)
    if not preamble or claim_reference(preamble) is not None:
        return []
    segments = [s.strip(_END_PUNCT) for s in re.split(r"[,，;；]", preamble) if s.strip(_END_PUNCT)]
    # The first segment names the subject (一种…); the rest are features shared with the prior art.
    return segments[1:]
