"""`manage.py deadline` and the deadline calculator page."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from weiyuan.clocks.models import HolidayOverride
from weiyuan.clocks.rules import RULES


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


# --- the command ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_deadline_text_output():
    text = run("acceptance", "2026-02-13T10:00")
    assert "acceptance" in text
    assert "2026-02-13T10:00:00+08:00" in text  # a naive START is Beijing time
    assert "2026-02-27T23:59:59+08:00" in text
    assert "计入工作日：5" in text
    assert str(RULES["acceptance"].source) in text
    assert "官方节假日安排未覆盖" not in text


@pytest.mark.django_db
def test_deadline_json_output():
    payload = json.loads(run("info_response", "2026-09-20", "--json"))
    assert set(payload) == {"rule", "start", "due", "unit", "amount", "source", "calendar_fallback"}
    assert payload == {
        "rule": "info_response",
        "start": "2026-09-20T00:00:00+08:00",
        "due": "2026-10-08T23:59:59+08:00",  # 5 October is a National Day holiday: Civil Code Art. 203
        "unit": "calendar_days",
        "amount": 15,
        "source": str(RULES["info_response"].source),
        "calendar_fallback": False,
    }


@pytest.mark.django_db
def test_deadline_json_with_amount_timezone_and_fallback():
    payload = json.loads(run("fair_respondent_defence", "2026-10-01T01:30:00+00:00", "--amount", "48", "--json"))
    assert payload["amount"] == 48 and payload["unit"] == "hours"
    assert payload["due"] == "2026-10-03T09:30:00+08:00"

    payload = json.loads(run("handling", "2027-01-20", "--json"))
    assert payload["calendar_fallback"] is True
    assert payload["due"] == "2027-03-03T23:59:59+08:00"  # 30 weekdays: weekends only in 2027


@pytest.mark.django_db
def test_deadline_text_warns_about_the_fallback():
    assert "官方节假日安排未覆盖 2027 年" in run("acceptance", "2027-02-05")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("nope", "2026-02-13"), "RULE"),
        (("acceptance", "2026-13-01"), "START"),
        (("acceptance", "yesterday"), "START"),
        (("acceptance", "2026-02-13", "--amount", "-3"), "--amount"),
    ],
)
def test_deadline_errors_name_the_argument_and_list_the_rules(args, names):
    with pytest.raises(CommandError) as err:
        run(*args)
    message = str(err.value)
    assert names in message
    for code in RULES:
        assert code in message


# --- the page ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_calculator_page_empty_form(client):
    response = client.get(reverse("clocks:calculator"))
    assert response.status_code == 200
    body = response.content.decode()
    for code in RULES:
        assert f'value="{code}"' in body
    assert 'id="result"' not in body


@pytest.mark.django_db
def test_calculator_page_computes_a_rule(client):
    response = client.get(reverse("clocks:calculator"), {"rule": "acceptance", "start": "2026-02-13T10:00"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2026-02-27 23:59:59" in body
    assert str(RULES["acceptance"].source) in body
    assert "计入的工作日" in body and "<dd>5</dd>" in body
    assert "春节" in body  # the skipped holiday is named
    assert "官方节假日安排尚未覆盖" not in body


@pytest.mark.django_db
def test_calculator_page_amount_override_and_fallback_warning(client):
    response = client.get(
        reverse("clocks:calculator"), {"rule": "acceptance", "start": "2027-02-05T09:00", "amount": "1"}
    )
    body = response.content.decode()
    assert "2027-02-08 23:59:59" in body
    assert "官方节假日安排尚未覆盖 2027 年" in body


@pytest.mark.django_db
def test_calculator_page_respects_holiday_overrides(client):
    HolidayOverride.objects.create(date="2027-02-08", is_working_day=False, name="春节（管理员录入）")
    response = client.get(
        reverse("clocks:calculator"), {"rule": "acceptance", "start": "2027-02-05T09:00", "amount": "1"}
    )
    body = response.content.decode()
    assert "2027-02-09 23:59:59" in body
    assert "春节（管理员录入）" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field_label", "fix"),
    [
        ({"rule": "nope", "start": "2026-02-13T10:00"}, "期限规则", "请从列表中选择"),
        ({"rule": "acceptance", "start": "13/02/2026"}, "起算时间", "2026-02-13 10:00"),
        ({"rule": "acceptance"}, "起算时间", "请填写起算时间"),
        ({"rule": "acceptance", "start": "2026-02-13T10:00", "amount": "-1"}, "期限长度", "不能为负数"),
        ({"rule": "acceptance", "start": "2026-02-13T10:00", "amount": "ten"}, "期限长度", "须为整数"),
    ],
)
def test_calculator_page_bad_input_names_the_field(client, params, field_label, fix):
    response = client.get(reverse("clocks:calculator"), params)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="errorlist"' in body
    assert field_label in body and fix in body
    assert 'id="result"' not in body


def test_holiday_override_is_managed_in_the_admin():
    assert admin_site.is_registered(HolidayOverride)
