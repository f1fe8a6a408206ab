from django.urls import path

from banchengshi.guides import views

urlpatterns = [
    path("guides/", views.guide_list, name="guides"),
    path("guides/<str:code>/", views.guide_detail, name="guide"),
    path("guides/<str:code>/edit/", views.guide_edit, name="guide_edit"),
    path("guides/<str:code>/versions/<int:number>/review/", views.guide_review, name="guide_review"),
]
