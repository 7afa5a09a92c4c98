from django.urls import path

from . import (
    handover_views,
    import_views,
    launch_views,
    letter_views,
    life_views,
    trust_views,
    update_views,
    views,
)

app_name = "organise"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("letters/new/", letter_views.letter_new, name="letter-new"),
    path("letters/<slug:slug>/", views.queue, name="queue"),
    path("letters/<slug:slug>/audit/", views.audit, name="audit"),
    path("letters/<slug:slug>/audit/<int:pk>/undo/", views.undo, name="undo"),
    path("letters/<slug:slug>/settings/", views.letter_settings, name="settings"),
    path("letters/<slug:slug>/publishing/", life_views.publishing, name="publishing"),
    path("letters/<slug:slug>/languages/", life_views.languages, name="languages"),
    path("letters/<slug:slug>/languages/<str:language>/", life_views.language, name="language"),
    path("letters/<slug:slug>/organisers/", views.organisers, name="organisers"),
    path("letters/<slug:slug>/blocks/", views.blocks, name="blocks"),
    path("letters/<slug:slug>/export.csv", views.export, {"format": "csv"}, name="export"),
    path("letters/<slug:slug>/export.xlsx", views.export, {"format": "xlsx"}, name="export-xlsx"),
    path("letters/<slug:slug>/overview/", launch_views.overview, name="overview"),
    path("letters/<slug:slug>/handover/", handover_views.handover, name="handover"),
    path("letters/<slug:slug>/letter.pdf", handover_views.letter_pdf_download, name="letter-pdf"),
    path("letters/<slug:slug>/sources/", launch_views.sources, name="sources"),
    path("letters/<slug:slug>/add/", trust_views.add_on_behalf, name="add"),
    path("letters/<slug:slug>/import/", import_views.import_names, name="import"),
    path("letters/<slug:slug>/import/remind/", import_views.import_remind, name="import-remind"),
    path("letters/<slug:slug>/import/<int:pk>/", import_views.import_batch, name="import-batch"),
    path(
        "letters/<slug:slug>/import/<int:pk>/rows-to-fix.csv",
        import_views.import_errors,
        name="import-errors",
    ),
    path("letters/<slug:slug>/wall/", trust_views.wall, name="wall"),
    path("letters/<slug:slug>/updates/", update_views.updates, name="updates"),
    path("letters/<slug:slug>/updates/<int:pk>/", update_views.update, name="update"),
]
