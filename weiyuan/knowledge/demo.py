"""Demo content of the knowledge base: guides, Q&A, a case study and a training material written from the law texts
of ../shared/data/laws, each credited to a demo centre, written by its staff and approved by its director or
knowledge-base editor through the real services (so versions, audit events and the search index are as in use).

The texts live in `demo_items/*.txt`: a header of `key: value` lines, then `@summary`, `@citations` (one law per
line, as typed in the editor), `@question` and `@answer` (Q&A) or `@body`. Loading is idempotent: an item whose
title already exists at its centre is left alone. It needs the demo network (`seed_demo`) and the imported laws
(`kb_import_laws`); `manage.py kb_seed_demo` runs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from weiyuan.core.choices import Role
from weiyuan.knowledge import services
from weiyuan.knowledge.content import ItemContent
from weiyuan.knowledge.models import KnowledgeItem, Law, Tag, TagKind
from weiyuan.knowledge.selectors import articles_for_citations

DEMO_ITEMS_DIR = Path(__file__).resolve().parent / "demo_items"
# The knowledge-base editor of the demo: reviews the Shanghai assistance centre's items beside its director.
DEMO_EDITOR_EMAIL = "editor@sh.demo"
DEMO_EDITOR_CENTRE = "sh-assist"
DEMO_EDITOR_NAME = "郑可欣"
SECTIONS = ("summary", "citations", "question", "answer", "body")
STATES = ("published", "in_review", "featured_qa")


class DemoItemError(ValueError):
    pass


@dataclass
class DemoItem:
    name: str
    item_type: str
    centre: str
    author: str
    reviewer: str
    state: str
    title: str
    tags: list[str]
    sections: dict[str, str] = field(default_factory=dict)


def parse_demo_item(path: Path) -> DemoItem:
    """One file of `demo_items/`; a missing header or unknown section names the file and line."""
    header: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("@"):
            name = line[1:].strip()
            if name not in SECTIONS:
                raise DemoItemError(f"{path.name}, line {number}: unknown section @{name}")
            current = sections.setdefault(name, [])
        elif current is not None:
            current.append(line)
        elif line.strip():
            key, sep, value = line.partition(":")
            if not sep:
                raise DemoItemError(f"{path.name}, line {number}: expected 'key: value' before the first @section")
            header[key.strip()] = value.strip()
    missing = {"type", "centre", "author", "reviewer", "state", "title", "tags"} - set(header)
    if missing:
        raise DemoItemError(f"{path.name}: missing header fields {sorted(missing)}")
    if header["state"] not in STATES:
        raise DemoItemError(f"{path.name}: state must be one of {STATES}")
    return DemoItem(
        name=path.stem,
        item_type=header["type"],
        centre=header["centre"],
        author=header["author"],
        reviewer=header["reviewer"],
        state=header["state"],
        title=header["title"],
        tags=[t.strip() for t in header["tags"].split(",") if t.strip()],
        sections={name: "\n".join(lines).strip() for name, lines in sections.items()},
    )


def demo_items() -> list[DemoItem]:
    return [parse_demo_item(path) for path in sorted(DEMO_ITEMS_DIR.glob("*.txt"))]


@dataclass
class KbDemoReport:
    created: int = 0
    existing: int = 0
    editor_created: bool = False
    skipped: str = ""  # why nothing was loaded (no demo network, no laws)
    problems: list[str] = field(default_factory=list)


def _centres() -> dict[str, Any]:
    from weiyuan.network.models import Centre

    return {c.code: c for c in Centre.objects.all()}


def _short_names() -> dict[str, str]:
    from weiyuan.core.demo_content import CENTRES

    return {spec.code: spec.short for spec in CENTRES}


def demo_editor_ensure() -> bool:
    """The demo's knowledge-base editor (one account of the role Role.EDITOR); True if it was created now."""
    from weiyuan.accounts.models import Membership, User
    from weiyuan.core.demo_content import DEMO_PASSWORD

    centre = _centres().get(DEMO_EDITOR_CENTRE)
    if centre is None:
        return False
    user = User.objects.filter(email=DEMO_EDITOR_EMAIL).first()
    created = user is None
    if user is None:
        # Share the demo accounts' password hash, as the other demo accounts do (demo_logins checks it once).
        colleague = User.objects.filter(email="director@sh.demo").first()
        user = User.objects.create(
            username=DEMO_EDITOR_EMAIL.replace("@", "."),
            email=DEMO_EDITOR_EMAIL,
            email_verified=True,
            display_name=DEMO_EDITOR_NAME,
            password=colleague.password if colleague else make_password(DEMO_PASSWORD),
        )
    Membership.objects.get_or_create(user=user, centre=centre, role=Role.EDITOR, defaults={"organisation": centre.name})
    return created


