from django.urls import path

from . import views

app_name = "petition"

urlpatterns = [
    path("", views.home, name="home"),
    path("letters/<slug:slug>/", views.letter_detail, name="letter"),
    path("letters/<slug:slug>/embed/", views.embed, name="embed"),
    path("privacy/", views.privacy, name="privacy"),
]
