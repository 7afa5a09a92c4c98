from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PetitionConfig(AppConfig):
    name = "petition"
    verbose_name = "Letters"

    def ready(self) -> None:
        from .models import Letter, Profession
        from .selectors import forget_letters

        for model in (Letter, Profession):
            for signal in (post_save, post_delete):
                signal.connect(lambda **_kwargs: forget_letters(), sender=model, weak=False)
