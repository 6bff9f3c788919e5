from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/status/", views.job_status, name="status"),
    path("<int:pk>/retry/", views.job_retry, name="retry"),
    path("<int:pk>/text/", views.job_text, name="text"),
    path("<int:pk>/<str:fmt>/", views.download, name="download"),
    path("scoring/<int:plan_pk>/", views.ranking, name="ranking"),
    path("scoring/<int:plan_pk>/xlsx/", views.ranking_xlsx, name="ranking_xlsx"),
    path("scoring/<int:plan_pk>/settings/", views.scoring_settings, name="scoring_settings"),
]
