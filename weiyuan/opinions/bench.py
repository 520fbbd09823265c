"""Timing the opinion letter: p50/p95 of generating one letter PDF (context read from the database + WeasyPrint)
for a signed utility-model opinion with a 3-claim chart of about 20 features and three cited articles.

The records are created in a transaction that is rolled back at the end, so any database (the bench database,
a development one) is left as it was."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from weiyuan.opinions.letter import letter_render
from weiyuan.opinions.models import Claim, Feature, Opinion, OpinionBasis

# (claim number, independent, features) of the benchmark chart: 8 + 6 + 7 = 21 features.
CHART: tuple[tuple[int, bool, int], ...] = ((1, True, 8), (2, False, 6), (3, True, 7))


@dataclass(frozen=True)
class LetterTimings:
    samples_ms: list[float]
    features: int
    size_bytes: int

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)]


class _Rollback(Exception):
    pass


def _bench_opinion() -> Opinion:
    from weiyuan.accounts.models import User
    from weiyuan.cases.models import Case, ServiceType
    from weiyuan.knowledge.models import Article
    from weiyuan.network.models import Centre, Region

    tag = uuid.uuid4().hex[:10]
    region = Region.objects.get(code="310000")
    centre = Centre.objects.create(
        code=f"bench-op-{tag}", name="上海市知识产权维权援助中心（基准测试）", kind="assistance_centre", region=region
    )
    Centre.objects.filter(pk=centre.pk).update(path=f"/{centre.pk}/")
    author = User.objects.create(username=f"bench-op-author-{tag}", display_name="基准专家")
    director = User.objects.create(username=f"bench-op-director-{tag}", display_name="基准负责人")
    case = Case.objects_unscoped.create(
        tracking_number=f"WY-BENCH-{tag}".upper()[:24],
        centre=centre,
        service_type=ServiceType.objects.get(code="infringement_opinion"),
        ip_type="utility_model",
        state="in_handling",
        created_by=author,
        applicant_name="上海基准科技有限公司",
        applicant_kind="organisation",
        applicant_region=region,
        respondent_name="宁波骑迹车业有限公司",
        title="折叠电动车车架实用新型专利侵权判定",
        facts="基准测试。",
        request="基准测试。",
    )
    opinion = Opinion.objects_unscoped.create(
        case=case,
        kind="utility_model",
        number=f"WYOP-{timezone.localdate().year}-{centre.pk:05d}-0001",
        state="signed",
        title="关于折叠电动车车架的侵权判定参考意见",
        accused_object="骑迹牌 Q3 折叠电动车车架（公证购买）",
        right_number="ZL202320123456.7",
        right_title="一种便携式折叠电动车车架",
        applicant_name=case.applicant_name,
        respondent_name=case.respondent_name,
        prior_art_notes="被请求人未提交现有技术证据。" * 4,
        design_around_notes="可将锁止销改为磁吸定位结构。" * 3,
        verdict="equivalent",
        reasoning="权利要求1（独立权利要求）：……\n" * 25,
        author=author,
        signer=director,
        signed_at=timezone.now(),
    )
    for number, independent, count in CHART:
        claim = Claim.objects.create(
            opinion=opinion,
            number=number,
            text="一种便携式折叠电动车车架，包括前架、后架和折叠铰链，其特征在于：" + "所述铰链设有锁止销；" * count,
            independent=independent,
            refers_to=None if independent else 1,
        )
        Feature.objects.bulk_create(
            Feature(
                claim=claim,
                position=i,
                text=f"所述折叠铰链的第{i}个部件与前架通过销轴铰接，并在弹簧作用下保持锁止状态",
                accused_text=f"被诉产品的第{i}个部件以卡扣与前架连接",
                comparison="equivalent" if i % 3 == 0 else "identical",
                means="以卡扣代替销轴" if i % 3 == 0 else "",
                function="实现前后架的可折叠连接" if i % 3 == 0 else "",
                effect="折叠后稳固锁止" if i % 3 == 0 else "",
            )
            for i in range(1, count + 1)
        )
    for position, article in enumerate(Article.objects.order_by("id")[:3]):
        OpinionBasis.objects.create(opinion=opinion, article=article, position=position)
    return opinion


def measure(*, runs: int, warmup: int = 1, log: Callable[[str], None] = print) -> LetterTimings:
    """Generate the letter `warmup` + `runs` times and return the timed runs (ms)."""
    result: LetterTimings | None = None
    try:
        with transaction.atomic():
            opinion = _bench_opinion()
            features = Feature.objects.filter(claim__opinion=opinion).count()
            for _ in range(warmup):
                letter_render(opinion)
            samples: list[float] = []
            size = 0
            for k in range(runs):
                started = time.perf_counter()
                fresh = Opinion.objects_unscoped.select_related("case__centre", "signer").get(pk=opinion.pk)
                rendered = letter_render(fresh)
                samples.append((time.perf_counter() - started) * 1000)
                size = len(rendered.content)
                if (k + 1) % 10 == 0:
                    log(f"  {k + 1}/{runs}")
            result = LetterTimings(samples_ms=samples, features=features, size_bytes=size)
            raise _Rollback
    except _Rollback:
        pass
    assert result is not None
    return result
