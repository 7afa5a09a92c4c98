from django.urls import path

from . import api

app_name = "signatures-api"

urlpatterns = [
    path("letters/<slug:slug>/count", api.count, name="count"),
    path("letters/<slug:slug>/signatures", api.signatures, name="signatures"),
]
