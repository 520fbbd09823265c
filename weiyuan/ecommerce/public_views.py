"""The public notice of E-Commerce Law Art. 44: notices, counter-notices and results, open to everyone.

Shown: the notice's number and dates, the platform, the helping centre, the right's type and number, the right
owner only when it is an organisation, and per listing its URL, title, measures, whether a counter-notice was
received (and when), a complaint or lawsuit (its kind) and the restoration. Never shown: the name of a natural
person (a right owner who is a person, the sender's account, the staff), contacts, the shops (a shop may carry a
person's name), the counter-notices' text and every file.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from weiyuan.cases.views.common import paginate
from weiyuan.ecommerce import selectors
from weiyuan.partners.models import Organisation, OrganisationKind


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    platform_id = request.GET.get("platform", "")
    platform = int(platform_id) if platform_id.isdigit() else None
    page = paginate(request, selectors.public_notices(platform_id=platform))
    platforms = Organisation.objects.filter(kind=OrganisationKind.ECOMMERCE_PLATFORM).order_by("name")
    return render(request, "ecommerce/public_list.html", {"page": page, "platforms": platforms, "platform": platform})


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.public_notice_get(pk=pk)
    return render(request, "ecommerce/public_detail.html", {"notice": notice})
