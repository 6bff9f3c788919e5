from django.urls import path  # noqa: F401

app_name = "tasks"

urlpatterns: list = []

# Work: the work list, assignment pages, submissions, evidence, review, deadlines, extensions, measures
# (tasks/views/work.py, tasks/views/manage.py).
from tasks.views import flags as flag_views  # noqa: E402
from tasks.views import manage as manage_views  # noqa: E402
from tasks.views import spot_check as spot_check_views  # noqa: E402
from tasks.views import work as work_views  # noqa: E402
from tracker.access import signed_in  # noqa: E402

urlpatterns += [
    path("mine/", signed_in(work_views.AssignmentListView.as_view()), name="my_tasks"),
    path("mine/led/", work_views.led_items, name="led_items"),
    path("mine/batch/", work_views.batch_report, name="batch_report"),
    path("assignments/", signed_in(work_views.AssignmentListView.as_view(all_units=True)),
         name="assignments"),
    path("assignments/<int:pk>/", work_views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/submit/", work_views.submit, name="submit"),
    path("assignments/<int:pk>/deadline/", work_views.deadline, name="deadline"),
    path("assignments/<int:pk>/reopen/", spot_check_views.reopen, name="reopen"),
    path("assignments/<int:pk>/extension/", work_views.extension_request, name="extension_request"),
    path("extensions/<int:pk>/", work_views.extension_decide, name="extension_decide"),
    path("evidence/<int:pk>/", work_views.evidence_download, name="evidence"),
    path("review/", work_views.review_queue, name="review_queue"),
    path("review/<int:pk>/", work_views.review, name="review"),
    path("integrity/", work_views.integrity, name="integrity"),
    path("manage/", manage_views.manage, name="manage"),
    path("manage/tasks/<int:pk>/", manage_views.task_measures, name="task_measures"),
    path("manage/tasks/<int:pk>/measures/new/", manage_views.measure_add, name="measure_add"),
    path("manage/measures/<int:pk>/", manage_views.measure_edit, name="measure_edit"),
    path("manage/measures/<int:pk>/flag/", flag_views.measure_flag, name="measure_flag"),
]

# Overview: dashboard, unit and task pages, ledger, reporting rounds (tasks/views/overview|ledger|rounds.py).
from tasks.views import ledger as ledger_views  # noqa: E402
from tasks.views import overview as overview_views  # noqa: E402
from tasks.views import rounds as round_views  # noqa: E402

urlpatterns += [
    path("dashboard/", overview_views.dashboard, name="dashboard"),
    path("units/<int:pk>/", overview_views.unit_detail, name="unit_detail"),
    path("by-task/<int:pk>/", overview_views.task_detail, name="task_detail"),
    path("ledger/", ledger_views.ledger, name="ledger"),
    path("ledger.xlsx", ledger_views.ledger_xlsx, name="ledger_xlsx"),
    path("ledger.csv", ledger_views.ledger_csv, name="ledger_csv"),
    path("rounds/", round_views.round_list, name="rounds"),
    path("rounds/new/", round_views.round_new, name="round_new"),
    path("rounds/<int:pk>/", round_views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/round.xlsx", round_views.round_xlsx, name="round_xlsx"),
    path("rounds/<int:pk>/close/", round_views.round_close, name="round_close"),
    path("rounds/schedules/<int:pk>/stop/", round_views.round_schedule_stop, name="round_schedule_stop"),
]
