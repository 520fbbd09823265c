"""Consultation pages. Thin: parse with a form, call one service or selector, render."""

from weiyuan.consultations.views.answering import answer, answer_lookup, answer_return, detail, follow_up, rate
from weiyuan.consultations.views.asking import adopt, ask, ask_centres_options, ask_suggest, mine, queue
from weiyuan.consultations.views.featuring import decide, featured, nominate, redact

__all__ = [
    "adopt",
    "answer",
    "answer_lookup",
    "answer_return",
    "ask",
    "ask_centres_options",
    "ask_suggest",
    "decide",
    "detail",
    "featured",
    "follow_up",
    "mine",
    "nominate",
    "queue",
    "rate",
    "redact",
]
