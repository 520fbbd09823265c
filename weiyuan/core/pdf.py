"""PDF documents (opinion letters, major-dispute solutions): a Django template rendered by WeasyPrint.

WeasyPrint lays the HTML out with Pango and embeds a subset of each font it uses, so the Chinese text of a letter is
in the file itself (Noto CJK from Debian's fonts-noto-cjk, installed by `make system-deps`) and can be copied and
searched. The SHA-256 of the bytes is returned with them so the caller can record it next to the stored file.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

# The families the PDF stylesheet asks for, in order (templates/pdf/base.html).
CJK_FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


@dataclass(frozen=True)
class RenderedPdf:
    content: bytes
    sha256: str


def render_pdf(template_name: str, context: dict[str, Any], *, language: str = "zh-hans") -> RenderedPdf:
    """Render `template_name` (extending pdf/base.html) to PDF bytes in `language` (letters are Chinese)."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s and most requests never print

    with translation.override(language):
        html = render_to_string(template_name, context)
    content = HTML(string=html, base_url=None).write_pdf()
    assert content is not None  # write_pdf() without a target returns the bytes
    return RenderedPdf(content=content, sha256=hashlib.sha256(content).hexdigest())


@lru_cache(maxsize=1)
def cjk_font_installed() -> bool:
    """Whether fontconfig knows one of the Chinese families; without one the letter would print empty boxes."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    listed = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, check=False).stdout
    return any(family in listed for family in CJK_FONT_FAMILIES)
