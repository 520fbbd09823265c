"""PDF letters embed a Chinese font and keep their text extractable; the fingerprint is the SHA-256 of the bytes."""

from __future__ import annotations

import hashlib

from tests.pdf_support import pdf_fonts, pdf_text
from weiyuan.core.pdf import cjk_font_installed, render_pdf


def test_rendered_pdf_embeds_a_cjk_font_and_keeps_its_text() -> None:
    assert cjk_font_installed(), "fonts-noto-cjk is missing: run `make system-deps`"
    rendered = render_pdf(
        "pdf/sample.html",
        {"title": "侵权判定参考意见书", "number": "WY-OP-2026-000001", "body": "本意见仅供参考，不构成裁决。"},
    )
    assert rendered.content.startswith(b"%PDF-")
    assert rendered.sha256 == hashlib.sha256(rendered.content).hexdigest()
    text = pdf_text(rendered.content)
    assert "侵权判定参考意见书" in text
    assert "本意见仅供参考，不构成裁决。" in text
    fonts = pdf_fonts(rendered.content)
    assert any("CJK" in name for name in fonts), fonts
    assert all(fonts.values()), f"every font must be embedded: {fonts}"
