from django.urls import path

from . import update_views, views

app_name = "organise"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("letters/<slug:slug>/", views.queue, name="queue"),
    path("letters/<slug:slug>/audit/", views.audit, name="audit"),
    path("letters/<slug:slug>/settings/", views.letter_settings, name="settings"),
    path("letters/<slug:slug>/organisers/", views.organisers, name="organisers"),
    path("letters/<slug:slug>/blocks/", views.blocks, name="blocks"),
    path("letters/<slug:slug>/export.csv", views.export_csv, name="export"),
    path("letters/<slug:slug>/updates/", update_views.updates, name="updates"),
    path("letters/<slug:slug>/updates/<int:pk>/", update_views.update, name="update"),
]
