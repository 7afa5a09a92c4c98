"""A fixed cast (as healthchecks' tests do): alice owns letter A, bob moderates it, charlie
organises only letter B. Every organiser URL of A is tried as charlie."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model

from petition.models import Organiser

from ..factories import LetterFactory, ProfessionFactory


def make_user(name: str, *, two_factor: bool = True, **extra):
    """An organiser account; with two-factor authentication set up unless told otherwise
    (pages with signer data need it)."""
    user = get_user_model().objects.create_user(
        username=name, email=f"{name}@example.org", password="a-long-password-123", **extra
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    if two_factor:
        TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def cast(db, letter):
    other = LetterFactory(slug="letter-b")
    ProfessionFactory(letter=other, key="actor")
    alice, bob, charlie = make_user("alice"), make_user("bob"), make_user("charlie")
    Organiser.objects.create(letter=letter, user=alice, role=Organiser.Role.OWNER)
    Organiser.objects.create(letter=letter, user=bob, role=Organiser.Role.MODERATOR)
    Organiser.objects.create(letter=other, user=charlie, role=Organiser.Role.OWNER)
    return {"alice": alice, "bob": bob, "charlie": charlie, "letter": letter, "other": other}


class CommittingClient:
    """The test client, running on-commit work (folds, emails) as a real request would."""

    def __init__(self, client, capture):
        self._client, self._capture = client, capture

    def __getattr__(self, name):
        attribute = getattr(self._client, name)
        if name not in ("get", "post"):
            return attribute

        def call(*args, **kwargs):
            with self._capture(execute=True):
                return attribute(*args, **kwargs)

        return call


@pytest.fixture
def as_user(client, django_capture_on_commit_callbacks):
    def _as(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return CommittingClient(client, django_capture_on_commit_callbacks)

    return _as
