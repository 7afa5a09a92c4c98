import factory
from django.utils import timezone

from letters.models import Letter, Profession
from signatures.models import Signature
from signatures.normalise import canonical_email


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter

    slug = factory.Sequence(lambda n: f"letter-{n}")
    title_en = factory.Sequence(lambda n: f"Open letter {n}")
    title_ar = factory.Sequence(lambda n: f"رسالة مفتوحة {n}")
    body_en = "We, the undersigned, **object**."
    body_ar = "نحن الموقّعين أدناه **نعترض**."
    featured = False


class ProfessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profession

    letter = factory.SubFactory(LetterFactory)
    key = factory.Sequence(lambda n: f"profession-{n}")
    label_en = factory.Sequence(lambda n: f"Profession {n}")
    label_ar = factory.Sequence(lambda n: f"مهنة {n}")


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
