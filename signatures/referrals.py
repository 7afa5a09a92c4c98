"""Each signer's own link: the letter's address with `?ref=<their code>`. Signatures that
arrive through it keep the code as their source, as partners' links do (petition/refs.py),
so "N people signed through your link" is a count of counted signatures with that source:
exact whatever signs at the same moment, since it is read from the rows."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from petition.models import Letter

from .models import COUNTED, Signature

# "s" and 10 lower-case letters or digits (refs are folded to lower case, petition/refs.py):
# 36^10, about 2^51 codes, not guessable from anything.
CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
CODE_LENGTH = 10


def share_code(signature: Signature) -> str:
    """The signer's code, made (once, for good) the first time it is asked for."""
    if signature.share_code:
        return signature.share_code
    for _attempt in range(5):
        code = new_share_code()
        try:
            with transaction.atomic():
                changed = Signature.objects.filter(pk=signature.pk, share_code=None).update(
                    share_code=code
                )
        except IntegrityError:  # that code is taken (2^51: not in this lifetime)
            continue
        if not changed:  # another request made it first
            code = (
                Signature.objects.filter(pk=signature.pk)
                .values_list("share_code", flat=True)
                .first()
            )
        signature.share_code = code
        return code
    raise RuntimeError("no free share code")


def share_url(signature: Signature, *, letter: Letter | None = None) -> str:
    """The signer's own link (the letter's address with their code); `letter` when the
    caller has it loaded (a mail-out: no query per recipient)."""
    page = (letter or signature.letter).get_absolute_url()
    return f"{settings.SITE_URL}{page}?ref={share_code(signature)}"


def share_codes_fill(signatures) -> int:
    """Give every signature of `signatures` (a queryset) its code, in batches: an update to
    100,000 signers needs 100,000 links, made before the first message, not one a message."""
    made = 0
    ids = list(signatures.filter(share_code=None).values_list("pk", flat=True))
    for start in range(0, len(ids), 1000):
        rows = [Signature(pk=pk, share_code=new_share_code()) for pk in ids[start : start + 1000]]
        Signature.objects.bulk_update(rows, ["share_code"])
        made += len(rows)
    return made


def new_share_code() -> str:
    return "s" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def brought(signature: Signature) -> int:
    """How many counted signatures came through this signer's link."""
    if not signature.share_code:
        return 0
    return Signature.objects.filter(
        COUNTED, letter_id=signature.letter_id, source=signature.share_code
    ).count()


def top_sharers(*, letter: Letter, limit: int = 10) -> list[tuple[str, int]]:
    """(who, how many they brought) for the signers whose links brought the most: their
    name where they are listed, otherwise "" (the page says "a signer")."""
    through = (
        Signature.objects.filter(COUNTED, letter_id=letter.pk, source=OuterRef("share_code"))
        .values("source")
        .annotate(n=Count("pk"))
        .values("n")
    )
    listed = Q(show_name=True, held=False, signing_as=Signature.SigningAs.PERSON) & COUNTED
    rows = (
        Signature.objects.filter(letter=letter, share_code__isnull=False)
        .annotate(n=Coalesce(Subquery(through[:1]), 0))
        .filter(n__gt=0)
        .order_by("-n", "pk")[:limit]
    )
    public = set(
        Signature.objects.filter(listed, pk__in=[row.pk for row in rows]).values_list(
            "pk", flat=True
        )
    )
    return [(row.name if row.pk in public else "", row.n) for row in rows]
