from django.urls import path

import weiyuan.cases.urls  # noqa: F401 - registers the "tracking" path converter
from weiyuan.feedback import views

app_name = "feedback"

urlpatterns = [
    path("cases/<tracking:tracking_number>/survey/", views.survey_answer, name="survey_answer"),
    path("cases/<tracking:tracking_number>/complaints/new/", views.complaint_new, name="complaint_new"),
    path("feedback/survey/<str:token>/", views.survey_link, name="survey_link"),
    path("feedback/return-visits/", views.visit_queue, name="visits"),
    path("feedback/return-visits/<int:pk>/", views.visit_detail, name="visit"),
    path("feedback/return-visits/<int:pk>/new-case/", views.visit_open_case, name="visit_open_case"),
    path("feedback/complaints/", views.complaint_list, name="complaints"),
    path("feedback/complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("feedback/complaints/<int:pk>/<slug:action>/", views.complaint_act, name="complaint_act"),
]
