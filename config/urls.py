from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from banchengshi.accounts.views import (
    PasswordChangeView,
    second_factor_enrol,
    second_factor_page,
    second_factor_qr,
)
from banchengshi.cases.views import home as workbench
from banchengshi.public.views import report as public_report
from config.api import api


def root(request: HttpRequest) -> HttpResponse:
    """`/`: the report page for visitors, the workbench for signed-in staff."""
    return workbench(request) if request.user.is_authenticated else public_report(request)  # type: ignore[arg-type]


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico before they read <link rel="icon">: the app's icon, not a 404."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", PasswordChangeView.as_view(), name="password_change"),
    path("account/second-factor/", second_factor_page, name="second_factor"),
    path("account/second-factor/enrol/", second_factor_enrol, name="second_factor_enrol"),
    path("account/second-factor/qr.svg", second_factor_qr, name="second_factor_qr"),
    path("favicon.ico", favicon),
    path("", root, name="root"),
    path("", include("banchengshi.public.urls")),
    path("", include("banchengshi.cases.urls")),
    path("", include("banchengshi.guides.urls")),
    path("", include("banchengshi.supervision.urls")),
    path("", include("banchengshi.reports.urls")),
    path("", include("banchengshi.papers.urls")),
    path("", include("banchengshi.integrations.urls")),
    path("", include("banchengshi.notify.urls")),
]

handler403 = "banchengshi.lib.error_pages.permission_denied"
handler404 = "banchengshi.lib.error_pages.page_not_found"
