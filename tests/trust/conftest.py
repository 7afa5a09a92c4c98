import pytest
from django.core import mail

from signatures.counting import letter_count, tally_fold, tally_recount

from ..conftest import links_in


@pytest.fixture
def sign_and_confirm(sign, client):
    """Sign through the form and confirm from the email, as the person would."""

    def _do(letter, data):
        before = len(mail.outbox)
        response = sign(letter, data)
        assert response.status_code == 303, response.content.decode()[:3000]
        links = links_in(mail.outbox[before])
        client.get(links["confirm"])
        return links

    return _do


def count(letter):
    tally_fold(letter_id=letter.pk)
    return letter_count(letter=letter)


def recount(letter):
    tally_recount(letter_id=letter.pk)


from ..organise.conftest import as_user, cast  # noqa: E402,F401 - the organisers' fixed cast
