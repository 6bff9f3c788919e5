from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.round_list, name="rounds"),
    path("new/", views.round_new, name="round_new"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/template/", views.report_template, name="report_template"),
    path("reports/<int:pk>/upload/", views.report_upload, name="report_upload"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.indicator_edit, name="indicator_new"),
    path("catalogue/<int:pk>/", views.indicator_edit, name="indicator_edit"),
]
