"""The report after the fair: a page, a PDF (WeasyPrint, Chinese fonts embedded) and an Excel file. Seen by whoever
sees the event (the same rule as the event page: its centre's staff, the supervisors above, those on duty)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from weiyuan.core.pdf import render_pdf
from weiyuan.evidence.views import content_disposition
from weiyuan.exhibitions import report, selectors
from weiyuan.funds.exporting import XLSX_CONTENT_TYPE, write_xlsx


@login_required
@require_GET
def event_report(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    return render(request, "exhibitions/report.html", {"event": event, "report": report.event_report(event=event)})


@login_required
@require_GET
def event_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    rendered = render_pdf("exhibitions/report_pdf.html", {"event": event, "report": report.event_report(event=event)})
    response = HttpResponse(rendered.content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(f"exhibition-report-{event.pk}.pdf")
    return response


@login_required
@require_GET
def event_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.event_get(user=request.user, pk=pk)
    data = report.event_report(event=event)
    buffer = io.BytesIO()  # a report of one event is a few dozen rows
    write_xlsx(buffer, str(_("展会报告")), report.report_headers(), report.report_rows(data))
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"exhibition-report-{event.pk}.xlsx")
    return response
