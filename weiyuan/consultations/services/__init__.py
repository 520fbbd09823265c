"""Consultation writes. Each public function is one transaction, checks the access module and the declared steps
(`weiyuan/consultations/transitions.py`), records an audit event and queues notices through the outbox.

Split by stage: `asking` (the question, through the case intake), `answering` (drafts, approval, sending, rating and
the follow-up), `featuring` (excellent Q&A: nomination, redaction, approval).
"""

from weiyuan.consultations.services.answering import (
    answer_return,
    answer_save,
    answer_send,
    answer_submit,
    consultation_follow_up,
    consultation_rate,
    follow_up_refusal,
    result_letter,
)
from weiyuan.consultations.services.asking import AskInput, consultation_adopt, consultation_ask, validate_question
from weiyuan.consultations.services.featuring import (
    featured_approve,
    featured_nominate,
    featured_redact,
    featured_reject,
    redaction_proposal,
)

__all__ = [
    "AskInput",
    "answer_return",
    "answer_save",
    "answer_send",
    "answer_submit",
    "consultation_adopt",
    "consultation_ask",
    "consultation_follow_up",
    "consultation_rate",
    "featured_approve",
    "featured_nominate",
    "featured_redact",
    "featured_reject",
    "follow_up_refusal",
    "redaction_proposal",
    "result_letter",
    "validate_question",
]
