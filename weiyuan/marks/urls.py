from django.urls import path

from weiyuan.marks import views

app_name = "marks"

urlpatterns = [
    path("marks/", views.screen_page, name="screen"),
    path("marks/compare/", views.compare_page, name="compare"),
]
