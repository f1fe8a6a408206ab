from django.urls import path

from banchengshi.papers import views

urlpatterns = [
    path("cases/<str:reference>/documents/<int:document_id>/", views.case_document, name="case_document"),
    path("track/<str:reference>/documents/<int:document_id>/", views.public_case_document, name="public_case_document"),
    path("notices/<int:notice_id>/print.pdf", views.notice_pdf, name="notice_pdf"),
]
