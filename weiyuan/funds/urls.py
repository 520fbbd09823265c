from django.urls import path

from weiyuan.funds import views

app_name = "funds"

urlpatterns = [
    path("funds/", views.report, name="report"),
    path("funds/export/", views.report_export, name="report_export"),
    path("funds/centres/<slug:code>/<int:year>/", views.budget, name="budget"),
    path("funds/centres/<slug:code>/<int:year>/close/", views.year_close, name="year_close"),
    path("funds/spending/", views.spending_list, name="spending_list"),
    path("funds/spending/export/", views.spending_export, name="spending_export"),
    path("funds/spending/new/", views.spending_new, name="spending_new"),
    path("funds/spending/<int:pk>/", views.spending_detail, name="spending"),
    path("funds/spending/<int:pk>/edit/", views.spending_edit, name="spending_edit"),
    path("funds/spending/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("funds/spending/<int:pk>/<slug:action>/", views.spending_act, name="spending_act"),
    path("funds/attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
