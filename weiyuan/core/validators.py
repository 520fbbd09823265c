"""Validators for Chinese identifiers, each failing with a message that names the fix."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> None:
    """Resident ID number (GB 11643): 17 digits, a check character, a real birth date."""
    v = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", v):
        raise ValidationError(_("身份证号码应为 18 位：17 位数字加 1 位数字或 X。"), code="format")
    try:
        dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号码中的出生日期（第 7-14 位）无效，请核对。"), code="birth_date") from None
    if id_number_check_char(v[:17]) != v[17]:
        raise ValidationError(_("身份证号码校验位不正确，请逐位核对。"), code="check_digit")


_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Unified social credit code (GB 32100): 18 characters from a 31-letter alphabet with a check character."""
    v = value.strip().upper()
    if len(v) != 18 or any(c not in _CREDIT_CHARS for c in v):
        raise ValidationError(_("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、S、V、Z）。"), code="format")
    if credit_code_check_char(v[:17]) != v[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对营业执照。"), code="check_digit")


def validate_phone(value: str) -> None:
    v = value.strip()
    if not re.fullmatch(r"(\+?86)?1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|12330", v):
        raise ValidationError(_("请填写 11 位手机号码或带区号的固定电话。"), code="format")


def mask_middle(value: str, keep_start: int = 3, keep_end: int = 4) -> str:
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]
