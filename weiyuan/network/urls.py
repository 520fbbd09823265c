from django.urls import path

from weiyuan.network import views

app_name = "network"

urlpatterns = [
    path("centres/", views.directory, name="directory"),
    path("centres/regions/", views.regions, name="regions"),
    path("centres/route/", views.route, name="route"),
    path("centres/filings/", views.filings, name="filings"),
    path("centres/<slug:code>/", views.centre_detail, name="centre"),
    path("centres/<slug:code>/edit/", views.centre_edit, name="centre_edit"),
    path("centres/<slug:code>/filing/", views.filing_action, name="filing_action"),
]
