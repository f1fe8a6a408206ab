from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("banchengshi.cases.urls")),
    path("", include("banchengshi.supervision.urls")),
    path("", include("banchengshi.reports.urls")),
]

handler403 = "banchengshi.lib.error_pages.permission_denied"
handler404 = "banchengshi.lib.error_pages.page_not_found"
