"""Access-matrix rows of infringement-judgment reference opinions (weiyuan/opinions, weiyuan/access/opinions.py).

The world gets, on case A (Shanghai, assigned to sh_handler, expert_assigned holding an expert task): a draft patent
opinion written by sh_handler with one claim and one feature, and an issued opinion with a stored letter; on case B
(Zhejiang): an issued opinion. The working side (case centre's staff and the expert with a task) sees every opinion;
the applicant and supervisors above the centre only issued letters; everyone else 404. Only the author or the
assigned handler edits; only the assigned handler or an expert with a task drafts.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.access_support import STAFF_SH, STAFF_ZJ, Route, case_a, case_b, case_rule
from weiyuan.opinions.models import Claim, Feature, Opinion

WORKING_A = {*STAFF_SH, "expert_assigned"}
LETTER_A = {*WORKING_A, "applicant_own", "sh_supervisor", "national_supervisor"}
# expert_other holds an expert task on case B (tests/access_rows/expert_tasks.py), so sees its opinions.
WORKING_B = {*STAFF_ZJ, "expert_other"}
LETTER_B = {*WORKING_B, "zj_supervisor", "national_supervisor"}
EDITORS_A = {"sh_handler"}  # the author, who is also the assigned handler


def _opinion(case: Any, author: Any, **fields: Any) -> Opinion:
    return Opinion.objects_unscoped.create(
        case=case,
        kind="utility_model",
        title="矩阵测试意见",
        accused_object="被诉产品",
        applicant_name=case.applicant_name,
        respondent_name=case.respondent_name,
        author=author,
        **fields,
    )


def _issued(case: Any, author: Any, number: str) -> Opinion:
    opinion = _opinion(case, author, state="issued", number=number, signed_at=timezone.now())
    opinion.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 matrix"), save=False)
    opinion.letter_sha256, opinion.letter_size, opinion.letter_generated_at = "0" * 64, 15, timezone.now()
    opinion.save()
    return opinion


def extend_world(w: dict[str, Any]) -> None:
    draft = _opinion(w["case_a"], w["sh_handler"])
    claim = Claim.objects.create(opinion=draft, number=1, text="一种车架，包括前架。", independent=True)
    w["opinion_feature"] = Feature.objects.create(claim=claim, position=1, text="前架")
    w["opinion_claim"], w["opinion_draft"] = claim, draft
    w["opinion_issued_a"] = _issued(w["case_a"], w["sh_handler"], "WYOP-2026-00001-0001")
    w["opinion_issued_b"] = _issued(w["case_b"], w["zj_director"], "WYOP-2026-00002-0001")


def draft(w: dict[str, Any]) -> dict[str, Any]:
    return {"pk": w["opinion_draft"].pk}


ROUTES: dict[str, Route] = {
    # The case's opinions page: the working side sees all, the applicant and supervisors the issued letters.
    "opinions:case_list": Route("GET", kwargs=case_a, expect=case_rule(LETTER_A)),
    "opinions:create": Route("GET", kwargs=case_a, expect=case_rule(LETTER_A, {"sh_handler", "expert_assigned"})),
    "opinions:detail": Route("GET", kwargs=draft, expect=case_rule(WORKING_A)),
    "opinions:edit": Route("GET", kwargs=draft, expect=case_rule(WORKING_A, EDITORS_A)),
    "opinions:chart": Route("GET", kwargs=draft, expect=case_rule(WORKING_A, EDITORS_A)),
    "opinions:claims_import": Route(
        "POST", kwargs=draft, data=lambda w: {"claims_text": ""}, expect=case_rule(WORKING_A, EDITORS_A)
    ),
    "opinions:claim_edit": Route(
        "POST",
        kwargs=lambda w: {"pk": w["opinion_draft"].pk, "claim_id": w["opinion_claim"].pk},
        data=lambda w: {"text": ""},
        expect=case_rule(WORKING_A, EDITORS_A),
    ),
    "opinions:feature_add": Route(
        "POST",
        kwargs=lambda w: {"pk": w["opinion_draft"].pk, "claim_id": w["opinion_claim"].pk},
        data=lambda w: {"text": ""},
        expect=case_rule(WORKING_A, EDITORS_A),
    ),
    "opinions:feature_edit": Route(
        "POST",
        kwargs=lambda w: {"pk": w["opinion_draft"].pk, "feature_id": w["opinion_feature"].pk},
        data=lambda w: {"text": "", "comparison": "bogus"},
        expect=case_rule(WORKING_A, EDITORS_A),
    ),
    # A patent opinion has no design or trademark comparison: the editor gets 409 (served), the rest 403/404.
    "opinions:comparison": Route("POST", kwargs=draft, expect=case_rule(WORKING_A, EDITORS_A)),
    # Submitting the draft (it has a claim with a feature): the author-handler does so inside the rolled-back
    # savepoint; others who see it 403.
    "opinions:act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["opinion_draft"].pk, "action": "submit"},
        expect=case_rule(WORKING_A, EDITORS_A),
    ),
    "opinions:download": Route("GET", kwargs=lambda w: {"pk": w["opinion_issued_a"].pk}, expect=case_rule(LETTER_A)),
}

OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "opinions:case_list": Route("GET", kwargs=case_b, expect=case_rule(LETTER_B)),
    "opinions:detail": Route("GET", kwargs=lambda w: {"pk": w["opinion_issued_b"].pk}, expect=case_rule(WORKING_B)),
    "opinions:download": Route("GET", kwargs=lambda w: {"pk": w["opinion_issued_b"].pk}, expect=case_rule(LETTER_B)),
}
