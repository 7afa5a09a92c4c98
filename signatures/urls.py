from django.urls import path

from . import views

app_name = "signatures"

urlpatterns = [
    path("letters/<slug:slug>/sign/", views.sign, name="sign"),
    path("letters/<slug:slug>/signatures/", views.signature_list, name="list"),
    path("letters/<slug:slug>/signed/", views.signed, name="signed"),
    path("letters/<slug:slug>/confirm/<str:token>/", views.confirm, name="confirm"),
    path("letters/<slug:slug>/withdraw/<str:token>/", views.withdraw, name="withdraw"),
    path("letters/<slug:slug>/erase/<str:token>/", views.erase, name="erase"),
]
