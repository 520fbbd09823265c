"""Reading and verifying audit events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from weiyuan.audit.models import AuditChainHead, AuditEvent
from weiyuan.audit.services import GENESIS_HASH, event_digest


def audit_events_for_case(*, case_id: int) -> QuerySet[AuditEvent]:
    """A case's trail; the caller has already checked that the user may see the case's audit trail."""
    return AuditEvent.objects.filter(case_id=case_id).select_related("actor").order_by("id")


@dataclass(frozen=True)
class BrokenLink:
    chain: int
    seq: int
    event_id: int | None
    reason: str


def audit_chain_verify(*, chunk_size: int = 5000) -> Iterator[BrokenLink | int]:
    """Walk every chain in order; yield the number of events checked per chunk, and the first broken link per chain."""
    for head in AuditChainHead.objects.order_by("chain"):
        expected_prev = GENESIS_HASH
        expected_seq = 1
        last_seq = 0
        broken = False
        while not broken:
            batch = list(
                AuditEvent.objects.filter(chain=head.chain, seq__gte=expected_seq).order_by("seq")[:chunk_size]
            )
            if not batch:
                break
            for event in batch:
                if event.seq != expected_seq:
                    yield BrokenLink(head.chain, expected_seq, None, "event missing (sequence gap)")
                    broken = True
                    break
                if event.prev_hash != expected_prev:
                    yield BrokenLink(head.chain, event.seq, event.pk, "previous-hash link does not match")
                    broken = True
                    break
                if event_digest(event) != event.hash:
                    yield BrokenLink(head.chain, event.seq, event.pk, "content changed after it was written")
                    broken = True
                    break
                expected_prev = event.hash
                last_seq = event.seq
                expected_seq += 1
            yield len(batch)
        if not broken and (last_seq != head.last_seq or (last_seq and expected_prev != head.last_hash)):
            yield BrokenLink(
                head.chain, last_seq + 1, None, "chain head does not match the last event (events removed)"
            )
