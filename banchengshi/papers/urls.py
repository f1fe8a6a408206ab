from django.urls import path

from banchengshi.papers import views

urlpatterns = [
    path("cases/<str:reference>/documents/<int:document_id>/", views.case_document, name="case_document"),
]
