"""Helpers shared by the case views: refusal page, pagination, form error summaries."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from weiyuan.cases.models import Case
from weiyuan.core.pagination import CappedPaginator
from weiyuan.core.punctuation import labelled

PAGE_SIZE = 25


# --- helpers ---------------------------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _htmx_target(request: HttpRequest) -> str:
    htmx = getattr(request, "htmx", None)
    return str(htmx.target or "") if htmx else ""


def refused(
    request: HttpRequest, reason: str, status: int = 403, *, case: Case | None = None, title: str = ""
) -> HttpResponse:
    """The page for an action the user may not take (403) or not now (409), with the reason."""
    return render(
        request,
        "cases/refused.html",
        {"reason": reason, "case": case, "title": title or _("无法执行该操作")},
        status=status,
    )


def paginate(request: HttpRequest, qs: QuerySet[Any]) -> Page:
    # get_page: a page number past the end shows the last page, a malformed one the first.
    # The count stops at COUNT_CAP ("50,000+"): a supervisor's subtree can hold the whole network.
    return CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _field_label(form: forms.Form, name: str) -> str:
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else ""


def error_summary(form: forms.Form, *, prefix_label: str = "") -> list[tuple[str, str, str]]:
    """(field label, message, anchor) for every error, so a summary at the top names each field and its fix."""
    items: list[tuple[str, str, str]] = []
    for name, errors in form.errors.items():
        label = _field_label(form, name) if name != NON_FIELD_ERRORS else ""
        anchor = f"field-{form.add_prefix(name)}" if name in form.fields else ""
        for message in errors:
            items.append((f"{prefix_label}{label}", str(message), anchor))
    return items


def apply_service_errors(exc: ValidationError, form: forms.Form, formset: Any = None) -> None:
    """Put a service's ValidationError messages next to the fields they name (keys are field names)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        match = re.fullmatch(r"rights-(\d+)-(\w+)", key)
        if match and formset is not None and int(match.group(1)) < len(formset.forms):
            row = formset.forms[int(match.group(1))]
            row.add_error(match.group(2) if match.group(2) in row.fields else None, errors)
        elif key in form.fields and not form.fields[key].widget.is_hidden:
            form.add_error(key, errors)
        else:
            label = _field_label(form, key)
            form.add_error(None, [labelled(label, m) if label else m for m in errors])
