"""`{{ amount|yuan }}`: yuan with thousands separators and two decimals ("1,800.00"), the way finance staff read
amounts in both languages (Django's number grouping for zh-hans is off)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def yuan(value: Any) -> str:
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)
