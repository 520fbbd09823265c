"""Reference data that carries its name in both UI languages (centres, service types, tags, fields of expertise)."""

from __future__ import annotations

from django.utils.translation import get_language


class BilingualName:
    """A model with a Chinese `name` and an English `name_en` shows the one of the active language (Chinese when
    there is no English name). Mixed into Django models; it adds no fields."""

    name: str
    name_en: str

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name
