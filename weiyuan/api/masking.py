"""How the API masks an applicant's personal data (ID number, phone, e-mail): the answers and the idempotency table.

The ID number and phone keep the API's long-standing mask (first 3, last 4); the e-mail is masked as on the web's
case page (first 2, last 6).
"""

from __future__ import annotations

from typing import Any

from weiyuan.core.validators import mask_middle

# Field name -> (characters kept at the start, at the end).
PERSONAL_FIELDS: dict[str, tuple[int, int]] = {
    "applicant_id_number": (3, 4),
    "applicant_phone": (3, 4),
    "applicant_email": (2, 6),
}
MASKED_FLAG = "personal_data_masked"


def mask_personal(name: str, value: str | None) -> str:
    """The masked form of one personal field ("" stays "")."""
    if not value:
        return ""
    keep_start, keep_end = PERSONAL_FIELDS[name]
    return mask_middle(value, keep_start, keep_end)


def mask_personal_data(data: Any) -> Any:
    """A copy of a JSON value with every personal field masked wherever it appears (at any depth). An object in which
    something was masked says so in its `personal_data_masked` flag, if it has one. Masking twice changes nothing."""
    if isinstance(data, list):
        return [mask_personal_data(item) for item in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    changed = False
    for key, value in data.items():
        if key in PERSONAL_FIELDS and isinstance(value, str):
            masked = mask_personal(key, value)
            changed = changed or masked != value
            out[key] = masked
        else:
            out[key] = mask_personal_data(value)
    if changed and MASKED_FLAG in out:
        out[MASKED_FLAG] = True
    return out
