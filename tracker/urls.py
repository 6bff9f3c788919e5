from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from tracker import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="tracker/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("accounts/", include("tracker.accounts")),
    path("plans/", include("plans.urls")),
    path("tasks/", include("tasks.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
]
