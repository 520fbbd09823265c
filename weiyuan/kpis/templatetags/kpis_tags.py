"""Formatting KPI values in the pages: rates as percentages, means with two decimals, missing values as a dash."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from weiyuan.kpis.exports import RATE_KEYS

register = template.Library()

DASH = "—"
# A lower value is better for these; the change is shown in green when it goes down.
LOWER_IS_BETTER = frozenset(
    {"rejected", "accept_days_median", "accept_days_p90", "conclude_days_median", "conclude_days_p90", "overdue_now"}
)


@register.filter
def kpi_value(value: Any, key: str) -> str:
    if value is None:
        return DASH
    if key in RATE_KEYS:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.2f}"
    return f"{value:,}"


@register.filter
def share(value: Any) -> str:
    return DASH if value is None else f"{value * 100:.1f}%"


@register.simple_tag
def kpi_change(key: str, now: Any, before: Any) -> dict[str, str]:
    """The change from `before` to `now`: text and whether it is an improvement ("up", "down" or "")."""
    if now is None or before is None or key in ("overdue_now", "open_now"):
        return {"text": DASH, "tone": ""}
    diff = now - before
    if key in RATE_KEYS:
        text = _("%(sign)s%(value).1f 个百分点") % {"sign": "+" if diff >= 0 else "−", "value": abs(diff) * 100}
    elif isinstance(diff, float) and not float(diff).is_integer():
        text = f"{'+' if diff >= 0 else '−'}{abs(diff):.2f}"
    else:
        text = f"{'+' if diff >= 0 else '−'}{abs(int(diff)):,}"
    if not diff:
        return {"text": text, "tone": ""}
    better = (diff < 0) if key in LOWER_IS_BETTER else (diff > 0)
    return {"text": text, "tone": "better" if better else "worse"}


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)
