from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class SignaturesConfig(AppConfig):
    name = "signatures"

    def ready(self) -> None:
        from anymail.signals import tracking

        from .bounces import on_tracking
        from .defences import forget_blocks
        from .models import Block

        tracking.connect(on_tracking, weak=False, dispatch_uid="signatures.bounces")

        for signal in (post_save, post_delete):
            signal.connect(lambda **_kwargs: forget_blocks(), sender=Block, weak=False)
