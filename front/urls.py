from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import api, deferred_csrf, embed_form, hooks, signing_views, sitemaps, status, views

app_name = "front"

urlpatterns = [
    path("", views.home, name="home"),
    path("letters/", views.letter_index, name="letters"),
    path("robots.txt", sitemaps.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps.SITEMAPS}, name="sitemap"),
    path("letters/<slug:slug>/", views.letter_detail, name="letter"),
    path("letters/<slug:slug>/signatures/", views.signature_list, name="list"),
    path("letters/<slug:slug>/signatures.csv", views.signatures_csv, name="signatures-csv"),
    path("letters/<slug:slug>/embed/", views.embed, name="embed"),
    path("letters/<slug:slug>/embed/form/", embed_form.embed_form, name="embed-form"),
    path("letters/<slug:slug>/verification/", views.verification, name="verification"),
    path("letters/<slug:slug>/share-<str:language>.png", views.share_image, name="share-image"),
    path("letters/<slug:slug>/header-image/", views.header_image, name="header-image"),
    path("privacy/", views.privacy, name="privacy"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("letters/<slug:slug>/sign/", signing_views.sign, name="sign"),
    path("letters/<slug:slug>/signed/", signing_views.signed, name="signed"),
    path("letters/<slug:slug>/signed/resend/", signing_views.resend, name="resend"),
    path("letters/<slug:slug>/signed/status", signing_views.signed_status, name="signed-status"),
    path("letters/<slug:slug>/confirm/<str:token>/", signing_views.confirm, name="confirm"),
    path("letters/<slug:slug>/withdraw/<str:token>/", signing_views.withdraw, name="withdraw"),
    path("letters/<slug:slug>/erase/<str:token>/", signing_views.erase, name="erase"),
    path("letters/<slug:slug>/manage/<str:token>/", signing_views.manage, name="manage"),
    path(
        "letters/<slug:slug>/unsubscribe/<str:token>/",
        signing_views.unsubscribe,
        name="unsubscribe",
    ),
    path("api/openapi.json", api.openapi, name="api-openapi"),
    path("api/letters/<slug:slug>/count", api.count, name="api-count"),
    path("api/letters/<slug:slug>/signatures", api.signatures, name="api-signatures"),
    path("csrf/", deferred_csrf.csrf_token, name="csrf"),
    path("healthz", status.healthz, name="healthz"),
    path("metrics", status.metrics, name="metrics"),
    path("hooks/email/<str:provider>/", hooks.email_webhook, name="email-webhook"),
    path("dev/mail/", status.mailbox_index, name="mailbox"),
    path("dev/mail/<str:message_id>/", status.mailbox_message, name="mailbox-message"),
    path("dev/mail/<str:message_id>/html", status.mailbox_html, name="mailbox-html"),
]
