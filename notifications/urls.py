from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.read, name="read"),
    path("notify-mode/", views.notify_mode, name="notify_mode"),
    path("letters/", views.letter_list, name="letters"),
    path("letters/<int:pk>/", views.letter_detail, name="letter"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/docx/", views.letter_docx, name="letter_docx"),
    path("replies/files/<int:pk>/", views.reply_file, name="reply_file"),
    path("circulars/", views.circular_list, name="circulars"),
    path("circulars/<int:pk>/", views.circular_detail, name="circular"),
    path("circulars/<int:pk>/pdf/", views.circular_pdf, name="circular_pdf"),
    path("circulars/<int:pk>/docx/", views.circular_docx, name="circular_docx"),
    path("plans/<int:plan_pk>/circulars/new/", views.circular_new, name="circular_new"),
    path("plans/<int:plan_pk>/ladder/", views.ladder_config, name="ladder_config"),
    path("deliveries/failed/", views.delivery_list, name="deliveries"),
    path("deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("assignments/<int:pk>/", views.assignment_ladder, name="assignment"),
    path("units/<int:unit_pk>/plans/<int:plan_pk>/letter/", views.unit_letter, name="unit_letter"),
]
