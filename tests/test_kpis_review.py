"""Review of the KPI app: the scope of every read (pages, exports, the cases behind a figure, the API) for a province's
supervisor and a centre's staff, centre names in the page and the chart data, the English pages, and the nightly
rebuild waiting for a refresh instead of skipping."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.feedback_support import client_of
from tests.kpis_support import build_march
from weiyuan.kpis.models import KpiMonth
from weiyuan.kpis.services import ADVISORY_LOCK, kpi_rebuild, kpi_refresh

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


@pytest.fixture
def march(network: dict[str, Any]) -> dict[str, Any]:
    cases = build_march(network)
    kpi_rebuild()
    return cases


def _urls(code: str) -> list[str]:
    dashboard = reverse("kpis:dashboard", args=[code])
    cases = reverse("kpis:cases", args=[code])
    return [
        f"{dashboard}?period=2026-03",
        f"{dashboard}?period=2026-03&scope=own",
        f"{cases}?period=2026-03&set=applications",
        f"{cases}?period=2026-03&set=open&format=csv",
        reverse("kpis:export", args=[code, "summary", "csv"]) + "?period=2026-03",
        reverse("kpis:export", args=[code, "by-industry", "xlsx"]) + "?period=2026-03",
        f"/api/v1/kpis/centres/{code}?period=2026-03",
    ]


def test_a_province_supervisor_reaches_nothing_of_another_province(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["sh_supervisor"])
    for url in _urls("zj"):
        assert client.get(url).status_code == 404, url
    for url in _urls("sh-pd"):
        assert client.get(url).status_code == 200, url
    # Its own province's page offers no way up to the national figures.
    page = client.get(reverse("kpis:dashboard", args=["sh"]) + "?period=2026-03")
    assert page.context["parent_visible"] is False
    assert [c["centre"].code for c in page.context["board"].children] == ["sh-pd"]
    assert client.get(reverse("kpis:dashboard", args=["national"])).status_code == 404


def test_a_centres_staff_get_neither_another_centre_nor_the_level_below(march: Any, network: dict[str, Any]) -> None:
    client = client_of(network["sh_handler"])
    for code in ("zj", "sh-pd", "national"):
        for url in _urls(code):
            assert client.get(url).status_code == 404, url
    own = client.get(reverse("kpis:dashboard", args=["sh"]) + "?period=2026-03&scope=subtree")
    assert own.context["board"].subtree is False and own.context["board"].children == []
    assert own.context["may_subtree"] is False
    # The cases behind a figure, asked for the subtree, stay the centre's own.
    listed = client.get(reverse("kpis:cases", args=["sh"]) + "?period=2026-03&scope=subtree&set=applications")
    assert {c.centre.code for c in listed.context["page"]} == {"sh"}
    assert client.get(reverse("kpis:export", args=["sh", "children", "csv"]) + "?period=2026-03").status_code == 404


def test_a_centre_name_with_markup_stays_text(march: Any, network: dict[str, Any]) -> None:
    pudong = network["pudong"]
    pudong.name = '浦东</script><img src=x onerror="alert(1)">'
    pudong.save()
    page = client_of(network["sh_supervisor"]).get(reverse("kpis:dashboard", args=["sh"]) + "?period=2026-03")
    html = page.content.decode()
    assert "<img src=x" not in html and "</script><img" not in html
    # The chart data is JSON inside a script element: no closing tag, and the name comes back whole.
    data = re.search(r'<script id="kpi-chart-data" type="application/json">(.*?)</script>', html, re.S)
    assert data is not None
    assert json.loads(data.group(1))["children"]["names"] == [pudong.display_name]


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_the_english_pages_show_no_untranslated_text(march: Any, network: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model

    from weiyuan.cases.models import Case
    from weiyuan.network.models import Centre

    client = client_of(network["national_supervisor"])
    client.cookies["django_language"] = "en"
    user_data = sorted(
        {
            *(name for pair in Centre.objects.values_list("name", "name_en") for name in pair if name),
            *(v for row in Case.objects_unscoped.values_list("title", "applicant_name") for v in row if v),
            *(name for name in get_user_model().objects.values_list("display_name", flat=True) if name),
        },
        key=len,
        reverse=True,
    )
    urls = [
        reverse("kpis:dashboard", args=["national"]) + "?period=2026-03",
        reverse("kpis:dashboard", args=["sh"]) + "?period=2026-Q1",
        reverse("kpis:cases", args=["national"]) + "?period=2026-03&set=concluded",
        reverse("kpis:cases", args=["national"]) + "?period=2026-03&dim=industry&key=C",
        reverse("kpis:ranking") + "?period=2026-03&metric=on_time_rate",
        reverse("kpis:export", args=["national", "summary", "csv"]) + "?period=2026-03",
        reverse("kpis:export", args=["national", "clocks", "csv"]) + "?period=2026-03",
        reverse("kpis:export", args=["national", "referrals", "csv"]) + "?period=2026-03",
        reverse("kpis:export", args=["national", "outcomes", "csv"]) + "?period=2026-03",
        reverse("kpis:ranking") + "?period=2026-03&format=csv",
    ]
    for url in urls:
        text = _text(client, url)
        text = re.sub(r"<script.*?</script>", "", text, flags=re.S)  # the vendored chart library's name
        for value in user_data:
            text = text.replace(value, "")
        # The language picker names each language in itself.
        text = text.replace("简体中文", "").replace("中文", "")
        left = sorted(set(CJK.findall(text)))
        context = [text[max(0, m.start() - 30) : m.end() + 30] for m in CJK.finditer(text)][:3]
        assert not left, (url, context)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the advisory lock is PostgreSQL's")
def test_the_rebuild_waits_for_a_refresh_instead_of_skipping(network: dict[str, Any]) -> None:
    # Another connection holds the session-level lock, as a refresh in progress elsewhere does.
    build_march(network)
    other = connection.copy()
    other.inc_thread_sharing()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK])  # a refresh in progress elsewhere
        assert kpi_refresh().skipped is True

        def release() -> None:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])

        timer = threading.Timer(0.5, release)
        started = time.monotonic()
        timer.start()
        report = kpi_rebuild()
        timer.join()
        assert time.monotonic() - started >= 0.5
    finally:
        other.dec_thread_sharing()
        other.close()
    assert report.skipped is False and report.own_rows > 0
    assert KpiMonth.objects.filter(subtree=False).count() == report.own_rows


def test_a_centre_with_nothing_open_still_shows_when_its_figures_were_computed(
    march: Any, network: dict[str, Any]
) -> None:
    from weiyuan.kpis.models import KpiCurrent

    assert not KpiCurrent.objects.filter(centre=network["pudong"], subtree=False).exists()  # c6 is concluded
    page = client_of(network["sh_supervisor"]).get(reverse("kpis:dashboard", args=["sh-pd"]) + "?period=2026-03")
    assert page.context["board"].refreshed_at == KpiCurrent.objects.first().refreshed_at  # type: ignore[union-attr]
    assert page.context["board"].kpis["open_now"] == 0


def test_a_failed_refresh_puts_its_marks_back(march: Any, network: dict[str, Any], monkeypatch: Any) -> None:
    from weiyuan.kpis import services
    from weiyuan.kpis.models import KpiDirty
    from weiyuan.kpis.signals import mark

    pairs = {(network["shanghai"].pk, dt.date(2026, 3, 1)), (network["zhejiang"].pk, dt.date(2026, 3, 1))}
    mark(pairs)

    def broken(self: Any) -> Any:
        raise RuntimeError("source unavailable")

    monkeypatch.setattr(services.Collector, "run", broken)
    with pytest.raises(RuntimeError):
        services.kpi_refresh()
    assert set(KpiDirty.objects.values_list("centre_id", "month")) == pairs
