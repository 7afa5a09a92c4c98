from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "front"
    verbose_name = "Public pages (the front of the site)"
