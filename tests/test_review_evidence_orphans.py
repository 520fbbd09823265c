"""Review finding 11: bytes stored by a transaction that rolled back are found and removed by `evidence_orphans`."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from tests.factories import UserFactory, pdf_upload, png_upload
from weiyuan.audit.models import AuditEvent
from weiyuan.evidence.models import EvidenceFile
from weiyuan.evidence.services import (
    OrphanFile,
    evidence_orphans_delete,
    evidence_orphans_find,
    evidence_store,
)

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    """A storage of its own, so files other tests leave behind do not show up here."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def stored_names(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def age(root: Path, name: str, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(root / name, (then, then))


def orphan_from_rolled_back_transaction(user: Any, root: Path) -> str:
    before = stored_names(root)
    with pytest.raises(RuntimeError), transaction.atomic():
        evidence_store(upload=png_upload("orphan.png"), uploaded_by=user)
        raise RuntimeError("the surrounding service failed after the upload was stored")
    (name,) = stored_names(root) - before
    return name


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("evidence_orphans", *args, stdout=out)
    return out.getvalue()


def test_a_rollback_leaves_bytes_that_the_sweep_finds_and_deletes(media: Path) -> None:
    user = UserFactory()
    kept = evidence_store(upload=pdf_upload("kept.pdf"), uploaded_by=user)
    orphan = orphan_from_rolled_back_transaction(user, media)
    assert orphan.startswith("evidence/") and not EvidenceFile.objects_unscoped.filter(file=orphan).exists()
    assert (media / orphan).exists()  # storage is not transactional: the bytes outlived the rollback

    # Too young: it might belong to an upload whose transaction is still open.
    assert evidence_orphans_find(older_than=HOUR) == []
    age(media, orphan, 30)
    age(media, kept.file.name, 30)
    found = evidence_orphans_find(older_than=HOUR)
    assert [o.name for o in found] == [orphan]  # the file with a row is never listed
    assert found[0].size == (media / orphan).stat().st_size and found[0].modified_at is not None

    # Listing deletes nothing.
    listing = run("--older-than", "24")
    assert orphan in listing and "1 orphaned file(s)" in listing and "--delete" in listing
    assert (media / orphan).exists()

    report = run("--delete")
    assert "deleted 1 of 1" in report
    assert not (media / orphan).exists()
    assert (media / kept.file.name).exists()
    event = AuditEvent.objects.get(action="evidence.orphan_deleted")
    assert event.after is not None and event.after["name"] == orphan
    assert run("--delete").strip().endswith("deleted 0 of 0 orphaned file(s)")


def test_older_than_is_respected_by_the_command(media: Path) -> None:
    orphan = orphan_from_rolled_back_transaction(UserFactory(), media)
    age(media, orphan, 5)
    assert "0 orphaned file(s)" in run()  # default: 24 hours
    assert orphan in run("--older-than", "4")
    assert "deleted 0 of 0" in run("--delete")
    assert (media / orphan).exists()
    assert "deleted 1 of 1" in run("--delete", "--older-than", "4")


@pytest.mark.parametrize("hours", ["0", "-3"])
def test_command_refuses_too_small_an_age_naming_the_option(media: Path, hours: str) -> None:
    orphan = orphan_from_rolled_back_transaction(UserFactory(), media)
    with pytest.raises(CommandError) as err:
        run("--delete", "--older-than", hours)
    assert "--older-than" in str(err.value) and "1" in str(err.value)
    assert (media / orphan).exists()


def test_command_refuses_a_non_number() -> None:
    with pytest.raises(CommandError, match="older-than"):
        run("--older-than", "soon")


def test_service_refuses_too_small_an_age_and_rechecks_before_deleting(media: Path) -> None:
    user = UserFactory()
    orphan = orphan_from_rolled_back_transaction(user, media)
    age(media, orphan, 48)
    found = evidence_orphans_find(older_than=HOUR)
    with pytest.raises(ValidationError) as err:
        evidence_orphans_delete(orphans=found, older_than=dt.timedelta(minutes=10))
    assert "older_than" in err.value.message_dict
    # A row that appears between listing and deleting keeps its file.
    row = evidence_store(upload=png_upload("late.png"), uploaded_by=user)
    EvidenceFile.objects_unscoped.filter(pk=row.pk).update(file=orphan)
    assert evidence_orphans_delete(orphans=found, older_than=HOUR) == 0
    assert (media / orphan).exists()
    # A file touched since the listing is too young to delete.
    EvidenceFile.objects_unscoped.filter(pk=row.pk).update(file=row.file.name)
    age(media, orphan, 0)
    assert evidence_orphans_delete(orphans=found, older_than=HOUR) == 0
    assert (media / orphan).exists()


def test_files_outside_the_evidence_folder_are_never_touched(media: Path) -> None:
    default_storage.save("exports/report.csv", io.BytesIO(b"a,b\n"))
    age(media, "exports/report.csv", 100)
    assert evidence_orphans_find(older_than=HOUR) == []
    assert evidence_orphans_delete(orphans=[OrphanFile("exports/report.csv", 4, None)], older_than=HOUR) == 0
    assert (media / "exports/report.csv").exists()


def test_an_empty_storage_has_no_orphans(media: Path) -> None:
    assert evidence_orphans_find(older_than=HOUR) == []
    assert "0 orphaned file(s), 0 bytes" in run()
