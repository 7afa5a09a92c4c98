from django.urls import path

from . import views

app_name = "ops"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("csrf/", views.csrf_token, name="csrf"),
    path("dev/mail/", views.mailbox_index, name="mailbox"),
    path("dev/mail/<str:message_id>/", views.mailbox_message, name="mailbox-message"),
]
