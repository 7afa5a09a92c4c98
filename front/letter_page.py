"""The letter page, rendered for a first visit, a failed submission or a CSRF retry."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from petition.models import Letter
from petition.refs import clean_ref
from petition.snippets import form_snippet
from signatures.counting import letter_count_json
from signatures.selectors import notable_signers, verified_organisations
from updates.selectors import public_updates

from . import share
from .countries import country_rows
from .forms import SignForm


def render_letter(
    request: HttpRequest,
    letter: Letter,
    *,
    form: SignForm | None = None,
    status: int = 200,
    csrf_retry: bool = False,
    human_check: dict | None = None,
) -> HttpResponse:
    """The letter page, private to this visitor (deferred_csrf.mark_cacheable shares it).
    Everything but the form's tokens sits in cached fragments (see the template), so the
    values here are lazy: a cache hit never computes them."""
    language = get_language()
    count = SimpleLazyObject(lambda: letter_count_json(slug=letter.slug))

    def professions():
        """Most signed first (the statement stays the centre: five show, the rest fold)."""
        totals = count["by_profession"]
        rows = [(p, totals.get(p.key, 0)) for p in letter.professions.all()]
        return sorted(rows, key=lambda row: -row[1])

    context = {
        "letter": letter,
        "title": letter.title(language),
        "body_html": lambda: letter.body_html(language),
        "count": count,
        "professions": SimpleLazyObject(professions),
        "by_country": SimpleLazyObject(lambda: country_rows(count["by_country"], most=8)),
        "notables": SimpleLazyObject(lambda: notable_signers(letter=letter)),
        "organisations": SimpleLazyObject(lambda: verified_organisations(letter=letter)),
        "form": form or SignForm(letter=letter, initial={"ref": clean_ref(request.GET.get("ref"))}),
        "fragment_seconds": settings.LETTER_FRAGMENT_CACHE_SECONDS,
        "card": SimpleLazyObject(lambda: share.card(letter, language)),
        "share_links": SimpleLazyObject(lambda: share.share_links(letter, language)),
        "letter_url": share.letter_url(letter),
        # In the reader's language when the letter has it (the frame's title and its form).
        "form_snippet": SimpleLazyObject(
            lambda: form_snippet(
                letter, language=language if language in letter.languages() else ""
            )
        ),
        "csrf_retry": csrf_retry,
        "human_check": human_check,
        "updates": SimpleLazyObject(lambda: _updates_shown(letter, language)),
        "contact_href": _contact_href(letter.contact),
    }
    response = render(request, "front/letter.html", context, status=status)
    patch_cache_control(response, private=True)
    return response


def _updates_shown(letter: Letter, language: str) -> list[dict]:
    """The updates its owners published, each in the reader's language where it has one."""
    shown = []
    for update in public_updates(letter):
        text = update.text(language)
        shown.append(
            {
                "sent_at": update.started_at,
                "subject": text.subject,
                "body_html": text.body_html(),
                "language": text.language,
            }
        )
    return shown


def _contact_href(contact: str) -> str:
    """An email address becomes a mailto: link; a web address stays (the settings form only
    accepts those two)."""
    if contact and not contact.lower().startswith(("http://", "https://")):
        return f"mailto:{contact}"
    return contact
