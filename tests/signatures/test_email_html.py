"""The signer's email renders in common mail clients: table layout, CSS written into style
attributes (clients drop <style>), Confirm a real button and the other actions small, a
plain-text part that is plain text, and what will be published."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_confirmation_email_is_inlined_with_a_real_button(sign, letter, sign_data, language):
    sign(letter, sign_data, HTTP_ACCEPT_LANGUAGE=language)
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert "<style" not in html and 'role="presentation"' in html
    button = re.search(r'<a class="button"[^>]*href="[^"]+/confirm/[^"]+"[^>]*>', html).group(0)
    assert "background: #8a2c0d" in button and "padding: 14px 24px" in button
    small = html[html.index('class="small"') : html.index("</td>", html.index('class="small"'))]
    assert "/withdraw/" in small and "/erase/" in small and "font-size: 13px" in small
    assert "<" not in message.body  # the text part is text
    assert "Ada Lovelace" in message.body and "/confirm/" in message.body
    if language == "ar":
        assert 'dir="rtl"' in html
