from django.urls import path

import weiyuan.cases.urls  # noqa: F401 - registers the "tracking" path converter
from weiyuan.referrals import views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.staff_list, name="list"),
    path("referrals/stats/", views.stats, name="stats"),
    path("referrals/inbox/", views.inbox, name="inbox"),
    path("referrals/referred-in/", views.inbound, name="inbound"),
    path("referrals/<int:pk>/", views.detail, name="detail"),
    path("referrals/<int:pk>/documents/<int:evidence_id>/", views.document, name="document"),
    path("referrals/<int:pk>/<slug:action>/", views.act, name="act"),
    path("cases/<tracking:tracking_number>/referrals/new/", views.send, name="send"),
]
