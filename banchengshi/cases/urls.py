from django.urls import path

from banchengshi.cases import duplicate_views, views, views_guides

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", views.register, name="register"),
    path("cases/new/repeats/", views.repeat_reports, name="repeat_reports"),
    path("cases/new/similar/", duplicate_views.similar_reports, name="similar_reports"),
    path("lapsed-visits/", views.lapsed_visits, name="lapsed_visits"),
    path("phone-search/", views.phone_search, name="phone_search"),
    path("cases/guide-proposals/", views_guides.guide_proposals, name="guide_proposals"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/unmask/", views.unmask, name="unmask"),
    path("cases/<str:reference>/act/<str:name>/", views.case_action, name="case_action"),
    path("cases/<str:reference>/duplicates/<int:link_id>/merge/", duplicate_views.merge_duplicate, name="merge_duplicate"),
    path("cases/<str:reference>/duplicates/<int:link_id>/dismiss/", duplicate_views.dismiss_duplicate, name="dismiss_duplicate"),
    path("cases/<str:reference>/attachments/", views.upload_attachment, name="attach"),
    path("cases/<str:reference>/guides/<str:code>/", views_guides.case_guide, name="case_guide"),
    path("attachments/<int:attachment_id>/", views.download_attachment, name="attachment"),
    path("work-orders/<int:order_id>/act/<str:name>/", views.order_action, name="order_action"),
]
