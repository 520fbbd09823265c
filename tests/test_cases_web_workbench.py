"""The staff workbench and the applicant's case list: queues, filters, search, pagination, bulk assignment, and
a fixed number of queries however many cases there are."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import ApplicantFactory, make_case
from weiyuan.cases import services
from weiyuan.cases.models import Case
from weiyuan.clocks.models import Clock

# Per request, whatever the page holds: session, user, OTP device, memberships, unread notices (navigation), the
# count, one page query (next-due subqueries inline, related rows joined), the filter's service types, the bulk
# handler list, and the session save (3 statements). A little headroom for middleware; an N+1 adds 25.
WORKBENCH_MAX_QUERIES = 14
MY_CASES_MAX_QUERIES = 12


def rows(html: str) -> list[str]:
    return re.findall(r'<a class="mono" href="/cases/(WY-[\d-]+)/">', html)


@pytest.fixture
def thirty(network: dict[str, Any]) -> list[Case]:
    applicant = ApplicantFactory()
    return [make_case(network["shanghai"], applicant) for _ in range(30)]


@pytest.mark.django_db
def test_workbench_pages_in_a_fixed_number_of_queries(
    network: dict[str, Any], client: Client, thirty: list[Case], django_assert_max_num_queries: Any
) -> None:
    client.force_login(network["sh_director"])
    url = reverse("cases:workbench")
    client.get(url)  # warm the session
    with django_assert_max_num_queries(WORKBENCH_MAX_QUERIES):
        response = client.get(url, {"queue": "centre"})
    html = response.content.decode()
    assert len(rows(html)) == 25
    assert "第 1 / 2 页，共 30 条" in html
    # The next due date comes from the annotation (acceptance clock of each case).
    due = Clock.objects.filter(case=thirty[-1], rule="acceptance").get().due_at
    assert timezone.localtime(due).strftime("%m-%d %H:%M") in html

    with django_assert_max_num_queries(WORKBENCH_MAX_QUERIES):
        response = client.get(url, {"queue": "to_accept", "page": "2"})
    assert len(rows(response.content.decode())) == 5
    # A page past the end shows the last page.
    assert len(rows(client.get(url, {"queue": "centre", "page": "99"}).content.decode())) == 5


@pytest.mark.django_db
def test_my_cases_in_a_fixed_number_of_queries(
    network: dict[str, Any], client: Client, thirty: list[Case], django_assert_max_num_queries: Any
) -> None:
    applicant = thirty[0].applicant_user
    client.force_login(applicant)
    url = reverse("cases:my_cases")
    client.get(url)
    with django_assert_max_num_queries(MY_CASES_MAX_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    assert len(rows(html)) == 25 and "受理审查" in html
    assert len(rows(client.get(url, {"page": "2"}).content.decode())) == 5
    # Someone else's list is empty.
    client.force_login(ApplicantFactory())
    assert "您还没有提交过援助申请" in client.get(url).content.decode()


@pytest.mark.django_db
def test_queues_by_role(network: dict[str, Any], client: Client) -> None:
    submitted = make_case(network["shanghai"])
    accepted = services.case_accept(case=make_case(network["shanghai"]), actor=network["sh_intake"])
    mine = services.case_assign(
        case=services.case_accept(case=make_case(network["shanghai"]), actor=network["sh_intake"]),
        actor=network["sh_director"],
        handler=network["sh_handler"],
    )
    url = reverse("cases:workbench")

    client.force_login(network["sh_intake"])
    html = client.get(url).content.decode()
    assert "待受理" in html and rows(html) == [submitted.tracking_number]
    assert 'id="bulk-assign"' in html

    client.force_login(network["sh_handler"])
    html = client.get(url).content.decode()
    assert rows(html) == [mine.tracking_number] and 'id="bulk-assign"' not in html
    assert "queue=to_accept" not in html

    client.force_login(network["national_supervisor"])
    html = client.get(url).content.decode()
    assert set(rows(html)) == {submitted.tracking_number, accepted.tracking_number, mine.tracking_number}

    client.force_login(network["zj_intake"])
    assert rows(client.get(url, {"queue": "centre"}).content.decode()) == []

    client.force_login(submitted.applicant_user)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("cases:my_cases")


@pytest.mark.django_db
def test_filters_and_search(network: dict[str, Any], client: Client) -> None:
    trademark = make_case(network["shanghai"], applicant_name="甲公司", respondent_name="乙商行")
    patent = make_case(network["shanghai"], ip_type="invention", service_type_code="consultation")
    client.force_login(network["sh_director"])
    url = reverse("cases:workbench")

    def listed(**params: str) -> set[str]:
        return set(rows(client.get(url, {"queue": "centre", **params}).content.decode()))

    assert listed(ip_type="invention") == {patent.tracking_number}
    assert listed(service_type="consultation") == {patent.tracking_number}
    assert listed(state="submitted") == {trademark.tracking_number, patent.tracking_number}
    assert listed(state="accepted") == set()
    assert listed(channel="online") == {trademark.tracking_number, patent.tracking_number}
    assert listed(q=trademark.tracking_number.lower()) == {trademark.tracking_number}
    assert listed(q="甲公司") == {trademark.tracking_number}
    assert listed(q="乙商行") == {trademark.tracking_number}
    assert listed(q=trademark.rights.get().number) == {trademark.tracking_number}
    today = timezone.localdate()
    assert listed(submitted_from=str(today), submitted_to=str(today)) == {
        trademark.tracking_number,
        patent.tracking_number,
    }
    assert listed(submitted_from=str(today + dt.timedelta(days=1))) == set()
    assert listed(sort="tracking") == {trademark.tracking_number, patent.tracking_number}


@pytest.mark.django_db
def test_reversed_date_range_and_bad_values_are_named_on_their_fields(network: dict[str, Any], client: Client) -> None:
    case = make_case(network["shanghai"])
    client.force_login(network["sh_director"])
    response = client.get(
        reverse("cases:workbench"),
        {
            "queue": "centre",
            "submitted_from": "2026-03-31",
            "submitted_to": "2026-03-01",
            "sort": "id; drop",
            "state": "x",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    block = html.split('id="field-submitted_from"', 1)[1].split('<div class="field', 1)[0]
    assert "晚于结束日期" in block and "errorlist" in block
    assert "提交日期从：开始日期 2026-03-31 晚于结束日期 2026-03-01" in html
    assert "排序：" in html and "状态：" in html
    # Invalid filters are not applied; the list still answers.
    assert rows(html) == [case.tracking_number]
    response = client.get(reverse("cases:workbench"), {"submitted_from": "31/03/2026"})
    assert "年-月-日" in response.content.decode()


@pytest.mark.django_db
def test_htmx_filter_change_swaps_only_the_table(network: dict[str, Any], client: Client) -> None:
    case = make_case(network["shanghai"])
    client.force_login(network["sh_director"])
    response = client.get(
        reverse("cases:workbench"),
        {"queue": "centre", "ip_type": "trademark"},
        headers={"HX-Request": "true", "HX-Target": "case-table"},
    )
    html = response.content.decode()
    assert "<html" not in html and html.startswith('<div id="case-table">') and rows(html) == [case.tracking_number]


@pytest.mark.django_db
def test_bulk_assignment_reports_each_success_and_refusal(network: dict[str, Any], client: Client) -> None:
    accepted = [services.case_accept(case=make_case(network["shanghai"]), actor=network["sh_intake"]) for _ in range(3)]
    not_yet = make_case(network["shanghai"])
    elsewhere = services.case_accept(case=make_case(network["zhejiang"]), actor=network["zj_intake"])
    client.force_login(network["sh_director"])
    numbers = [c.tracking_number for c in accepted] + [not_yet.tracking_number, elsewhere.tracking_number]
    response = client.post(
        reverse("cases:bulk_assign"),
        {"handler": network["sh_handler"].pk, "cases": numbers, "next": "/workbench/?queue=centre"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/workbench/?queue=centre"
    html = response.content.decode()
    assert "已将 3 件案件分派给" in html and "2 件未能分派" in html
    assert f"{not_yet.tracking_number}：案件当前状态为「待受理」" in html
    assert f"{elsewhere.tracking_number}：找不到该案件或您无权查看" in html
    for case in accepted:
        case.refresh_from_db()
        assert case.state == "assigned" and case.handler == network["sh_handler"]
    not_yet.refresh_from_db()
    elsewhere.refresh_from_db()
    assert not_yet.state == "submitted" and elsewhere.handler_id is None


@pytest.mark.django_db
def test_bulk_assignment_input_errors_name_the_field(network: dict[str, Any], client: Client) -> None:
    case = services.case_accept(case=make_case(network["shanghai"]), actor=network["sh_intake"])
    client.force_login(network["sh_director"])
    response = client.post(reverse("cases:bulk_assign"), {"cases": [case.tracking_number]}, follow=True)
    assert "承办人：请选择要分派给的承办人。" in response.content.decode()
    response = client.post(
        reverse("cases:bulk_assign"),
        {"handler": network["zj_handler"].pk, "cases": [case.tracking_number]},
        follow=True,
    )
    assert "承办人：请从列表中选择承办人。" in response.content.decode()
    response = client.post(reverse("cases:bulk_assign"), {"handler": network["sh_handler"].pk}, follow=True)
    assert "案件：请至少勾选一件案件。" in response.content.decode()
    # An unsafe "next" falls back to the workbench.
    response = client.post(
        reverse("cases:bulk_assign"), {"handler": network["sh_handler"].pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("cases:workbench")
    case.refresh_from_db()
    assert case.handler_id is None
    # A handler may not bulk-assign at all.
    client.force_login(network["sh_handler"])
    response = client.post(
        reverse("cases:bulk_assign"), {"handler": network["sh_handler"].pk, "cases": [case.tracking_number]}
    )
    assert response.status_code == 403
