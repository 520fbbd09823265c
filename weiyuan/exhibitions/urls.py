from django.urls import path

from weiyuan.exhibitions import online_views, report_views, views

app_name = "exhibitions"

urlpatterns = [
    path("exhibitions/", views.event_list, name="list"),
    path("exhibitions/new/", views.event_new, name="new"),
    path("exhibitions/<int:pk>/", views.event_detail, name="detail"),
    path("exhibitions/<int:pk>/report/", report_views.event_report, name="report"),
    path("exhibitions/<int:pk>/report.pdf", report_views.event_report_pdf, name="report_pdf"),
    path("exhibitions/<int:pk>/report.xlsx", report_views.event_report_xlsx, name="report_xlsx"),
    path("exhibitions/online/", online_views.online_events, name="online"),
    path("exhibitions/<int:pk>/complain/", online_views.online_complaint, name="online_complaint"),
    path("exhibitions/<int:pk>/exhibitors/", views.exhibitors_import, name="import"),
    path("exhibitions/stations/<int:pk>/duty/", views.duty_add, name="duty"),
    path("exhibitions/stations/<int:pk>/board/", views.board, name="board"),
    path("exhibitions/stations/<int:pk>/complaints/new/", views.complaint_new, name="complaint_new"),
    path("exhibitions/complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("exhibitions/complaints/<int:pk>/notice/", views.complaint_notice, name="complaint_notice"),
    path("exhibitions/complaints/<int:pk>/files/<int:evidence_id>/", views.complaint_file, name="complaint_file"),
    path("exhibitions/complaints/<int:pk>/mark-check/", views.complaint_mark_check, name="complaint_mark_check"),
    path("exhibitions/complaints/<int:pk>/<slug:action>/", views.complaint_act, name="complaint_act"),
]
