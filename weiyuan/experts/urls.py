from django.urls import path

import weiyuan.cases.urls  # noqa: F401 - registers the "tracking" path converter
from weiyuan.experts.views import invitations, matching, profiles, tasks

app_name = "experts"

urlpatterns = [
    path("experts/", profiles.expert_list, name="list"),
    path("experts/new/", profiles.expert_create, name="create"),
    path("experts/import/", profiles.import_page, name="import"),
    path("experts/import/template.xlsx", profiles.import_template, name="import_template"),
    path("experts/export.xlsx", profiles.export, name="export"),
    path("experts/<int:pk>/", profiles.expert_detail, name="detail"),
    path("experts/<int:pk>/edit/", profiles.expert_edit, name="edit"),
    path("experts/<int:pk>/status/<slug:action>/", profiles.expert_status, name="status"),
    path("cases/<tracking:tracking_number>/experts/", matching.case_candidates, name="case_candidates"),
    path(
        "cases/<tracking:tracking_number>/experts/<int:pk>/override/",
        matching.conflict_override,
        name="conflict_override",
    ),
    path("cases/<tracking:tracking_number>/experts/<int:pk>/invite/", invitations.invite, name="invite"),
    path("experts/invitations/", invitations.queue, name="invitations"),
    path("experts/invitations/<int:pk>/", invitations.detail, name="invitation"),
    path("experts/invitations/<int:pk>/undertake/", invitations.undertake, name="invitation_undertake"),
    path("experts/invitations/<int:pk>/<slug:action>/", invitations.act, name="invitation_act"),
    path("experts/tasks/", tasks.task_list, name="tasks"),
    path("experts/work/", tasks.work_review, name="work_review"),
    path("experts/tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("experts/tasks/<int:pk>/documents/<int:evidence_id>/", tasks.task_document, name="task_document"),
    path("experts/tasks/<int:pk>/<slug:action>/", tasks.task_act, name="task_act"),
    path("cases/<tracking:tracking_number>/expert-tasks/", tasks.case_tasks, name="case_tasks"),
]
