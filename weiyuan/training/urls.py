from django.urls import path

from weiyuan.training import views

app_name = "training"

urlpatterns = [
    path("training/", views.event_list, name="list"),
    path("training/new/", views.event_new, name="new"),
    path("training/mine/", views.mine, name="mine"),
    path("training/roster/<slug:code>/", views.roster, name="roster"),
    path("training/<int:pk>/", views.event_detail, name="event"),
    path("training/<int:pk>/edit/", views.event_edit, name="edit"),
    path("training/<int:pk>/register/", views.register, name="register"),
    path("training/<int:pk>/unregister/", views.unregister, name="unregister"),
    path("training/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("training/<int:pk>/<slug:action>/", views.event_act, name="act"),
]
