"""Normalising what experts are matched and deduplicated by: organisation names, IPC symbols, Nice classes, and the
facet keys of the derived index (`ExpertFacet`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from django.utils.translation import gettext as _

# Legal-form endings dropped from organisation names before comparing, longest first: "某某科技有限公司",
# "某某科技有限责任公司" and "某某科技股份有限公司" name the same party for a conflict check.
ORG_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "责任有限公司",
    "有限公司",
    "集团公司",
    "总公司",
    "公司",
    "limitedliabilitycompany",
    "corporation",
    "company",
    "limited",
    "coltd",
    "ltd",
    "llc",
    "inc",
    "corp",
    "gmbh",
    "co",
)
# Shorter than this after normalising, a name says too little to call a conflict ("某某公司" -> "某某").
MIN_ORG_KEY = 2


@lru_cache(maxsize=1)
def _t2s() -> object | None:
    try:
        import opencc

        return opencc.OpenCC("t2s")
    except Exception:  # noqa: BLE001 - OpenCC is optional here: without it Traditional names stay as written
        return None


def _simplified(text: str) -> str:
    converter = _t2s()
    return converter.convert(text) if converter is not None else text  # type: ignore[attr-defined]


def _squash(value: str) -> str:
    """NFKC (full-width to half-width), lower case, Simplified Chinese, no spaces or punctuation."""
    text = _simplified(unicodedata.normalize("NFKC", value or "")).casefold()
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "S", "C")))


def person_key(name: str) -> str:
    return _squash(name)


def organisation_key(name: str) -> str:
    """The comparable form of an organisation's name: "上海 某某科技 有限责任公司" and "上海某某科技有限公司" give
    the same key. An empty key means "too short to compare"."""
    key = _squash(name)
    changed = True
    while changed:
        changed = False
        for suffix in ORG_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                key = key[: -len(suffix)]
                changed = True
                break
    return key if len(key) >= MIN_ORG_KEY else ""


def credit_code_key(value: str) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def dedupe_key(name: str, organisation: str) -> str:
    """Same name and same affiliation (normalised) = the same expert."""
    return f"{person_key(name)}|{organisation_key(organisation) or _squash(organisation)}"


# --- IPC -----------------------------------------------------------------------------------------------------

# Section (A-H), class (2 digits), subclass (a letter); optionally main group / subgroup: "H04L", "H04L 9/32".
IPC_RE = re.compile(r"^([A-H])(\d{2})([A-Z])(?:\s*(\d{1,4})\s*/\s*(\d{2,6}))?$")
LIST_SPLIT_RE = re.compile(r"[;；,，、\n]+")


class ClassError(ValueError):
    """A symbol that is not a valid class; the message says what is wrong (in the user's language)."""


def parse_ipc(value: str) -> str:
    """One IPC symbol in its canonical form ("h04l9/32" -> "H04L 9/32")."""
    text = unicodedata.normalize("NFKC", value).strip().upper()
    match = IPC_RE.match(text)
    if not match:
        raise ClassError(
            _("%(value)s 不是有效的 IPC 分类号：应为部、大类和小类（如 H04L），可带大组/小组（如 H04L 9/32）")
            % {"value": value.strip()}
        )
    section, klass, subclass, group, subgroup = match.groups()
    if klass == "00":
        raise ClassError(_("%(value)s 不是有效的 IPC 分类号：大类不能是 00") % {"value": value.strip()})
    symbol = f"{section}{klass}{subclass}"
    if group:
        if group.startswith("0"):
            raise ClassError(_("%(value)s 不是有效的 IPC 分类号：大组号不能以 0 开头") % {"value": value.strip()})
        symbol += f" {group}/{subgroup}"
    return symbol


def parse_ipc_list(value: str | Iterable[str]) -> list[str]:
    """Several symbols ("H04L; G06F 16/00"), deduplicated in their order; the first bad one raises."""
    items = split_list(value) if isinstance(value, str) else [str(v) for v in value]
    out: list[str] = []
    for item in items:
        symbol = parse_ipc(item)
        if symbol not in out:
            out.append(symbol)
    return out


def split_list(value: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT_RE.split(value or "") if part.strip()]


NICE_RE = re.compile(r"^第?\s*(\d{1,3})\s*类?$")


def parse_nice(value: str | int) -> int:
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = NICE_RE.match(text)
    number = int(match.group(1)) if match else None
    if number is None or not 1 <= number <= 45:
        raise ClassError(_("%(value)s 不是 1-45 之间的类别") % {"value": text})
    return number


def parse_nice_list(value: str | Iterable[str | int]) -> list[int]:
    items: list[str | int] = list(split_list(value)) if isinstance(value, str) else list(value)
    out: list[int] = []
    for item in items:
        number = parse_nice(item)
        if number not in out:
            out.append(number)
    return sorted(out)


# --- facet keys ----------------------------------------------------------------------------------------------


def ipc_keys(symbol: str) -> list[str]:
    """ "H04L 9/32" -> class H04, subclass H04L, group H04L9/32 (the keys nest, so their weights add up)."""
    keys = [f"ipc3:{symbol[:3]}", f"ipc:{symbol[:4]}"]
    if " " in symbol:
        keys.append("ipcg:" + symbol.replace(" ", ""))
    return keys


NATIONWIDE = "000000"


def province_of(code: str) -> str:
    return code[:2] + "0000"


def region_keys(code: str) -> list[str]:
    """An expert's service region: the region itself ("reg:") and its province ("regp:")."""
    return [f"reg:{code}", f"regp:{province_of(code)}"]


def region_cover_keys(code: str) -> list[str]:
    """The "reg:" keys of every region that covers `code`: itself, its city and its province. GB/T 2260 codes nest
    by digits (31 00 00 -> 31 01 00 -> 31 01 15), so an expert serving 310000 covers a case in 310115."""
    out: list[str] = []
    for ancestor in (code, code[:4] + "00", province_of(code)):
        if f"reg:{ancestor}" not in out:
            out.append(f"reg:{ancestor}")
    return out


def expert_facet_keys(
    *,
    field_codes: Iterable[str],
    ipc_classes: Iterable[str],
    nice_classes: Iterable[int],
    languages: Iterable[str],
    regions: Iterable[str],
    qualifications: Iterable[str],
    availability: str,
) -> set[str]:
    keys: set[str] = {f"f:{c}" for c in field_codes}
    for symbol in ipc_classes:
        keys.update(ipc_keys(symbol))
    keys.update(f"nice:{n}" for n in nice_classes)
    keys.update(f"lang:{code}" for code in languages)
    regions = list(regions)
    for code in regions:
        keys.update(region_keys(code))
    if not regions:
        keys.add(f"reg:{NATIONWIDE}")  # no region given: serves the whole country
    keys.update(f"q:{q}" for q in qualifications)
    keys.add(f"avail:{availability}")
    return keys
