"""A fixed cast (as healthchecks' tests do): alice owns letter A, bob moderates it, charlie
organises only letter B. Every organiser URL of A is tried as charlie."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.mfa.utils import is_mfa_enabled
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


def record_code(client, user, *, seconds_ago: float = 0) -> None:
    """As if `user` had typed an authenticator code `seconds_ago` (at sign-in, or since):
    the record allauth keeps in the session."""
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "mfa", "type": "totp", "at": time.time() - seconds_ago}
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def as_user(client, django_capture_on_commit_callbacks):
    """Signed in as `user`; with two-factor, as if they had just typed a code (pass
    `fresh_code=False` for a sign-in without one)."""

    def _as(user, *, fresh_code: bool = True):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if fresh_code and is_mfa_enabled(user):
            record_code(client, user)
        return CommittingClient(client, django_capture_on_commit_callbacks)

    return _as
