from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class SignaturesConfig(AppConfig):
    name = "signatures"

    def ready(self) -> None:
        from .defences import forget_blocks
        from .models import Block

        for signal in (post_save, post_delete):
            signal.connect(lambda **_kwargs: forget_blocks(), sender=Block, weak=False)
