from django.urls import path

import weiyuan.cases.urls  # noqa: F401 - registers the "tracking" path converter
from weiyuan.panels import views

app_name = "panels"

urlpatterns = [
    path("cases/<tracking:tracking_number>/major/", views.major_page, name="major"),
    path("cases/<tracking:tracking_number>/major/<slug:action>/", views.major_act, name="major_act"),
    path("cases/<tracking:tracking_number>/panels/new/", views.panel_create, name="create"),
    path("panels/", views.panel_list, name="list"),
    path("panels/<int:pk>/", views.panel_detail, name="detail"),
    path("panels/<int:pk>/act/<slug:action>/", views.panel_act, name="act"),
    path("panels/<int:pk>/members/", views.member_add, name="member_add"),
    path("panels/<int:pk>/members/<int:member_pk>/view/", views.view_page, name="view"),
    path("panels/<int:pk>/members/<int:member_pk>/<slug:action>/", views.member_act, name="member_act"),
    path("panels/<int:pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("panels/<int:pk>/meetings/<int:meeting_pk>/", views.meeting_page, name="meeting"),
    path("panels/<int:pk>/solution/", views.solution_page, name="solution"),
    path("panels/<int:pk>/sign/", views.sign, name="sign"),
    path("panels/<int:pk>/solution.pdf", views.download, name="download"),
]
