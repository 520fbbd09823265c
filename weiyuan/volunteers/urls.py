from django.urls import path

from weiyuan.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("volunteers/apply/", views.apply, name="apply"),
    path("volunteers/", views.volunteer_list, name="list"),
    path("volunteers/mine/", views.mine, name="mine"),
    path("volunteers/hours/", views.hours_queue, name="hours"),
    path("volunteers/hours/<int:pk>/<slug:action>/", views.hours_act, name="hours_act"),
    path("volunteers/qualifications/<slug:code>/new/", views.qualification_new, name="qualification_new"),
    path("volunteers/qualifications/<int:pk>/delete/", views.qualification_delete, name="qualification_delete"),
    path("volunteers/qualifications/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("volunteers/<int:pk>/", views.detail, name="detail"),
    path("volunteers/<int:pk>/hours/", views.log_hours, name="log_hours"),
    path("volunteers/<int:pk>/<slug:action>/", views.act, name="act"),
]
