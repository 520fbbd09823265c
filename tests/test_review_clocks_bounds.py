"""Review finding 9: the deadline calculator and `manage.py deadline` refuse far dates and absurd lengths by name."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from weiyuan.clocks.rules import CHINA_TZ, RULES, START_MAX, START_MIN, deadline_calculate, start_in_range

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("deadline", *args, stdout=out)
    return out.getvalue()


def calculate(client: Client, **params: str) -> Any:
    return client.get(reverse("clocks:calculator"), params)


# --- the page ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"rule": "acceptance", "start": "9999-12-30", "amount": "10"},
        {"rule": "info_response", "start": "9999-12-30"},
        {"rule": "fair_respondent_defence", "start": "9999-12-31 23:00", "amount": "3650"},
        {"rule": "acceptance", "start": "0001-01-01"},
        {"rule": "handling", "start": "2201-01-01T00:00"},
        {"rule": "handling", "start": "1949-09-30 23:59"},
    ],
)
def test_calculator_refuses_a_start_outside_the_range_by_name(client: Client, params: dict[str, str]) -> None:
    response = calculate(client, **params)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "起算时间须在 1949-10-01 至 2200-12-31 之间" in errors["start"][0]
    body = response.content.decode()
    assert 'class="errorlist"' in body and "请检查年份" in body
    assert 'id="result"' not in body


@pytest.mark.parametrize(
    ("start", "due"),
    [("1949-10-01T00:00", "1949-10-07"), ("2200-12-31T09:00", "2201-01-07")],
)
def test_calculator_accepts_the_ends_of_the_range(client: Client, start: str, due: str) -> None:
    response = calculate(client, rule="acceptance", start=start)
    assert response.status_code == 200
    assert due in response.content.decode()
    assert 'id="result"' in response.content.decode()


@pytest.mark.parametrize(
    ("rule", "amount", "fragment"),
    [
        ("acceptance", "0", "期限长度至少为 1"),
        ("acceptance", "-5", "不能为负数或 0"),
        ("fair_respondent_defence", "8761", "规则「展会被投诉人提交答辩」最多 8760 小时"),
        ("fair_respondent_defence", "99999999999999999999", "请填写 1 到 8760 之间的整数"),
        ("acceptance", "3651", "规则「受理审查」最多 3650 个工作日"),
        ("info_response", "5000", "规则「补正材料」最多 3650 日（自然日）"),
    ],
)
def test_calculator_refuses_an_amount_outside_the_range_by_name(
    client: Client, rule: str, amount: str, fragment: str
) -> None:
    response = calculate(client, rule=rule, start="2026-02-13T10:00", amount=amount)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "amount" in errors and set(errors) == {"amount"}
    assert any(fragment in message for message in errors["amount"]), errors["amount"]
    assert fragment in response.content.decode()


def test_calculator_with_an_unknown_rule_still_bounds_the_amount(client: Client) -> None:
    response = calculate(client, rule="nope", start="2026-02-13T10:00", amount="9000")
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "rule" in errors and errors["amount"] == ["期限长度不能超过 8760。"]


def test_calculator_accepts_the_largest_lengths(client: Client) -> None:
    response = calculate(client, rule="fair_respondent_defence", start="2026-02-13T10:00", amount="8760")
    assert response.status_code == 200 and "2027-02-13 10:00:00" in response.content.decode()
    response = calculate(client, rule="acceptance", start="2200-12-31T10:00", amount="3650")
    assert response.status_code == 200 and 'id="result"' in response.content.decode()


# --- the command ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start",
    ["9999-12-30", "9999-12-31T23:00:00+00:00", "0001-01-01", "0001-01-01T00:00:00+14:00", "2201-01-01", "1900-01-01"],
)
def test_command_refuses_a_start_outside_the_range_naming_start(start: str) -> None:
    with pytest.raises(CommandError) as err:
        run("acceptance", start)
    message = str(err.value)
    assert "START" in message and "1949-10-01" in message and "2200-12-31" in message
    assert all(code in message for code in RULES)


@pytest.mark.parametrize(
    ("rule", "amount", "limit"),
    [("acceptance", "0", "3650"), ("info_response", "3651", "3650"), ("fair_respondent_defence", "8761", "8760")],
)
def test_command_refuses_an_amount_outside_the_range_naming_amount(rule: str, amount: str, limit: str) -> None:
    with pytest.raises(CommandError) as err:
        run(rule, "2026-02-13", "--amount", amount)
    message = str(err.value)
    assert "--amount" in message and f"1 到 {limit}" in message and rule in message


def test_command_accepts_the_ends_of_the_ranges() -> None:
    payload = json.loads(run("fair_respondent_defence", "2200-12-31T10:00", "--amount", "8760", "--json"))
    assert payload["due"] == "2201-12-31T10:00:00+08:00"
    payload = json.loads(run("info_response", "1949-10-01", "--amount", "1", "--json"))
    assert payload["due"].startswith("1949-10-")


# --- the rules --------------------------------------------------------------------------------------------------


def test_deadline_calculate_refuses_out_of_range_input_instead_of_overflowing() -> None:
    with pytest.raises(ValueError, match="outside"):
        deadline_calculate("acceptance", dt.datetime(9999, 12, 30, tzinfo=CHINA_TZ))
    with pytest.raises(ValueError, match="amount"):
        deadline_calculate("acceptance", dt.datetime(2026, 2, 13, tzinfo=CHINA_TZ), amount=0)
    with pytest.raises(ValueError, match="amount"):
        deadline_calculate("fair_respondent_defence", dt.datetime(2026, 2, 13, tzinfo=CHINA_TZ), amount=8761)


def test_start_in_range_reads_the_beijing_date() -> None:
    assert start_in_range(dt.datetime.combine(START_MIN, dt.time(0, 0), tzinfo=CHINA_TZ))
    assert start_in_range(dt.datetime.combine(START_MAX, dt.time(23, 59), tzinfo=CHINA_TZ))
    # 16:30 UTC on 31 December 2200 is already 1 January 2201 in Beijing.
    assert not start_in_range(dt.datetime(2200, 12, 31, 16, 30, tzinfo=dt.UTC))
    assert not start_in_range(dt.datetime(9999, 12, 31, 23, tzinfo=dt.UTC))  # would overflow on conversion
    assert start_in_range(dt.datetime(2026, 2, 13, 10))  # naive: Beijing time
