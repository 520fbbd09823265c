"""The public deadline calculator: any named rule, its due time and its legal source."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from weiyuan.clocks.forms import DeadlineForm
from weiyuan.clocks.rules import RULES, UNIT_LABELS, deadline_calculate


@require_GET
def calculator(request: HttpRequest) -> HttpResponse:
    form = DeadlineForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        result = deadline_calculate(data["rule"], data["start"], amount=data["amount"])
    rules = [{"rule": r, "unit_label": UNIT_LABELS[r.unit]} for r in RULES.values()]
    return render(
        request,
        "clocks/calculator.html",
        {
            "form": form,
            "result": result,
            "unit_label": UNIT_LABELS[result.rule.unit] if result else "",
            "rules": rules,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
