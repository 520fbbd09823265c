from django.urls import path

from weiyuan.search import views

app_name = "search"

urlpatterns = [
    path("kb/search/", views.search_page, name="search"),
]
