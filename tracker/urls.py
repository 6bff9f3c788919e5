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
    path("figures/", include("indicators.urls")),
]

# Error pages in the site's layout, in Chinese (templates/403.html, 404.html, 500.html). A 500 page is rendered
# without the request: nothing on it may depend on the user or the database.
handler403 = "tracker.views.permission_denied"
handler404 = "tracker.views.page_not_found"
handler500 = "django.views.defaults.server_error"
