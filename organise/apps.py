from django.apps import AppConfig


class OrganiseConfig(AppConfig):
    name = "organise"
    verbose_name = "Organisers"

    def ready(self) -> None:
        from allauth.mfa.signals import authenticator_added

        from .two_factor import code_typed_on_set_up

        authenticator_added.connect(code_typed_on_set_up, dispatch_uid="organise.two_factor")
