"""Checking one expert's data, the same way for the web form, the API and every row of an Excel import.

`clean_expert` returns the cleaned values and a dict of problems keyed by field name (each message says what is
wrong and how to fix it); the importer turns the keys into column names, the services into a ValidationError.
`Lookups` resolves fields, regions and expert accounts by code or name; the importer preloads them once per file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from weiyuan.core.choices import Role
from weiyuan.core.punctuation import english, join_list
from weiyuan.core.validators import validate_credit_code
from weiyuan.experts.models import Availability, Expert, ExpertField, Language, Qualification
from weiyuan.experts.normalise import (
    ClassError,
    credit_code_key,
    dedupe_key,
    organisation_key,
    parse_ipc_list,
    parse_nice_list,
)
from weiyuan.network.models import Region

NUL = "\x00"
MAX_RATE = Decimal("9999999.99")
MAX_CONFLICTS = 50
MAX_LIST = 60
CODE_IN_TEXT_RE = re.compile(r"(?<!\d)\d{6}(?!\d)")


@dataclass
class ConflictInput:
    name: str
    credit_code: str = ""
    note: str = ""


@dataclass
class ExpertInput:
    """Raw input: texts as typed, lists of codes or names (as in the import file's cells, after splitting)."""

    name: str
    organisation_name: str = ""
    organisation_credit_code: str = ""
    title: str = ""
    credential_number: str = ""
    fields: list[str] = field(default_factory=list)
    ipc_classes: list[str] = field(default_factory=list)
    nice_classes: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    qualifications: list[str] = field(default_factory=list)
    availability: str = Availability.AVAILABLE
    busy_until: dt.date | str | None = None
    fee_terms: str = ""
    hourly_rate: Decimal | str | float | int | None = None
    conflicts: list[ConflictInput] = field(default_factory=list)
    user_email: str = ""


@dataclass
class CleanExpert:
    name: str
    organisation_name: str
    organisation_credit_code: str
    title: str
    credential_number: str
    field_ids: list[int]
    field_codes: list[str]
    ipc_classes: list[str]
    nice_classes: list[int]
    languages: list[str]
    region_codes: list[str]
    qualifications: list[str]
    availability: str
    busy_until: dt.date | None
    fee_terms: str
    hourly_rate: Decimal | None
    conflicts: list[ConflictInput]
    user_id: int | None
    dedupe_key: str
    organisation_key: str

    def scalar_fields(self) -> dict[str, Any]:
        """The columns of the Expert row."""
        return {
            "name": self.name,
            "organisation_name": self.organisation_name,
            "organisation_credit_code": self.organisation_credit_code,
            "title": self.title,
            "credential_number": self.credential_number,
            "ipc_classes": self.ipc_classes,
            "nice_classes": self.nice_classes,
            "languages": self.languages,
            "qualifications": self.qualifications,
            "availability": self.availability,
            "busy_until": self.busy_until,
            "fee_terms": self.fee_terms,
            "hourly_rate": self.hourly_rate,
            "user_id": self.user_id,
            "dedupe_key": self.dedupe_key,
            "organisation_key": self.organisation_key,
        }


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


UI_LANGUAGES = ("zh-hans", "en")
_TABLES: dict[str, dict[str, str]] = {}


def _choices_by_key(choices: Any, extra: tuple[tuple[str, str], ...] = ()) -> dict[str, str]:
    """Code or label, in every UI language (an English export imports again) -> code."""
    out: dict[str, str] = {}
    for language in UI_LANGUAGES:
        with translation.override(language):
            for value, label in [*choices, *extra]:
                out[_key(str(value))] = value
                out[_key(str(label))] = value
    return out


def _table(name: str) -> dict[str, str]:
    """The lookup table, built on first use (labels are lazy: the catalogues must be loaded)."""
    if name not in _TABLES:
        choices = {"languages": Language.choices, "qualifications": Qualification.choices}
        if name == "availability":
            _TABLES[name] = _choices_by_key(Availability.choices, (("busy", "忙碌"), ("unavailable", "不可用")))
        else:
            _TABLES[name] = _choices_by_key(choices[name])
    return _TABLES[name]


def _allowed(choices: Any, *, limit: int | None = None) -> str:
    """The allowed values for a message: "中文、英语……或 zh、en……" / "Chinese, English… or zh, en…"."""
    items = list(choices)[:limit] if limit else list(choices)
    more = "……" if limit and not english() else ("…" if limit else "")
    labels = join_list(str(label) for _value, label in items) + more
    codes = join_list(value for value, _label in items) + more
    return _("%(labels)s或 %(codes)s") % {"labels": labels, "codes": codes}


class Lookups:
    """Resolves names and codes; `preload()` fills every table once (the importer), otherwise each is queried."""

    def __init__(self) -> None:
        self._fields: dict[str, ExpertField] | None = None
        self._regions: dict[str, Region | None] = {}
        self._regions_loaded = False
        self._users: dict[str, int | None] = {}
        self._users_loaded = False
        self._linked: dict[int, int] | None = None

    def preload(self) -> Lookups:
        self.fields()
        by_code: dict[str, Region | None] = {}
        by_name: dict[str, Region | None] = {}
        level_of: dict[str, int] = {}
        for region in Region.objects.only("code", "name", "full_name", "level"):
            by_code[region.code] = region
            for name in {_key(region.full_name), _key(region.name)}:
                # "上海市" names the province and its city: the higher level wins. A name shared at one level
                # ("朝阳区") is only found by its code or full name.
                if name not in by_name or (level_of.get(name, 9) > region.level):
                    by_name[name] = region
                    level_of[name] = region.level
                elif level_of[name] == region.level:
                    by_name[name] = None
        self._regions = {**by_name, **by_code}
        self._regions_loaded = True
        from weiyuan.accounts.models import User

        rows = User.objects.filter(
            memberships__role=Role.EXPERT, memberships__active=True, is_active=True, email__isnull=False
        ).values_list("email", "pk")
        self._users = {_key(email or ""): pk for email, pk in rows}
        self._users_loaded = True
        self._linked = dict(Expert.objects_unscoped.filter(user__isnull=False).values_list("user_id", "pk"))
        return self

    def fields(self) -> dict[str, ExpertField]:
        if self._fields is None:
            self._fields = {}
            for f in ExpertField.objects.all():
                for key in (f.code, f.name, f.name_en):
                    if key:
                        self._fields[_key(key)] = f
        return self._fields

    def field(self, text: str) -> ExpertField | None:
        return self.fields().get(_key(text))

    def region(self, text: str) -> Region | None:
        code = CODE_IN_TEXT_RE.search(unicodedata.normalize("NFKC", text))
        key = code.group(0) if code else _key(text)  # "上海市(310000)", as the export writes it
        if key in self._regions:
            return self._regions[key]
        if self._regions_loaded:
            return None
        region = Region.objects.filter(code=key).first() if key.isdigit() else None
        if region is None:
            for column in ("full_name", "name"):
                matches = list(Region.objects.filter(**{column: text.strip()}).order_by("level", "code")[:2])
                if len(matches) == 1 or (len(matches) == 2 and matches[0].level < matches[1].level):
                    region = matches[0]
                    break
        self._regions[key] = region
        return region

    def expert_user(self, email: str) -> int | None:
        key = _key(email)
        if key in self._users or self._users_loaded:
            return self._users.get(key)
        from weiyuan.accounts.models import User

        user = User.objects.filter(
            email__iexact=email.strip(), is_active=True, memberships__role=Role.EXPERT, memberships__active=True
        ).first()
        self._users[key] = user.pk if user else None
        return self._users[key]

    def linked_expert(self, user_id: int) -> int | None:
        if self._linked is not None:
            return self._linked.get(user_id)
        return Expert.objects_unscoped.filter(user_id=user_id).values_list("pk", flat=True).first()


def _text(errors: dict[str, str], name: str, value: Any, limit: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if NUL in text:
        errors[name] = _("含有不可见的控制字符（NUL），请删除后重新输入。")
    elif required and not text:
        errors[name] = _("此项必填。")
    elif len(text) > limit:
        errors[name] = _("最多 %(limit)s 个字符，当前 %(n)s 个。") % {"limit": limit, "n": len(text)}
    return text


def _credit(errors: dict[str, str], name: str, value: str) -> str:
    code = credit_code_key(value)
    if code:
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    return code


def _codes(errors: dict[str, str], name: str, values: list[str], table: dict[str, str], known: str) -> list[str]:
    out: list[str] = []
    unknown: list[str] = []
    for value in values:
        code = table.get(_key(value))
        if code is None:
            unknown.append(value)
        elif code not in out:
            out.append(code)
    if unknown:
        errors[name] = _("不认识的值：%(values)s（可填：%(known)s）") % {"values": join_list(unknown), "known": known}
    return out


def _date(errors: dict[str, str], name: str, value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(unicodedata.normalize("NFKC", str(value)).strip().replace("/", "-"))
    except ValueError:
        errors[name] = _("日期格式应为 YYYY-MM-DD，例如 2026-03-01。")
        return None


def _rate(errors: dict[str, str], name: str, value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        rate = Decimal(unicodedata.normalize("NFKC", str(value)).strip().replace(",", ""))
    except InvalidOperation:
        errors[name] = _("应为金额（元），例如 800 或 1200.50。")
        return None
    if not rate.is_finite() or rate < 0 or rate > MAX_RATE:
        errors[name] = _("应为 0 至 9,999,999.99 之间的金额（元）。")
        return None
    return rate.quantize(Decimal("0.01"))


def clean_expert(data: ExpertInput, lookups: Lookups) -> tuple[CleanExpert | None, dict[str, str]]:
    errors: dict[str, str] = {}
    name = _text(errors, "name", data.name, 60, required=True)
    organisation = _text(errors, "organisation_name", data.organisation_name, 160)
    org_code = _credit(errors, "organisation_credit_code", data.organisation_credit_code)
    title = _text(errors, "title", data.title, 60)
    credential = credit_code_key(_text(errors, "credential_number", data.credential_number, 40))

    fields: list[ExpertField] = []
    unknown_fields: list[str] = []
    for value in data.fields:
        f = lookups.field(value)
        if f is None:
            unknown_fields.append(value)
        elif f not in fields:
            fields.append(f)
    if unknown_fields:
        known = join_list(sorted({(f.name_en or f.name) if english() else f.name for f in lookups.fields().values()}))
        errors["fields"] = _("不认识的专业领域：%(values)s（可填：%(known)s）") % {
            "values": join_list(unknown_fields),
            "known": known,
        }

    ipc: list[str] = []
    try:
        ipc = parse_ipc_list([v for v in data.ipc_classes if str(v).strip()])
    except ClassError as exc:
        errors["ipc_classes"] = str(exc)
    nice: list[int] = []
    try:
        nice = parse_nice_list([v for v in data.nice_classes if str(v).strip()])
    except ClassError as exc:
        errors["nice_classes"] = str(exc)
    for name_, values in (("ipc_classes", ipc), ("nice_classes", nice)):
        if len(values) > MAX_LIST:
            errors[name_] = _("最多填写 %(n)s 个分类。") % {"n": MAX_LIST}

    languages = _codes(errors, "languages", data.languages, _table("languages"), _allowed(Language.choices, limit=3))
    qualifications = _codes(
        errors, "qualifications", data.qualifications, _table("qualifications"), _allowed(Qualification.choices)
    )

    region_codes: list[str] = []
    unknown_regions: list[str] = []
    for value in data.regions:
        region = lookups.region(value)
        if region is None:
            unknown_regions.append(value)
        elif region.code not in region_codes:
            region_codes.append(region.code)
    if unknown_regions:
        errors["regions"] = _("找不到地区：%(values)s（请填 6 位行政区划代码或完整名称，如 310000 或 上海市）") % {
            "values": join_list(unknown_regions)
        }

    availability = _table("availability").get(_key(data.availability or "available"))
    if availability is None:
        errors["availability"] = _("应为：可接受任务、忙碌 或 暂不接受任务。")
        availability = Availability.AVAILABLE
    busy_until = _date(errors, "busy_until", data.busy_until)
    if availability == Availability.BUSY and busy_until is None and "busy_until" not in errors:
        errors["busy_until"] = _("状态为忙碌时，请填写忙碌至哪一天。")
    if availability != Availability.BUSY:
        busy_until = None

    fee_terms = _text(errors, "fee_terms", data.fee_terms, 2000)
    rate = _rate(errors, "hourly_rate", data.hourly_rate)

    conflicts: list[ConflictInput] = []
    if len(data.conflicts) > MAX_CONFLICTS:
        errors["conflicts"] = _("最多填写 %(n)s 个利益冲突单位。") % {"n": MAX_CONFLICTS}
    for item in data.conflicts[:MAX_CONFLICTS]:
        conflict_errors: dict[str, str] = {}
        c_name = _text(conflict_errors, "name", item.name, 160, required=True)
        c_code = _credit(conflict_errors, "code", item.credit_code)
        c_note = _text(conflict_errors, "note", item.note, 200)
        if conflict_errors:
            errors.setdefault(
                "conflicts",
                _("「%(name)s」：%(problem)s") % {"name": c_name, "problem": next(iter(conflict_errors.values()))},
            )
        else:
            conflicts.append(ConflictInput(name=c_name, credit_code=c_code, note=c_note))

    user_id: int | None = None
    email = _text(errors, "user_email", data.user_email, 254)
    if email:
        user_id = lookups.expert_user(email)
        if user_id is None:
            errors["user_email"] = _("找不到专家账户 %(email)s：账户须已注册并具有专家角色。") % {"email": email}

    if errors:
        return None, errors
    return (
        CleanExpert(
            name=name,
            organisation_name=organisation,
            organisation_credit_code=org_code,
            title=title,
            credential_number=credential,
            field_ids=[f.pk for f in fields],
            field_codes=[f.code for f in fields],
            ipc_classes=ipc,
            nice_classes=nice,
            languages=languages,
            region_codes=region_codes,
            qualifications=qualifications,
            availability=availability,
            busy_until=busy_until,
            fee_terms=fee_terms,
            hourly_rate=rate,
            conflicts=conflicts,
            user_id=user_id,
            dedupe_key=dedupe_key(name, organisation),
            organisation_key=organisation_key(organisation),
        ),
        {},
    )
