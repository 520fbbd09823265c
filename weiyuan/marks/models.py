"""The register of trademarks that screening compares against, and the Nice classes.

The register is reference data (public trademark register extracts, imported with `manage.py tm_import`), not a
case record: it is not scoped by centre. Who may screen against it is decided in weiyuan/access when the screening
page and API arrive (next step).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

NICE_CLASS_COUNT = 45


class NiceClass(models.Model):
    """One of the 45 classes of the Nice Classification (11th edition); the headings ship as a data migration."""

    number = models.PositiveSmallIntegerField(primary_key=True)
    heading_zh = models.CharField(max_length=60)
    heading_en = models.CharField(max_length=120)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.heading_zh}"


class MarkStatus(models.TextChoices):
    APPLIED = "applied", _("已申请")
    REGISTERED = "registered", _("已注册")
    EXPIRED = "expired", _("已过期")
    INVALID = "invalid", _("已无效")


class Mark(models.Model):
    text = models.CharField(max_length=60)
    # normalise.normalise_mark(text).text: what signals compare; indexed for exact look-ups and the next step's
    # candidate index.
    normalised = models.CharField(max_length=60, db_index=True)
    number = models.CharField(max_length=32, unique=True)  # registration or application number
    classes = models.JSONField(default=list)  # Nice class numbers, ascending
    # [{"name": "方便面", "group": "3002"}]; the group (类似群) is "" where unknown.
    goods = models.JSONField(default=list, blank=True)
    groups = models.JSONField(default=list, blank=True)  # the distinct similar-group codes of `goods`, ascending
    owner = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=MarkStatus.choices, default=MarkStatus.REGISTERED)
    applied_on = models.DateField(null=True, blank=True)
    registered_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(normalised__gt=""), name="marks_mark_normalised_not_empty"),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in MarkStatus]), name="marks_mark_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.number})"


class MarkKey(models.Model):
    """One key of a mark in the candidate index (index.py): screening looks marks up by key instead of scanning
    the register. `kind` says what the key is (index.KIND_*: bigram, pinyin, glyph group, Latin skeleton ...).

    No surrogate id: at a million marks the index has about 18 million rows, and the composite primary key
    (mark, kind, key) is both the row's identity and the index that replacing a mark's keys deletes by."""

    pk = models.CompositePrimaryKey("mark", "kind", "key")
    mark = models.ForeignKey(Mark, on_delete=models.CASCADE, related_name="keys", db_index=False)
    kind = models.CharField(max_length=2)
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [
            # (kind, key) finds the postings; mark last so PostgreSQL answers the candidate query from the index.
            models.Index(fields=["kind", "key", "mark"], name="marks_key_kind_key_mark"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} -> {self.mark_id}"


class MarkKeyStat(models.Model):
    """How many marks have each key (document frequency), so screening reads the rare keys of a query and skips
    the common ones without counting postings. Kept by index.replace_keys; rebuilt exactly by tm_reindex. The row
    kind "*", key "marks" holds the number of indexed marks."""

    pk = models.CompositePrimaryKey("kind", "key")
    kind = models.CharField(max_length=2)
    key = models.CharField(max_length=64)
    marks = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.kind}:{self.key} in {self.marks} marks"


class SimilarGroup(models.Model):
    """A similar group (类似群) of the Chinese similar goods and services table (类似商品和服务区分表): a four-digit
    code inside one Nice class. Imported with `manage.py tm_import_groups` so goods closeness can name groups."""

    code = models.CharField(max_length=4, primary_key=True)
    nice_class = models.ForeignKey(NiceClass, on_delete=models.PROTECT, related_name="similar_groups")
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"
