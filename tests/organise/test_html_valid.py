"""The organisers' pages are valid HTML by the Nu checker too (tests/test_html_valid.py runs
it on the public pages and the emails)."""

import json
import shutil

import pytest

from ..conftest import need
from ..test_html_valid import VNU, _check

pytestmark = pytest.mark.django_db

PAGES = ["", "overview/", "settings/", "publishing/", "import/", "handover/", "audit/", "wall/"]


def test_every_organiser_page_is_valid_html(cast, as_user, tmp_path):
    need(shutil.which("java") is not None, "Java (default-jre-headless), for the Nu checker")
    need(VNU.exists(), "vnu.jar (npm ci installs the vnu-jar package)")
    letter = cast["letter"]
    owner = as_user(cast["alice"])
    documents = {}
    for language in ("en", "ar"):
        for page in PAGES:
            response = owner.get(
                f"/organise/letters/{letter.slug}/{page}", HTTP_ACCEPT_LANGUAGE=language
            )
            assert response.status_code == 200, page
            documents[f"organise-{page.strip('/') or 'queue'}-{language}"] = (
                response.content.decode()
            )
    problems = _check(documents, tmp_path)
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)
