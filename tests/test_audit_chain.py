"""Audit events: chained per centre, append-only (ORM and, on PostgreSQL, a trigger), and any tampering found.

Tampering is simulated with raw SQL, as someone with database access would do it. On PostgreSQL the append-only
trigger blocks that first (tested), so the tampering tests switch it off inside the test's transaction.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tests.factories import ApplicantFactory, make_case
from weiyuan.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from weiyuan.audit.selectors import BrokenLink, audit_chain_verify
from weiyuan.audit.services import GENESIS_HASH, audit_record, event_digest
from weiyuan.cases import services as case_services

pytestmark = pytest.mark.django_db


def _broken() -> list[BrokenLink]:
    return [x for x in audit_chain_verify() if isinstance(x, BrokenLink)]


SQLITE_TRIGGERS = importlib.import_module("weiyuan.audit.migrations.0004_sqlite_append_only_triggers").TRIGGERS


def _raw(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


@contextmanager
def _append_only_trigger_off() -> Iterator[None]:
    """The database triggers refuse UPDATE and DELETE; switch them off (inside the test's transaction) to tamper."""
    if connection.vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            _raw(f"DROP TRIGGER IF EXISTS {name}", [])
        try:
            yield
        finally:
            for name, body in SQLITE_TRIGGERS.items():
                _raw(f"CREATE TRIGGER IF NOT EXISTS {name} {body}", [])
        return
    _raw("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_change", [])
    try:
        yield
    finally:
        _raw("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_change", [])


@pytest.fixture
def chains(network: dict[str, Any]) -> dict[str, int]:
    """Activity at two centres plus one network-wide event: three chains (Shanghai, Zhejiang, 0)."""
    applicant = ApplicantFactory()
    case = make_case(network["shanghai"], applicant)
    case = case_services.case_request_info(case=case, actor=network["sh_intake"], request_text="请补充证据。")
    case = case_services.case_answer_info(case=case, actor=applicant, answer_text="已补充。")
    case_services.case_accept(case=case, actor=network["sh_intake"])
    make_case(network["zhejiang"])
    with transaction.atomic():
        audit_record(actor=None, action="test.network_wide", object_type="test", object_id="1", after={"n": 1})
    return {"sh": network["shanghai"].pk, "zj": network["zhejiang"].pk, "network": 0}


def _event(chain: int, seq: int) -> AuditEvent:
    return AuditEvent.objects.get(chain=chain, seq=seq)


def test_events_are_chained_per_centre(chains: dict[str, int]) -> None:
    assert set(AuditChainHead.objects.values_list("chain", flat=True)) >= {chains["sh"], chains["zj"], 0}
    for chain in (chains["sh"], chains["zj"], 0):
        events = list(AuditEvent.objects.filter(chain=chain).order_by("seq"))
        assert events, chain
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert events[0].prev_hash == GENESIS_HASH
        for previous, event in pairwise(events):
            assert event.prev_hash == previous.hash
        for event in events:
            assert event_digest(event) == event.hash
        head = AuditChainHead.objects.get(chain=chain)
        assert (head.last_seq, head.last_hash) == (events[-1].seq, events[-1].hash)
    # A case's events stay in its centre's chain; the Shanghai chain holds the accept transition.
    assert AuditEvent.objects.filter(chain=chains["sh"], action="case.accept").exists()
    assert not AuditEvent.objects.filter(chain=chains["zj"], action="case.accept").exists()


def test_audit_verify_passes_on_a_clean_database(chains: dict[str, int]) -> None:
    assert _broken() == []
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("OK:")
    assert str(AuditEvent.objects.count()) in out.getvalue()


def test_orm_refuses_updates_and_deletes(chains: dict[str, int]) -> None:
    event = _event(chains["sh"], 2)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    event.action = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    # bulk_update runs in its own atomic block without a savepoint: give it one so the test can go on.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    assert _event(chains["sh"], 2).action != "tampered"
    assert _broken() == []


def test_database_trigger_blocks_raw_update_and_delete(chains: dict[str, int]) -> None:
    event = _event(chains["sh"], 2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(f"UPDATE audit_auditevent SET after = {_json_param()} WHERE id = %s", ['{"state": "closed"}', event.pk])
    if connection.vendor == "postgresql":  # SQLite blocks UPDATE only (its flush deletes); verify catches deletes
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert _event(chains["sh"], 2).after == event.after
    assert _broken() == []


def test_changed_content_is_reported_at_its_seq(chains: dict[str, int]) -> None:
    target = _event(chains["sh"], 4)
    with _append_only_trigger_off():
        _raw(
            f"UPDATE audit_auditevent SET after = {_json_param()} WHERE id = %s",
            [json.dumps({"state": "closed", "forged": True}), target.pk],
        )
    broken = _broken()
    assert [(b.chain, b.seq, b.event_id) for b in broken] == [(chains["sh"], 4, target.pk)]
    assert "content changed" in broken[0].reason
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=out)
    assert f"BROKEN chain {chains['sh']} at seq 4 " in out.getvalue()


def test_only_the_first_break_of_each_chain_is_reported(chains: dict[str, int]) -> None:
    first, later = _event(chains["sh"], 3), _event(chains["sh"], 6)
    other = _event(chains["zj"], 2)
    with _append_only_trigger_off():
        for event in (first, later, other):
            _raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged.action", event.pk])
    assert sorted((b.chain, b.seq) for b in _broken()) == sorted([(chains["sh"], 3), (chains["zj"], 2)])


def test_deleted_event_is_reported_as_a_gap(chains: dict[str, int]) -> None:
    target = _event(chains["sh"], 5)
    with _append_only_trigger_off():
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    broken = _broken()
    assert [(b.chain, b.seq) for b in broken] == [(chains["sh"], 5)]
    assert "missing" in broken[0].reason
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", stdout=out)
    assert f"BROKEN chain {chains['sh']} at seq 5 " in out.getvalue()


def test_deleted_last_event_is_reported_against_the_chain_head(chains: dict[str, int]) -> None:
    last = AuditEvent.objects.filter(chain=chains["zj"]).order_by("-seq").first()
    assert last is not None
    with _append_only_trigger_off():
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    broken = _broken()
    assert [(b.chain, b.seq) for b in broken] == [(chains["zj"], last.seq)]
    assert "removed" in broken[0].reason


def test_broken_link_is_reported_where_the_link_breaks(chains: dict[str, int]) -> None:
    target = _event(chains["sh"], 3)
    with _append_only_trigger_off():
        _raw("UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s", ["f" * 64, target.pk])
    broken = _broken()
    assert [(b.chain, b.seq) for b in broken] == [(chains["sh"], 3)]
    assert "previous-hash" in broken[0].reason


def test_rewritten_and_rehashed_event_is_caught_by_the_next_link(chains: dict[str, int]) -> None:
    """A forger who rewrites an event and recomputes its own hash still breaks the next event's link."""
    target = _event(chains["sh"], 3)
    target.after = {"state": "rejected", "forged": True}
    forged_hash = event_digest(target)
    with _append_only_trigger_off():
        _raw(
            f"UPDATE audit_auditevent SET after = {_json_param()}, hash = %s WHERE id = %s",
            [json.dumps(target.after), forged_hash, target.pk],
        )
    broken = _broken()
    assert [(b.chain, b.seq) for b in broken] == [(chains["sh"], 4)]
    assert "previous-hash" in broken[0].reason


def test_new_events_after_verification_keep_the_chain_intact(chains: dict[str, int], network: dict[str, Any]) -> None:
    before = AuditChainHead.objects.get(chain=chains["sh"]).last_seq
    make_case(network["shanghai"])
    head = AuditChainHead.objects.get(chain=chains["sh"])
    assert head.last_seq > before
    assert _event(chains["sh"], before + 1).prev_hash == _event(chains["sh"], before).hash
    assert _broken() == []
