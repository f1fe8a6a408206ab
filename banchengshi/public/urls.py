from django.urls import path

from banchengshi.public import views, views_guides, views_tracking

urlpatterns = [
    path("report/", views.report, name="public_report"),
    path("report/done/", views.receipt, name="public_receipt"),
    path("kiosk/", views.report, {"kiosk": True}, name="public_kiosk"),
    path("kiosk/done/", views.receipt, {"kiosk": True}, name="public_kiosk_receipt"),
    path("report/code/", views.phone_code, name="public_phone_code"),
    path("report/matters/", views.matter_options, name="public_matters"),
    path("privacy/", views.privacy, name="public_privacy"),
    path("display/", views.display_mode, name="public_display"),
    path("public/guides/", views_guides.guides, name="public_guides"),
    path("public/guides/<str:code>/", views_guides.guide, name="public_guide"),
    path("track/", views_tracking.track, name="public_track"),
    path("track/<str:reference>/", views_tracking.case_progress, name="public_case"),
    path("track/<str:reference>/<str:name>/", views_tracking.reporter_act, name="public_case_action"),
]
