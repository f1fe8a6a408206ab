from django.urls import path

from banchengshi.integrations import views

urlpatterns = [
    path("integrations/", views.deliveries_page, name="integrations"),
    path("integrations/subscribers/<int:subscriber_id>/resume/", views.resume, name="resume_subscriber"),
    path("integrations/messages/<int:message_id>/retry/", views.retry, name="retry_message"),
]
