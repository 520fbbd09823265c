"""KPI pages: dashboards per scope, the table of the level below, exports (opened and checked), the cases behind a
figure, the ranking, and query counts that do not grow with the data."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CentreFactory
from tests.feedback_support import client_of
from tests.kpis_support import build_march
from weiyuan.kpis.services import kpi_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(network: dict[str, Any]) -> dict[str, Any]:
    cases = build_march(network)
    kpi_rebuild()
    return cases


def dashboard(client: Client, code: str, query: str = "period=2026-03") -> Any:
    return client.get(f"{reverse('kpis:dashboard', args=[code])}?{query}")


def test_the_national_summary_shows_the_figures_and_the_level_below(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["national_supervisor"])
    response = dashboard(client, "national")
    assert response.status_code == 200
    page = response.content.decode()
    assert "全国汇总" in page
    board = response.context["board"]
    assert board.kpis["applications"] == 7 and board.subtree
    assert [c["centre"].code for c in board.children] == ["sh", "zj"]
    assert [c["kpis"]["applications"] for c in board.children] == [6, 1]
    assert reverse("kpis:dashboard", args=["sh"]) in page  # drill-down to the province
    assert 'id="kpi-chart-data"' in page and "echarts-5.6.0.min.js" in page


def test_a_centres_staff_see_its_own_cases_only(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["sh_director"])
    response = dashboard(client, "sh", "period=2026-03&scope=subtree")
    board = response.context["board"]
    assert not board.subtree and board.children == []
    assert board.kpis["applications"] == 5
    assert reverse("kpis:dashboard", args=["sh-pd"]) not in response.content.decode()
    assert client.get(reverse("kpis:home")).context["board"].centre.code == "sh"


def test_a_supervisor_may_choose_the_centres_own_figures(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["sh_supervisor"])
    assert dashboard(client, "sh", "period=2026-03").context["board"].kpis["applications"] == 6
    assert dashboard(client, "sh", "period=2026-03&scope=own").context["board"].kpis["applications"] == 5
    assert dashboard(client, "national").status_code == 404


def test_the_period_comparisons(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["national_supervisor"])
    board = dashboard(client, "national", "period=2026-04").context["board"]
    assert board.kpis["applications"] == 0 and board.previous["applications"] == 7
    assert board.year_before["applications"] == 0
    quarter = dashboard(client, "national", "period=2026-Q1").context["board"]
    assert quarter.kpis["applications"] == 7 and [m["applications"] for m in quarter.monthly] == [0, 0, 7]


def test_excel_and_csv_exports_hold_the_figures(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["national_supervisor"])
    url = reverse("kpis:export", args=["national", "summary", "xlsx"])
    response = client.get(f"{url}?period=2026-03")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = {row[0]: row[1:] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["申请数"] == (7, 0, 0)
    assert rows["受理率 (%)"][0] == 83.3
    assert rows["受理用时中位数（工作日）"][0] == 2

    url = reverse("kpis:export", args=["national", "children", "csv"])
    text = b"".join(client.get(f"{url}?period=2026-03").streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:3] == ["机构代码", "机构", "申请数"]
    assert [(r[0], r[2]) for r in table[1:]] == [("sh", "6"), ("zj", "1")]

    url = reverse("kpis:export", args=["national", "by-industry", "xlsx"])
    sheet = load_workbook(io.BytesIO(b"".join(client.get(f"{url}?period=2026-03").streaming_content))).active
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        ("制造业", 6, 85.7, 4, 2),
        ("信息传输、软件和信息技术服务业", 1, 14.3, 1, 0),
    ]


def test_unknown_tables_and_formats_answer_404(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["national_supervisor"])
    assert client.get(reverse("kpis:export", args=["national", "secrets", "csv"])).status_code == 404
    assert client.get(reverse("kpis:export", args=["national", "summary", "pdf"])).status_code == 404
    assert client.get(reverse("kpis:export", args=["national", "by-nothing", "csv"])).status_code == 404
    assert client.get(reverse("kpis:cases", args=["national"]) + "?format=docx").status_code == 404
    leaf = client_of(network["sh_director"])
    assert leaf.get(reverse("kpis:export", args=["sh", "children", "csv"])).status_code == 404


def test_the_cases_behind_a_figure(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["national_supervisor"])
    url = reverse("kpis:cases", args=["national"])
    page = client.get(f"{url}?period=2026-03&set=concluded").context["page"]
    assert {c.pk for c in page} == {march["c1"].pk, march["c6"].pk}
    page = client.get(f"{url}?period=2026-03&set=applications&dim=industry&key=I").context["page"]
    assert [c.pk for c in page] == [march["c7"].pk]
    page = client.get(f"{url}?period=2026-03&set=rejected").context["page"]
    assert [c.pk for c in page] == [march["c4"].pk]
    page = client.get(f"{url}?set=overdue").context["page"]
    assert [c.pk for c in page] == [march["c5"].pk]
    response = client.get(f"{url}?period=2026-03&set=accepted&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    numbers = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    expected = {march[k].tracking_number for k in ("c1", "c2", "c3", "c6", "c7")}
    assert numbers == expected
    # A centre's staff see only their own centre's cases behind its figures.
    own = client_of(network["sh_handler"]).get(f"{reverse('kpis:cases', args=['sh'])}?period=2026-03&set=accepted")
    assert {c.pk for c in own.context["page"]} == {march[k].pk for k in ("c1", "c2", "c3")}


def test_the_ranking_of_centres(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["zj_intake"])
    response = client.get(f"{reverse('kpis:ranking')}?period=2026-03")
    rows = list(response.context["page"])
    assert [(r["centre"].code, r["position"], r["value"]) for r in rows] == [
        ("sh", 1, 5.0),
        ("sh-pd", 2, 1.0),
        ("zj", 2, 1.0),
    ]
    rows = list(client.get(f"{reverse('kpis:ranking')}?period=2026-03&metric=acceptance_rate").context["page"])
    # Every rate here rests on fewer than five decisions: listed, not ranked.
    assert all(r["position"] is None for r in rows)
    response = client.get(f"{reverse('kpis:ranking')}?period=2026-03&format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][:3] == ["1", "sh", "上海市知识产权维权援助中心"]


def test_english_dashboard(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["national_supervisor"])
    client.cookies["django_language"] = "en"
    page = dashboard(client, "national", "period=2026-03").content.decode()
    assert "Applications" in page and "Manufacturing" in page
    assert "Shanghai" in dashboard(client, "national", "period=2026-03").context["charts"]["regions"]["names"]


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_centres_or_the_months(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["national_supervisor"])
    url = f"{reverse('kpis:dashboard', args=['national'])}?period=2026"
    ranking = f"{reverse('kpis:ranking')}?period=2026"
    before = count_queries(client, url), count_queries(client, ranking)
    for n in range(4):
        CentreFactory(code=f"extra-{n}", name=f"新增中心{n}", parent=network["national"], region_id="330000")
    build_march(network)  # the data twice over: more rows in every month and centre
    kpi_rebuild()
    assert (count_queries(client, url), count_queries(client, ranking)) == before


def test_the_api_gives_the_same_figures(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["national_supervisor"])
    body = client.get("/api/v1/kpis/centres/national?period=2026-03").json()
    assert body["period"] == {
        "code": "2026-03",
        "label": "2026年3月",
        "first_day": "2026-03-01",
        "last_day": "2026-03-31",
    }
    assert body["subtree"] is True and body["kpis"]["applications"] == 7
    assert body["kpis"]["acceptance_rate"] == pytest.approx(5 / 6)
    assert [(c["centre"]["code"], c["kpis"]["applications"]) for c in body["children"]] == [("sh", 6), ("zj", 1)]
    assert {r["key"]: r["applications"] for r in body["breakdowns"]["industry"]} == {"C": 6, "I": 1}
    assert body["months"] == [
        {"month": "2026-03", "applications": 7, "accepted": 5, "rejected": 1, "concluded": 2, "referrals": 1,
         "expert_tasks": 0}
    ]  # fmt: skip
    own = client_of(network["sh_handler"]).get("/api/v1/kpis/centres/sh?period=2026-03&scope=subtree").json()
    assert own["subtree"] is False and own["kpis"]["applications"] == 5 and own["children"] == []
    assert client_of(network["sh_handler"]).get("/api/v1/kpis/centres/zj").status_code == 404
    ranking = client.get("/api/v1/kpis/ranking?period=2026-03&page_size=2").json()
    assert (ranking["count"], ranking["pages"]) == (3, 2)
    assert [(r["position"], r["centre"]["code"]) for r in ranking["items"]] == [(1, "sh"), (2, "sh-pd")]
