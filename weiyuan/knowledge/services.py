"""Importing law texts. Idempotent by content: the same text twice changes nothing; a changed text becomes a new
version and earlier versions (and links to their articles) are kept."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Max

from weiyuan.audit.services import audit_record
from weiyuan.knowledge.models import Article, Law, LawKind, LawVersion
from weiyuan.knowledge.parsing import LawFormatError, ParsedLaw, parse_law

LOCAL_PREFIXES = ("北京市", "上海市", "天津市", "重庆市", "广东省", "浙江省", "江苏省", "上海市浦东新区")


def law_kind(title: str) -> str:
    if title.startswith("最高人民法院"):
        return LawKind.JUDICIAL_INTERPRETATION
    if title.startswith(LOCAL_PREFIXES):
        return LawKind.LOCAL_REGULATION
    if title.startswith("国务院") or title.endswith(("条例", "实施细则")):
        return LawKind.REGULATION
    if title.endswith("法"):
        return LawKind.LAW
    return LawKind.OTHER


@dataclass
class ImportReport:
    laws_created: int = 0
    versions_created: int = 0
    unchanged: int = 0
    articles_created: int = 0
    errors: list[str] = field(default_factory=list)


@transaction.atomic
def law_version_import(*, parsed: ParsedLaw) -> tuple[Law, LawVersion | None, bool]:
    """Store one parsed text; returns (law, new version or None if unchanged, law created)."""
    law, created = Law.objects.get_or_create(
        key=parsed.key, defaults={"title": parsed.title, "kind": law_kind(parsed.title)}
    )
    if LawVersion.objects.filter(law=law, content_hash=parsed.content_hash).exists():
        return law, None, created
    number = (LawVersion.objects.filter(law=law).aggregate(n=Max("number"))["n"] or 0) + 1
    version = LawVersion.objects.create(
        law=law,
        number=number,
        dates=parsed.dates,
        effective_label=parsed.version_label,
        source_file=parsed.path.name,
        content_hash=parsed.content_hash,
    )
    Article.objects.bulk_create(
        Article(
            version=version,
            position=i,
            number=a.number,
            number_text=a.number_text,
            chapter=a.chapter,
            section=a.section,
            text=a.text,
        )
        for i, a in enumerate(parsed.articles)
    )
    # The current version is the one with the latest date label (imports may arrive in any order).
    latest = max(law.versions.all(), key=lambda v: (v.effective_label, v.number))
    law.current_version = latest
    law.title = parsed.title if latest == version else law.title
    law.save(update_fields=["current_version", "title", "updated_at"])
    audit_record(
        actor=None,
        action="knowledge.law_import",
        obj=version,
        after={"law": law.key, "version": number, "articles": len(parsed.articles), "file": parsed.path.name},
    )
    return law, version, created


def laws_import(*, directory: Path, progress: Callable[[str], None] | None = None) -> ImportReport:
    """Import every `*.md` file of a directory; a malformed file is reported (file and line) and skipped whole."""
    report = ImportReport()
    parsed: list[ParsedLaw] = []
    for path in sorted(directory.glob("*.md")):
        try:
            parsed.append(parse_law(path))
        except LawFormatError as exc:
            report.errors.append(str(exc))
    # Older texts of one law first, so version numbers follow the dates.
    for item in sorted(parsed, key=lambda p: (p.key, p.version_label)):
        _law, version, created = law_version_import(parsed=item)
        report.laws_created += int(created)
        if version is None:
            report.unchanged += 1
        else:
            report.versions_created += 1
            report.articles_created += len(item.articles)
        if progress:
            progress(item.path.name)
    return report