def _staff(centre_code: str, who: str) -> Any:
    from weiyuan.accounts.models import User

    if who == "editor":
        return User.objects.get(email=DEMO_EDITOR_EMAIL)
    short = _short_names()[centre_code]
    return User.objects.get(email=f"{who}@{short}.demo")


def _content(item: DemoItem, tags: list[Tag]) -> ItemContent:
    return ItemContent(
        title=item.title,
        summary=item.sections.get("summary", ""),
        body=item.sections.get("body", ""),
        question=item.sections.get("question", ""),
        answer=item.sections.get("answer", ""),
        articles=articles_for_citations(item.sections.get("citations", "")),
        tags=tags,
        change_note="初稿",
    )


def _load(item: DemoItem, centre: Any) -> KnowledgeItem:
    tags_by_code = {t.code: t for t in Tag.objects.filter(code__in=item.tags)}
    unknown = sorted(set(item.tags) - set(tags_by_code))
    if unknown:
        raise DemoItemError(f"{item.name}: unknown tag codes {unknown}")
    tags = [tags_by_code[code] for code in item.tags]
    author, reviewer = _staff(item.centre, item.author), _staff(item.centre, item.reviewer)
    content = _content(item, tags)
    if item.state == "featured_qa":
        return services.qa_publish_from_consultation(
            centre=centre,
            nominated_by=author,
            approved_by=reviewer,
            title=content.title,
            question=content.question,
            answer=content.answer,
            ip_types=[t.code for t in tags if t.kind == TagKind.IP_TYPE],
            topics=[t.code for t in tags if t.kind == TagKind.TOPIC],
            cited_article_ids=[a.pk for a in content.articles],
        )
    created = services.item_create(actor=author, centre=centre, item_type=item.item_type, content=content)
    created = services.item_submit(item=created, actor=author)
    if item.state == "published":
        created = services.item_approve(item=created, actor=reviewer)
    return created


def kb_demo_seed(*, log: Callable[[str], None] = print) -> KbDemoReport:
    """Load the demo items that are not there yet (see the module docstring)."""
    from weiyuan.core.demo import demo_present

    report = KbDemoReport()
    if not demo_present():
        report.skipped = "the demo network is not loaded (run `manage.py seed_demo` first)"
        return report
    with transaction.atomic():
        report.editor_created = demo_editor_ensure()
    if not Law.objects.filter(current_version__isnull=False).exists():
        report.skipped = "no laws imported (run `manage.py kb_import_laws DIR` first)"
        return report
    centres = _centres()
    for item in demo_items():
        centre = centres.get(item.centre)
        if centre is None:
            report.problems.append(f"{item.name}: no centre {item.centre}")
            continue
        if KnowledgeItem.objects_unscoped.filter(centre=centre, versions__title=item.title).exists():
            report.existing += 1
            continue
        try:
            with transaction.atomic():
                _load(item, centre)
        except (ValidationError, DemoItemError) as exc:
            # A law of the corpus missing from this database: that item is skipped, the others load.
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            report.problems.append(f"{item.name}: {'; '.join(messages)}")
            continue
        report.created += 1
        log(f"knowledge item: {item.title}")
    return report


def render_report(report: KbDemoReport) -> str:
    lines = []
    if report.editor_created:
        lines.append(f"Knowledge-base editor account created: {DEMO_EDITOR_EMAIL}")
    if report.skipped:
        lines.append(f"Knowledge-base demo items not loaded: {report.skipped}.")
    else:
        lines.append(f"Knowledge-base demo items: {report.created} new, {report.existing} already present.")
    lines += [f"  skipped {problem}" for problem in report.problems]
    return "\n".join(lines)
