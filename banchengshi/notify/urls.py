from django.urls import path

from banchengshi.notify import views

# /reminders/: the staff member's own reminders (站内提醒). /notices/ are supervision's 通报 to units.
urlpatterns = [
    path("reminders/", views.reminders, name="reminders"),
    path("reminders/<int:notice_id>/read/", views.read_reminder, name="read_reminder"),
    path("reminders/read-all/", views.read_all_reminders, name="read_all_reminders"),
]
