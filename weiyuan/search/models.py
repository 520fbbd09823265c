"""The search index: one entry per published thing (law article, guide, Q&A, case study, training material).

The entry holds what a hit shows (title, text for the snippet, URL) and what filters need (type, law, IP types,
date). The words themselves live in a backend table kept beside it: an FTS5 table on SQLite, a GIN-indexed tsvector
table on PostgreSQL (see `weiyuan/search/backends/`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    ARTICLE = "article", _("法条")
    GUIDE = "guide", _("指南")
    QA = "qa", _("问答")
    CASE_STUDY = "case_study", _("案例")
    TRAINING = "training", _("培训资料")


class SearchEntry(models.Model):
    source = models.CharField(_("类型"), max_length=16, choices=Source.choices)
    source_id = models.PositiveBigIntegerField()
    title = models.CharField(_("标题"), max_length=400)
    # Normalised title (Simplified, folded): trigram fallback on PostgreSQL, exact-title boost everywhere.
    title_normalised = models.CharField(max_length=400)
    body = models.TextField(_("正文"))
    url = models.TextField()
    published_on = models.DateField(_("发布日期"), null=True, blank=True)
    law_key = models.CharField(_("法律"), max_length=200, blank=True)
    law_title = models.CharField(max_length=300, blank=True)
    article_number = models.PositiveIntegerField(null=True, blank=True)
    article_text = models.CharField(max_length=20, blank=True)
    # IP types as " patent trademark " (spaces around each code) so one LIKE filters them.
    ip_types = models.CharField(max_length=200, blank=True)
    centre_id = models.PositiveBigIntegerField(null=True, blank=True)
    # Multiplies the text score: national laws and interpretations 1.0, regulations a little less, local
    # regulations (which bind one province or city) less again.
    rank_weight = models.FloatField(default=1.0)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="search_entry_unique_source")]
        indexes = [
            models.Index(fields=["law_key", "article_number"], name="search_entry_law_article_idx"),
            models.Index(fields=["source", "published_on"], name="search_entry_source_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_id} {self.title}"


class TsVectorField(models.Field):
    """tsvector on PostgreSQL; on SQLite (where the FTS5 table holds the words) an unused text column."""

    def db_type(self, connection: object) -> str:
        return "tsvector" if getattr(connection, "vendor", "") == "postgresql" else "text"


class SearchVector(models.Model):
    """PostgreSQL's word index of an entry (written as a tsvector literal by `backends/postgres.py`). A Django
    model so that test flushes and cascades know the table."""

    entry = models.OneToOneField(
        SearchEntry, primary_key=True, on_delete=models.CASCADE, db_column="entry_id", related_name="+"
    )
    vector = TsVectorField()

    class Meta:
        db_table = "search_vector"


class CommonWord(models.Model):
    """Words held by more than COMMON_DOCUMENTS entries (SQLite only, refreshed when the index is optimized).

    SQLite's BM25 counts the entries holding each word of a query by walking the word's whole document list: for
    专利 in a million entries that alone takes 40 ms. A query with one of these words is ranked from the entry rows
    instead (`backends.base.broad_rank`), with the counts stored here as the words' weights."""

    token = models.CharField(max_length=100, primary_key=True)
    documents = models.PositiveIntegerField()

    class Meta:
        db_table = "search_common_word"
