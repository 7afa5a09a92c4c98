from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PetitionConfig(AppConfig):
    name = "petition"
    verbose_name = "Letters"

    def ready(self) -> None:
        # Models can only be imported once the app registry is ready, that is here.
        from django.utils import timezone

        from .models import Letter, LetterText, Profession
        from .selectors import forget_letters

        def letter_saved(**_kwargs) -> None:
            forget_letters()

        def part_saved(instance, **_kwargs) -> None:
            # A text or a profession is part of the letter: its page's cached fragments are
            # keyed by the letter's updated_at, so the letter is touched too.
            Letter.objects.filter(pk=instance.letter_id).update(updated_at=timezone.now())
            forget_letters()

        for signal in (post_save, post_delete):
            signal.connect(letter_saved, sender=Letter, weak=False)
            for model in (LetterText, Profession):
                signal.connect(part_saved, sender=model, weak=False)
