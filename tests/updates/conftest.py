import pytest

from signatures.models import Signature
from updates import writing

from ..factories import SignatureFactory


def consenting(letter, n: int, **extra) -> list[Signature]:
    """Counted signers who asked for updates."""
    return SignatureFactory.create_batch(n, letter=letter, updates=True, **extra)


def write_update(letter, *, actor=None, public=False, texts=None):
    texts = texts or {
        "en": ("The consultation answered", "The government **replied** today."),
        "ar": ("ردّت الاستشارة", "ردّت الحكومة **اليوم**."),
    }
    return writing.update_save(letter=letter, actor=actor, texts=texts, public=public)


@pytest.fixture
def profession(letter):
    return letter.professions.get(key="novelist")
