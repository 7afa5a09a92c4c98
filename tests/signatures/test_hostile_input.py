"""Property-based: no input, however hostile, answers 5xx; names render escaped."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from signatures.models import Signature

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u2066\u2067\u2068\u2069",
    "\u200b\u200d\ufeff",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "'; DROP TABLE signatures_signature; --",
    "1 OR 1=1",
    "%00",
    "../../etc/passwd",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "${jndi:ldap://x}",
    "\r\nBcc: victim@example.org",
    "ليلى\u0651\u064e",
    "𝕬𝖉𝖆",
    "🤖" * 50,
    "x" * 100_000,
    "@",
    "a@b",
    "a" * 300 + "@example.org",
]
hostile_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=400),
)
value = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))  # repeated keys
fields = [
    "name",
    "email",
    "profession",
    "role",
    "country",
    "link",
    "show_name",
    "website",
    "started",
]


@EXAMPLES
@given(data=st.dictionaries(st.sampled_from(fields + ["junk", "csrfmiddlewaretoken"]), value))
def test_sign_form_never_answers_5xx(client, letter, data):
    response = client.post(f"/letters/{letter.slug}/sign/", data)
    assert response.status_code in (303, 400, 429)
    if response.status_code == 400:
        assert "<script>alert(1)" not in response.content.decode()


@EXAMPLES
@given(name=hostile_text, email_local=st.from_regex(r"[a-z0-9]{1,20}", fullmatch=True))
def test_hostile_names_are_stored_clean_and_listed_escaped(client, letter, name, email_local):
    data = {
        "name": name,
        "email": f"{email_local}@example.org",
        "profession": "actor",
        "show_name": "on",
    }
    response = client.post(f"/letters/{letter.slug}/sign/", data)
    assert response.status_code in (303, 400)
    signature = Signature.objects.filter(email=f"{email_local}@example.org").first()
    if signature is None:
        return
    assert not any(ch in signature.name for ch in "\x00\u202e\u200b\u2066\ufeff")
    Signature.objects.filter(pk=signature.pk).update(state="confirmed", approved=True)
    body = client.get(f"/letters/{letter.slug}/signatures/").content.decode()
    assert "<script>alert(1)" not in body and "<img src=x" not in body


@EXAMPLES
@given(
    kind=st.sampled_from(["confirm", "withdraw", "erase"]),
    token=st.one_of(
        st.sampled_from(["", "x", "WzEsImFiYyJd:1:abc", "a" * 5000, "%00", "..", "%2e%2e"]),
        st.text(
            alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="/?#"),
            min_size=1,
            max_size=300,
        ),
    ),
    method=st.sampled_from(["get", "post"]),
)
def test_email_links_never_answer_5xx(client, letter, kind, token, method):
    response = getattr(client, method)(f"/letters/{letter.slug}/{kind}/{token}/")
    assert response.status_code < 500


@EXAMPLES
@given(
    params=st.dictionaries(
        st.sampled_from(["q", "profession", "country", "notable", "cursor", "junk"]), value
    )
)
def test_json_endpoints_never_answer_5xx(client, letter, params):
    for path in (
        f"/api/letters/{letter.slug}/signatures",
        f"/api/letters/{letter.slug}/count",
        f"/letters/{letter.slug}/signatures/",
    ):
        response = client.get(path, params)
        assert response.status_code in (200, 400), (path, params)
        if path.startswith("/api/"):
            assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type"),
    [
        (
            "post",
            "/letters/ai-training/sign/",
            b"\xff\xfe\x00garbage",
            "application/x-www-form-urlencoded",
        ),
        ("post", "/letters/ai-training/sign/", b"--x\r\nbroken", "multipart/form-data; boundary=x"),
        ("post", "/letters/ai-training/sign/", b'{"name": 1}', "application/json"),
        ("get", "/api/letters/ai-training/signatures?q=%ff%fe", b"", "text/plain"),
        ("get", "/api/letters/%ff/count", b"", "text/plain"),
        ("put", "/letters/ai-training/sign/", b"", "text/plain"),
        ("delete", "/api/letters/ai-training/count", b"", "text/plain"),
    ],
)
def test_malformed_requests_never_answer_5xx(client, letter, method, path, body, content_type):
    response = client.generic(method.upper(), path, body, content_type=content_type)
    assert response.status_code < 500
