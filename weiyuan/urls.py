from django.contrib import admin
from django.urls import include, path

from weiyuan.api.routes import api
from weiyuan.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("weiyuan.core.urls")),
    path("", include("weiyuan.network.urls")),
    path("", include("weiyuan.accounts.urls")),
    path("", include("weiyuan.cases.urls")),
    path("", include("weiyuan.clocks.urls")),
    path("", include("weiyuan.evidence.urls")),
    path("", include("weiyuan.notifications.urls")),
    path("", include("weiyuan.knowledge.urls")),
    path("", include("weiyuan.search.urls")),
    path("", include("weiyuan.consultations.urls")),
    path("", include("weiyuan.experts.urls")),
    path("", include("weiyuan.opinions.urls")),
    path("", include("weiyuan.partners.urls")),
    path("", include("weiyuan.panels.urls")),
    path("", include("weiyuan.referrals.urls")),
    path("", include("weiyuan.ecommerce.urls")),
    path("", include("weiyuan.exhibitions.urls")),
    path("", include("weiyuan.feedback.urls")),
    path("", include("weiyuan.funds.urls")),
    path("", include("weiyuan.training.urls")),
    path("", include("weiyuan.kpis.urls")),
    path("", include("weiyuan.volunteers.urls")),
    path("", include("weiyuan.evaluation.urls")),
    path("", include("weiyuan.marks.urls")),
]
