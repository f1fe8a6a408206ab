from django.urls import path

from banchengshi.supervision import views

urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.new_meeting, name="new_meeting"),
    path("meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/outcome/", views.record_outcome, name="meeting_outcome"),
    path("meetings/<int:meeting_id>/tasks/<int:task_id>/complete/", views.complete_task, name="complete_task"),
    path("notices/<int:notice_id>/acknowledge/", views.acknowledge_notice, name="acknowledge_notice"),
]
