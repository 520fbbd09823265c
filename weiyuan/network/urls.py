from django.urls import path

app_name = "network"

urlpatterns: list = []
