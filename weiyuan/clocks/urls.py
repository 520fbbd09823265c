from django.urls import path

from weiyuan.clocks import views

app_name = "clocks"

urlpatterns = [
    path("deadlines/", views.calculator, name="calculator"),
]
