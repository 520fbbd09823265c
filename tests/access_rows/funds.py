"""Access-matrix rows of funds 经费 (weiyuan/funds, weiyuan/access/funds.py).

The world gains the Shanghai centre's budget of this year, a draft spending entry there with an invoice, and a
submitted entry at the Zhejiang centre (submitted by its intake officer). A centre's funds are seen by its staff and
the supervisors above it (everyone else: 404); budgets are set and the year closed by the director (the parent
level's director too, not in this world); entries are recorded and submitted by the centre's staff and approved by
its director. The list pages, the report and the API are for centre staff and supervisors (others: 403).
"""

from __future__ import annotations

from typing import Any

from tests.access_support import STAFF_SH, STAFF_ZJ, STAFFLIKE, Route, case_rule, only

SEES_SH = {*STAFF_SH, "sh_supervisor", "national_supervisor"}
SEES_ZJ = {*STAFF_ZJ, "zj_supervisor", "national_supervisor"}


def extend_world(w: dict[str, Any]) -> None:
    from tests.factories import pdf_upload
    from weiyuan.funds import services
    from weiyuan.funds.services.common import today

    year = today().year
    w["funds_year"] = year
    services.budget_set(centre=w["shanghai"], year=year, amounts={"training": "50000"}, actor=w["sh_director"])
    services.budget_set(centre=w["zhejiang"], year=year, amounts={"outreach": "20000"}, actor=w["zj_director"])
    w["spend_a"] = services.spending_create(
        centre=w["shanghai"],
        actor=w["sh_handler"],
        data=services.SpendingInput("training", "1200.50", today(), "上海某培训中心", "展会维权培训场地费"),
    )
    w["spend_a_invoice"] = services.attachment_add(
        entry=w["spend_a"], actor=w["sh_handler"], upload=pdf_upload("发票.pdf")
    )
    spend_b = services.spending_create(
        centre=w["zhejiang"],
        actor=w["zj_intake"],
        data=services.SpendingInput("outreach", "3000", today(), "杭州某广告公司", "宣传册印刷"),
    )
    w["spend_b"] = services.spending_transition(entry=spend_b, actor=w["zj_intake"], action="submit")


def sh_year(w: dict[str, Any]) -> dict[str, Any]:
    return {"code": "sh", "year": w["funds_year"]}


ROUTES: dict[str, Route] = {
    "funds:report": Route("GET", expect=only(STAFFLIKE)),
    "funds:report_export": Route("GET", query="format=csv", expect=only(STAFFLIKE)),
    # An empty budget form: the director gets 400 (an amount is required); the others who see it 403.
    "funds:budget": Route("POST", kwargs=sh_year, expect=case_rule(SEES_SH, {"sh_director"})),
    "funds:year_close": Route("POST", kwargs=sh_year, expect=case_rule(SEES_SH, {"sh_director"})),
    "funds:spending_list": Route("GET", query="state=draft", expect=only(STAFFLIKE)),
    "funds:spending_export": Route("GET", query="format=xlsx", expect=only(STAFFLIKE)),
    "funds:spending_new": Route("GET", expect=only(STAFF_SH | STAFF_ZJ)),
    "funds:spending": Route("GET", kwargs=lambda w: {"pk": w["spend_a"].pk}, expect=case_rule(SEES_SH)),
    "funds:spending_edit": Route("GET", kwargs=lambda w: {"pk": w["spend_a"].pk}, expect=case_rule(SEES_SH, STAFF_SH)),
    "funds:spending_act": Route(
        "POST", kwargs=lambda w: {"pk": w["spend_a"].pk, "action": "submit"}, expect=case_rule(SEES_SH, STAFF_SH)
    ),
    # No file: the centre's staff get 400 naming the file; supervisors 403.
    "funds:attachment_upload": Route(
        "POST", kwargs=lambda w: {"pk": w["spend_a"].pk}, expect=case_rule(SEES_SH, STAFF_SH)
    ),
    "funds:attachment": Route("GET", kwargs=lambda w: {"pk": w["spend_a_invoice"].pk}, expect=case_rule(SEES_SH)),
    "api:funds_budgets": Route("GET", query="centre=", expect=only(STAFFLIKE)),
    "api:funds_spending": Route("GET", query="state=submitted", expect=only(STAFFLIKE)),
    "api:funds_report": Route("GET", expect=only(STAFFLIKE)),
}

# Zhejiang's entry and budget: the Shanghai staff and supervisor get 404; its director approves (not the submitter).
OTHER_CENTRE_ROUTES: dict[str, Route] = {
    "funds:budget": Route("GET", kwargs=lambda w: {"code": "zj", "year": w["funds_year"]}, expect=case_rule(SEES_ZJ)),
    "funds:spending": Route("GET", kwargs=lambda w: {"pk": w["spend_b"].pk}, expect=case_rule(SEES_ZJ)),
    "funds:spending_act": Route(
        "POST",
        kwargs=lambda w: {"pk": w["spend_b"].pk, "action": "approve"},
        expect=case_rule(SEES_ZJ, {"zj_director"}),
    ),
    "funds:attachment_upload": Route(
        "POST", kwargs=lambda w: {"pk": w["spend_b"].pk}, expect=case_rule(SEES_ZJ, STAFF_ZJ)
    ),
}
