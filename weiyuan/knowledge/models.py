"""Knowledge base, first part: laws, regulations and judicial interpretations, split per article, with versions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LawKind(models.TextChoices):
    LAW = "law", _("法律")
    REGULATION = "regulation", _("行政法规")
    JUDICIAL_INTERPRETATION = "judicial_interpretation", _("司法解释")
    LOCAL_REGULATION = "local_regulation", _("地方性法规")
    OTHER = "other", _("其他规范性文件")


class Law(models.Model):
    """One law across its versions; `key` (the title without 中华人民共和国) is its stable URL part."""

    key = models.CharField(_("简称"), max_length=200, unique=True)
    title = models.CharField(_("标题"), max_length=300)
    kind = models.CharField(_("类别"), max_length=32, choices=LawKind.choices)
    current_version = models.ForeignKey(
        "LawVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "key"]

    def __str__(self) -> str:
        return self.title


class LawVersion(models.Model):
    """One text of a law as imported; a changed text becomes a new version, earlier ones are kept."""

    law = models.ForeignKey(Law, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("版本"))
    dates = models.TextField(_("通过及修正"), blank=True)
    effective_label = models.CharField(_("版本日期"), max_length=20, blank=True)
    source_file = models.CharField(max_length=300)
    content_hash = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["law", "number"]
        constraints = [
            models.UniqueConstraint(fields=["law", "number"], name="lawversion_unique_number"),
            models.UniqueConstraint(fields=["law", "content_hash"], name="lawversion_unique_content"),
        ]

    def __str__(self) -> str:
        return f"{self.law.key} v{self.number}"


class Article(models.Model):
    """An article (条) of one version. Documents without numbered articles are one item, number 0."""

    version = models.ForeignKey(LawVersion, on_delete=models.CASCADE, related_name="articles")
    position = models.PositiveIntegerField()
    number = models.PositiveIntegerField(_("条号"))
    number_text = models.CharField(_("条文序号"), max_length=20)
    chapter = models.CharField(_("章"), max_length=200, blank=True)
    section = models.CharField(_("节"), max_length=200, blank=True)
    text = models.TextField(_("条文"))

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="article_unique_position")]
        indexes = [models.Index(fields=["version", "number"], name="article_version_number_idx")]

    def __str__(self) -> str:
        return f"{self.version.law.key} {self.number_text}"
