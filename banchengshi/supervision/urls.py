from django.urls import path

from banchengshi.supervision import rectification_views as rv
from banchengshi.supervision import views

urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.new_meeting, name="new_meeting"),
    path("meetings/topics/", views.meeting_topics, name="meeting_topics"),
    path("meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/outcome/", views.record_outcome, name="meeting_outcome"),
    path("meetings/<int:meeting_id>/tasks/<int:task_id>/complete/", views.complete_task, name="complete_task"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:notice_id>/acknowledge/", views.acknowledge_notice, name="acknowledge_notice"),
    path("rectifications/", rv.rectifications, name="rectifications"),
    path("rectifications/new/", rv.new_rectification, name="new_rectification"),
    path("rectifications/<int:item_id>/", rv.rectification, name="rectification"),
    path("rectifications/<int:item_id>/progress/", rv.report_rectification, name="rectification_progress"),
    path("rectifications/<int:item_id>/evidence/", rv.add_rectification_evidence, name="rectification_evidence"),
    path("rectifications/<int:item_id>/evidence/<int:evidence_id>/", rv.download_rectification_evidence,
         name="rectification_evidence_file"),
    path("rectifications/<int:item_id>/close/", rv.close_rectification, name="close_rectification"),
    path("rectifications/<int:item_id>/cancel/", rv.cancel_rectification, name="cancel_rectification"),
]
