from __future__ import annotations

import pytest

from tests.factories import ApplicantFactory, make_case
from weiyuan.cases.models import Case
from weiyuan.core.pagination import CappedPaginator, capped_count


@pytest.mark.django_db
def test_count_stops_at_the_cap_and_says_so(network):
    applicant = ApplicantFactory()
    for _ in range(5):
        make_case(network["shanghai"], applicant)
    qs = Case.objects.restrict(network["sh_intake"]).order_by("-id")
    assert capped_count(qs, cap=10) == (5, False)
    assert capped_count(qs, cap=3) == (3, True)
    paginator = CappedPaginator(qs, 2, cap=3)
    assert paginator.count == 3 and paginator.capped
    assert paginator.count_label == "3+"
    assert paginator.num_pages == 2
    assert len(paginator.page(2).object_list) == 1
    exact = CappedPaginator(qs, 2, cap=10)
    assert exact.count_label == "5" and not exact.capped
