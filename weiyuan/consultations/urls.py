from django.urls import path

import weiyuan.cases.urls  # noqa: F401 - registers the "tracking" path converter
from weiyuan.consultations import views

app_name = "consultations"

urlpatterns = [
    path("consultations/new/", views.ask, name="ask"),
    path("consultations/new/similar/", views.ask_suggest, name="ask_suggest"),
    path("consultations/new/centres/", views.ask_centres_options, name="ask_centres"),
    path("consultations/mine/", views.mine, name="mine"),
    path("consultations/queue/", views.queue, name="queue"),
    path("consultations/<tracking:tracking_number>/", views.detail, name="detail"),
    path("consultations/<tracking:tracking_number>/adopt/", views.adopt, name="adopt"),
    path("consultations/<tracking:tracking_number>/rating/", views.rate, name="rate"),
    path("consultations/<tracking:tracking_number>/follow-up/", views.follow_up, name="follow_up"),
    path("consultations/<tracking:tracking_number>/answer/", views.answer, name="answer"),
    path("consultations/<tracking:tracking_number>/answer/lookup/", views.answer_lookup, name="answer_lookup"),
    path("consultations/<tracking:tracking_number>/answer/return/", views.answer_return, name="answer_return"),
    path("consultations/<tracking:tracking_number>/featured/", views.featured, name="featured"),
    path("consultations/<tracking:tracking_number>/featured/nominate/", views.nominate, name="nominate"),
    path("consultations/<tracking:tracking_number>/featured/redact/", views.redact, name="redact"),
    path("consultations/<tracking:tracking_number>/featured/decide/", views.decide, name="decide"),
]
