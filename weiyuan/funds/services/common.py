"""What the funds services share: reading an amount (yuan, two decimals), a category, a text; the year lock; the
remaining budget of a category; the audit helper."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weiyuan.audit.services import audit_record
from weiyuan.cases.transitions import TransitionRefused
from weiyuan.funds.models import (
    COMMITTED_STATES,
    MONEY_DIGITS,
    MONEY_PLACES,
    ZERO,
    BudgetLine,
    Category,
    FundYear,
    SpendingEntry,
)

MAX_AMOUNT = Decimal(10 ** (MONEY_DIGITS - MONEY_PLACES)) - Decimal("0.01")
YEAR_MIN, YEAR_MAX = 2000, 2100
TEXT_MAX = 2000


def parse_amount(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    """Yuan with at most two decimals: a positive amount (zero allowed for a budget line), never a float's
    rounding. The error names the field and the fix."""
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError({field: _("请填写金额（元）。")})
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError({field: _("金额应为数字，例如 12000 或 3500.50。")}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("金额应为数字，例如 12000 或 3500.50。")})
    if amount < 0 or (amount == 0 and not allow_zero):
        message = _("金额不能为负数。") if amount < 0 else _("金额应大于 0。")
        raise ValidationError({field: message})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("金额最多保留两位小数（精确到分）。")})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("金额过大：最多 %(max)s 元。") % {"max": f"{MAX_AMOUNT:,}"}})
    return amount.quantize(Decimal("0.01"))


def parse_category(value: Any, field: str = "category") -> str:
    value = str(value or "").strip()
    if value not in Category.values:
        allowed = "、".join(f"{c.value}（{c.label}）" for c in Category)
        raise ValidationError(
            {field: _("未知的经费类别「%(value)s」，可选：%(allowed)s。") % {"value": value, "allowed": allowed}}
        )
    return value


def parse_year(value: Any, field: str = "year") -> int:
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: _("年度应为四位数字，例如 2026。")}) from None
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError({field: _("年度应在 %(min)s 至 %(max)s 之间。") % {"min": YEAR_MIN, "max": YEAR_MAX}})
    return year


def clean_text(value: Any, field: str, *, required: bool = True, minimum: int = 2, maximum: int = TEXT_MAX) -> str:
    value = str(value or "").strip()
    if "\x00" in value:
        raise ValidationError({field: _("含有不可见的空字符（NUL），请删除后重新输入。")})
    if not value and not required:
        return ""
    if len(value) < minimum:
        raise ValidationError({field: _("请填写此项（至少 %(min)s 个字）。") % {"min": minimum}})
    if len(value) > maximum:
        raise ValidationError(
            {field: _("内容过长：最多 %(limit)s 个字，当前 %(n)s 个字。") % {"limit": maximum, "n": len(value)}}
        )
    return value


def collect(errors: dict[str, str], fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one parser, keeping its message under its field so a form shows every error at once."""
    try:
        return fn(*args, **kwargs)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return None


def fund_year_lock(centre_id: int, year: int) -> FundYear:
    """The centre's year row, created if new and locked for the caller's transaction: every write that reads the
    remaining budget holds it, so concurrent submissions see each other."""
    FundYear.objects.get_or_create(centre_id=centre_id, year=year)
    return FundYear.objects.select_for_update().get(centre_id=centre_id, year=year)


def require_open(fund_year: FundYear) -> None:
    if fund_year.closed_at is not None:
        raise TransitionRefused(_("%(year)s 年度已结账，不能再修改。") % {"year": fund_year.year})


def remaining_budget(centre_id: int, year: int, category: str, *, exclude_id: int | None = None) -> Decimal:
    """The category's budget less the entries committed against it (submitted and approved), leaving out one
    entry (the one being changed)."""
    line = BudgetLine.objects.filter(centre_id=centre_id, year=year, category=category).first()
    budget = line.amount if line else ZERO
    qs = SpendingEntry.objects.filter(centre_id=centre_id, year=year, category=category, state__in=COMMITTED_STATES)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    committed = qs.aggregate(total=Sum("amount"))["total"] or ZERO
    return (budget - committed).quantize(Decimal("0.01"))


def today() -> dt.date:
    from weiyuan.clocks.rules import CHINA_TZ

    return timezone.now().astimezone(CHINA_TZ).date()


def audit(actor: Any, action: str, obj: Any, centre_id: int, before: Any = None, after: Any = None) -> None:
    audit_record(actor=actor, action=action, obj=obj, centre_id=centre_id, before=before, after=after)
