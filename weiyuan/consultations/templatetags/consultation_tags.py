"""Display helpers of the consultation pages, and the consultation panel on the case page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from weiyuan.access.consultations import ConsultationPermission, consultation_decide
from weiyuan.access.policy import decide
from weiyuan.cases.models import CONSULTATION_SERVICE
from weiyuan.cases.transitions import TRANSITIONS_BY_ACTION, consultation_concluded_by_answer
from weiyuan.consultations.models import Answer, AnswerState, Consultation, Topic

register = template.Library()


def _answer(question: Any) -> Answer | None:
    try:
        return question.answer
    except Answer.DoesNotExist:
        return None


@register.filter
def answer_status(consultation: Consultation, staff: bool = False) -> str:
    """Where the answer stands, from the prefetched questions (no query); drafts are named only for staff."""
    questions = list(consultation.questions.all())
    if not questions:
        return "—"
    last = questions[-1]
    answer = _answer(last)
    follow_up = last.round > 1
    if answer is not None and answer.state == AnswerState.SENT:
        return _("追问已答复") if follow_up else _("已答复")
    if staff and answer is not None:
        return str(AnswerState(answer.state).label) + (_("（追问）") if follow_up else "")
    return _("追问待答复") if follow_up else _("尚未答复")


@register.inclusion_tag("consultations/_case_panel.html", takes_context=True)
def consultation_panel(context: dict[str, Any], case: Any) -> dict[str, Any]:
    """On the case page of a consultation: its topic and answer state, and the way to the consultation page; for
    staff who would conclude it, why the case's own "conclude" is not offered (the answer concludes it)."""
    if getattr(getattr(case, "service_type", None), "code", "") != CONSULTATION_SERVICE:
        return {"consultation": None}
    user = context.get("user")
    consultation = Consultation.objects.filter(case=case).prefetch_related("questions__answer").first()
    may_adopt = consultation is None and bool(consultation_decide(user, ConsultationPermission.ADOPT, case))
    conclude = TRANSITIONS_BY_ACTION["conclude"]
    conclude_note = ""
    if case.state in conclude.sources and decide(user, conclude.permission, case):
        conclude_note = consultation_concluded_by_answer(case, user) or ""
    return {
        "consultation": consultation,
        "case": case,
        "staff_side": context.get("staff_side", False),
        # Recorded through the generic intake: staff take it into the consultation flow (topic and answer).
        "adopt_topics": Topic.choices if may_adopt and case.state != "draft" else None,
        "conclude_note": conclude_note,
        "may_answer": consultation is not None
        and bool(consultation_decide(user, ConsultationPermission.ANSWER_WRITE, case)),
    }
