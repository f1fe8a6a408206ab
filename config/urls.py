from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Until the staff workbench exists, the front door is the API's documentation.
    path("", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
]
