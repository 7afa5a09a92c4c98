from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class LettersConfig(AppConfig):
    name = "letters"
    # The app was first called "petition": the label keeps its tables and migration history.
    label = "petition"
    verbose_name = "Letters"

    def ready(self) -> None:
        # Models can only be imported once the app registry is ready, that is here.
        from .models import Letter, Profession
        from .selectors import forget_letters

        for model in (Letter, Profession):
            for signal in (post_save, post_delete):
                signal.connect(lambda **_kwargs: forget_letters(), sender=model, weak=False)
