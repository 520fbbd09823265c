"""Access-matrix rows of evaluation 绩效评价 (weiyuan/evaluation, weiyuan/access/evaluation.py).

The world gains a national director (the organiser, not one of the matrix roles) and the 2025 scheme, published
with a formula and a manual indicator, which opens the assessments of Shanghai, Pudong and Zhejiang. Shanghai's
director has self-assessed (with an evidence file) and submitted; Pudong's director (not a role either) has
submitted, so Shanghai's director scores it as its parent level; Zhejiang's assessment is a draft. An assessment is
seen by its centre's director, the parent level's director and the supervisors above it (everyone else: 404);
the scheme, its ranking and the list by every director and supervisor (others: 404 on the scheme, 403 on the list).
"""

from __future__ import annotations

from typing import Any

from tests.access_support import Route, case_rule, only

EVAL_USERS = {"sh_director", "zj_director", "sh_supervisor", "national_supervisor", "zj_supervisor"}
SEES_SH = {"sh_director", "sh_supervisor", "national_supervisor"}
SEES_PD = {"sh_director", "sh_supervisor", "national_supervisor"}  # Shanghai's director as the parent level
SEES_ZJ = {"zj_director", "zj_supervisor", "national_supervisor"}
YEAR = 2025


def extend_world(w: dict[str, Any]) -> None:
    from tests.evaluation_support import assessment_of, national_director, published, self_assess_all
    from tests.factories import pdf_upload, staff
    from weiyuan.core.choices import Role
    from weiyuan.evaluation import services

    national_director(w)
    scheme = published(w, YEAR)
    w["eval_scheme"] = scheme
    sh = assessment_of(scheme, w["shanghai"])
    self_assess_all(sh, w["sh_director"])
    w["eval_sh_item"] = sh.items.get(indicator__code="M1")
    w["eval_sh_file"] = services.item_file_add(item=w["eval_sh_item"], actor=w["sh_director"], upload=pdf_upload())
    w["eval_sh"] = services.assessment_transition(assessment=sh, actor=w["sh_director"], action="submit")
    pd_director = staff(w["pudong"], Role.DIRECTOR)
    pd = assessment_of(scheme, w["pudong"])
    self_assess_all(pd, pd_director)
    w["eval_pd"] = services.assessment_transition(assessment=pd, actor=pd_director, action="submit")
    w["eval_pd_item"] = pd.items.get(indicator__code="M1")
    w["eval_zj"] = assessment_of(scheme, w["zhejiang"])
    w["eval_zj_item"] = w["eval_zj"].items.get(indicator__code="M1")
    w["eval_indicator"] = w["eval_sh_item"].indicator


def year(w: dict[str, Any]) -> dict[str, Any]:
    return {"year": YEAR}


def indicator(w: dict[str, Any]) -> dict[str, Any]:
    return {"year": YEAR, "pk": w["eval_indicator"].pk}


def item(key: str, item_key: str) -> Any:
    return lambda w: {"pk": w[key].pk, "item_pk": w[item_key].pk}


ROUTES: dict[str, Route] = {
    "evaluation:list": Route("GET", expect=only(EVAL_USERS)),
    # Only a director of the root centre opens a scheme: none of the matrix roles.
    "evaluation:scheme_new": Route("GET", expect=only(set())),
    "evaluation:scheme": Route("GET", kwargs=year, expect=case_rule(EVAL_USERS)),
    "evaluation:indicator_new": Route("GET", kwargs=year, expect=case_rule(EVAL_USERS, set())),
    "evaluation:indicator_edit": Route("GET", kwargs=indicator, expect=case_rule(EVAL_USERS, set())),
    "evaluation:indicator_delete": Route("POST", kwargs=indicator, expect=case_rule(EVAL_USERS, set())),
    "evaluation:scheme_act": Route(
        "POST", kwargs=lambda w: {"year": YEAR, "action": "close"}, expect=case_rule(EVAL_USERS, set())
    ),
    "evaluation:ranking": Route("GET", kwargs=year, expect=case_rule(EVAL_USERS)),
    "evaluation:ranking_export": Route("GET", kwargs=year, expect=case_rule(EVAL_USERS)),
    "evaluation:network_report": Route("GET", kwargs=year, expect=case_rule(EVAL_USERS, {"national_supervisor"})),
    "evaluation:assessment": Route("GET", kwargs=lambda w: {"pk": w["eval_sh"].pk}, expect=case_rule(SEES_SH)),
    # The result of an open scheme: not for the centre itself until the scheme is closed.
    "evaluation:assessment_report": Route(
        "GET",
        kwargs=lambda w: {"pk": w["eval_sh"].pk},
        expect=case_rule(SEES_SH, {"sh_supervisor", "national_supervisor"}),
    ),
    # An empty self score on the draft: Zhejiang's director gets 400 naming the fields; others who see it 403.
    "evaluation:item_self": Route(
        "POST", kwargs=item("eval_zj", "eval_zj_item"), expect=case_rule(SEES_ZJ, {"zj_director"})
    ),
    "evaluation:file_upload": Route(
        "POST", kwargs=item("eval_zj", "eval_zj_item"), expect=case_rule(SEES_ZJ, {"zj_director"})
    ),
    # Pudong, submitted: scored by Shanghai's director (an empty score: 400 naming it).
    "evaluation:item_review": Route(
        "POST", kwargs=item("eval_pd", "eval_pd_item"), expect=case_rule(SEES_PD, {"sh_director"})
    ),
    "evaluation:assessment_act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["eval_zj"].pk, "action": "submit"},
        expect=case_rule(SEES_ZJ, {"zj_director"}),
    ),
    "evaluation:file": Route("GET", kwargs=lambda w: {"pk": w["eval_sh_file"].pk}, expect=case_rule(SEES_SH)),
}

# Shanghai's own assessment is scored by the national director only; Pudong's result is its parent level's.
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "evaluation:assessment": Route("GET", kwargs=lambda w: {"pk": w["eval_pd"].pk}, expect=case_rule(SEES_PD)),
    "evaluation:item_review": Route("POST", kwargs=item("eval_sh", "eval_sh_item"), expect=case_rule(SEES_SH, set())),
    "evaluation:assessment_act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["eval_sh"].pk, "action": "finalise"},
        expect=case_rule(SEES_SH, set()),
    ),
    "evaluation:assessment_report": Route("GET", kwargs=lambda w: {"pk": w["eval_pd"].pk}, expect=case_rule(SEES_PD)),
}
