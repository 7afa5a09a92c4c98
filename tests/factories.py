import factory
from django.utils import timezone

from ops.addresses import canonical_email
from petition.models import Letter, LetterText, Profession
from signatures.models import Signature


class LetterFactory(factory.django.DjangoModelFactory):
    """A published letter in English and Arabic. `texts={"fr": (title, body)}` adds or
    replaces languages; `title_en=""`-style arguments set one field of one language (an
    empty title drops that language)."""

    class Meta:
        model = Letter

    slug = factory.Sequence(lambda n: f"letter-{n}")
    language = "en"
    state = Letter.State.PUBLISHED
    featured = False
    title_en = factory.Sequence(lambda n: f"Open letter {n}")
    title_ar = factory.Sequence(lambda n: f"رسالة مفتوحة {n}")
    body_en = "We, the undersigned, **object**."
    body_ar = "نحن الموقّعين أدناه **نعترض**."
    texts = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        texts = {
            "en": (kwargs.pop("title_en"), kwargs.pop("body_en")),
            "ar": (kwargs.pop("title_ar"), kwargs.pop("body_ar")),
            **(kwargs.pop("texts") or {}),
        }
        letter = super()._create(model_class, *args, **kwargs)
        LetterText.objects.bulk_create(
            LetterText(letter=letter, language=language, title=title, body=body)
            for language, (title, body) in texts.items()
            if title
        )
        return letter


class ProfessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profession

    letter = factory.SubFactory(LetterFactory)
    key = factory.Sequence(lambda n: f"profession-{n}")
    labels = factory.Sequence(lambda n: {"en": f"Profession {n}", "ar": f"مهنة {n}"})


class SignatureFactory(factory.django.DjangoModelFactory):
    """A row written directly, bypassing the services: use it for reads, not for counts."""

    class Meta:
        model = Signature

    letter = factory.SubFactory(LetterFactory)
    profession = factory.LazyAttribute(lambda o: ProfessionFactory(letter=o.letter))
    name = factory.Sequence(lambda n: f"Signer {n}")
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    email_key = factory.LazyAttribute(lambda o: canonical_email(o.email))
    state = Signature.State.CONFIRMED
    approved = True
    confirmed_at = factory.LazyFunction(timezone.now)
