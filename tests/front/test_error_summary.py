"""A failed submission opens at an error summary (GOV.UK's pattern) that links to each field."""

import pytest

pytestmark = pytest.mark.django_db


def test_a_failed_submission_has_a_focused_summary_linking_to_each_field(client, letter, sign_data):
    response = client.post(f"/letters/{letter.slug}/sign/", {**sign_data, "email": "bad@"})
    assert response.status_code == 400
    body = response.content.decode()
    summary = body[body.index('id="sign-errors"') : body.index("</ul>", body.index("sign-errors"))]
    assert "autofocus" in summary and 'tabindex="-1"' in summary
    assert 'href="#id_email"' in summary
    assert "GOV.UK" not in body  # template comments stay comments


def test_the_no_javascript_retry_page_opens_at_its_notice(client, letter, sign_data):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/letters/{letter.slug}/sign/", sign_data)
    assert response.status_code == 403
    body = response.content.decode()
    notice = body[body.index('class="form-notice"') - 100 : body.index('class="form-notice"') + 200]
    assert 'id="sign-errors"' in notice and "autofocus" in notice
