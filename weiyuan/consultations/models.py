"""Consultation 咨询指导: a case of service type "consultation" with its topic, at most two rounds of question and
answer (the question and one follow-up), the answers' citations of the knowledge base, the applicant's rating, and
the selection of excellent Q&A 优秀问答 for the knowledge base."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The question's length: long enough for facts and context, short enough to stay a question.
QUESTION_MIN_LENGTH = 5
QUESTION_MAX_LENGTH = 2000
ANSWER_MIN_LENGTH = 10  # a result letter is at least 10 characters (cases.services.case_conclude)
ANSWER_MAX_LENGTH = 10000
RATING_COMMENT_MAX_LENGTH = 1000
MAX_ROUNDS = 2  # the question and one follow-up
MAX_CITATIONS = 20


class Topic(models.TextChoices):
    """What the question is about, in the words of the guideline (2020 No. 22, §四 and §九)."""

    LAW = "law", _("法律法规")
    PROCEDURE = "procedure", _("授权确权程序")
    LEGAL_STATUS = "legal_status", _("法律状态")
    DISPUTE = "dispute", _("纠纷处理方式（维权途径）")
    EVIDENCE = "evidence", _("取证方法")
    OVERSEAS = "overseas", _("海外纠纷应对")
    OTHER = "other", _("其他")


class Consultation(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="consultation")
    topic = models.CharField(_("咨询主题"), max_length=16, choices=Topic.choices)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="consultation_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.topic}"


class Question(models.Model):
    """One round: round 1 is the question asked, round 2 the applicant's one follow-up."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    round = models.PositiveSmallIntegerField(_("轮次"))
    text = models.TextField(_("问题"))
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(auto_now_add=True)
    # The answer clock of a follow-up (round 1 runs on the case's handling clock, started at acceptance).
    clock = models.ForeignKey("clocks.Clock", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["consultation", "round"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "round"], name="consultation_question_unique_round"),
            models.CheckConstraint(condition=models.Q(round__gte=1, round__lte=MAX_ROUNDS), name="question_round_1_2"),
        ]


class AnswerState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("已退回修改")
    SENT = "sent", _("已答复")


class Answer(models.Model):
    """The answer to one round, written by the handler or drafted by a volunteer for the handler's approval."""

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="answer")
    state = models.CharField(_("状态"), max_length=16, choices=AnswerState.choices, default=AnswerState.DRAFT)
    body = models.TextField(_("答复"), blank=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Set once a volunteer has written the draft: it is then sent only with a handler's approval.
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("退回理由"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state"], name="consultation_answer_state_idx")]


class Citation(models.Model):
    """An answer cites a law article (the row of one law version, so the exact text) or a published Q&A item."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="citations")
    article = models.ForeignKey(
        "knowledge.Article", null=True, blank=True, on_delete=models.PROTECT, related_name="consultation_citations"
    )
    item = models.ForeignKey(
        "knowledge.KnowledgeItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consultation_citations",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["answer", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(article__isnull=False, item__isnull=True)
                | models.Q(article__isnull=True, item__isnull=False),
                name="consultation_citation_one_target",
            ),
            models.UniqueConstraint(
                fields=["answer", "article"],
                condition=models.Q(article__isnull=False),
                name="consultation_citation_unique_article",
            ),
            models.UniqueConstraint(
                fields=["answer", "item"],
                condition=models.Q(item__isnull=False),
                name="consultation_citation_unique_item",
            ),
        ]


class FeaturedState(models.TextChoices):
    NOMINATED = "nominated", _("已推荐，待脱敏")
    REDACTED = "redacted", _("已脱敏，待审批")
    PUBLISHED = "published", _("已发布")
    REJECTED = "rejected", _("未采用")


class FeaturedQA(models.Model):
    """A nomination of an answered consultation as excellent Q&A 优秀问答: redacted by a person, approved by the
    centre's director, then published to the knowledge base with credit to the centre."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="nominations")
    state = models.CharField(_("状态"), max_length=16, choices=FeaturedState.choices, default=FeaturedState.NOMINATED)
    reason = models.TextField(_("推荐理由"), blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nominated_at = models.DateTimeField(auto_now_add=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    question = models.TextField(_("问题（脱敏后）"), blank=True)
    answer = models.TextField(_("解答（脱敏后）"), blank=True)
    # Codes of the knowledge base's topic tags (knowledge.Tag, kind "topic") the published item gets.
    topic_tags = models.JSONField(_("主题标签"), default=list, blank=True)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redacted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField(_("不予采用的理由"), blank=True)
    knowledge_item = models.ForeignKey(
        "knowledge.KnowledgeItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-nominated_at", "-id"]
        constraints = [
            # One nomination at a time; a rejected one may be followed by a new one.
            models.UniqueConstraint(
                fields=["consultation"],
                condition=~models.Q(state="rejected"),
                name="featured_qa_one_open_per_consultation",
            )
        ]
        indexes = [models.Index(fields=["state", "-nominated_at"], name="featured_qa_state_idx")]
