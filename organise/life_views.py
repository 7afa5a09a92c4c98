"""A letter's life and languages, for its owners: move it on (draft, private, published,
closed), share or replace its private link, schedule its launch and close; and write it in
another language without a deploy."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from petition import editing, life
from petition.models import Letter

from .forms import AddLanguageForm, LetterLifeForm, LetterScheduleForm, LetterTextForm
from .letter_views import statement_preview
from .selectors import organised_letter
from .two_factor import ask_for_a_fresh_code

MOVED = {
    Letter.State.DRAFT: gettext_lazy(
        "The letter is a draft again: only its organisers can see it."
    ),
    Letter.State.PRIVATE: gettext_lazy(
        "The letter is private: share its private link with founding signers."
    ),
    Letter.State.PUBLISHED: gettext_lazy("The letter is published: everyone can read and sign it."),
    Letter.State.CLOSED: gettext_lazy("The letter is closed: it takes no more signatures."),
}


def private_link(letter: Letter) -> str:
    path = reverse("front:letter", kwargs={"slug": letter.slug})
    return f"{settings.SITE_URL}{path}?key={letter.private_key}"


@login_required
@require_http_methods(["GET", "POST"])
def publishing(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug, owner=True)
    schedule = LetterScheduleForm(instance=letter)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "move":
            form = LetterLifeForm(request.POST)
            to = form.data.get("to")
            if to in ASK_FIRST and not request.POST.get("confirmed"):
                return _confirm_move(request, letter, to)  # publishing or closing asks first
            if form.is_valid() and (asked := ask_for_a_fresh_code(request)):
                return asked
            try:
                if not form.is_valid():
                    raise life.MoveRefused
                life.letter_move(
                    letter_id=letter.pk, to=form.cleaned_data["to"], actor=request.user
                )
            except life.MoveRefused:
                messages.error(request, _("The letter cannot make that move from where it is."))
                status = 400
            else:
                messages.success(request, MOVED[form.cleaned_data["to"]])
                return redirect("organise:publishing", slug=letter.slug)
        elif action == "new_key":
            life.letter_new_key(letter_id=letter.pk, actor=request.user)
            messages.success(
                request, _("A new private link was made; the old one no longer works.")
            )
            return redirect("organise:publishing", slug=letter.slug)
        elif action == "schedule":
            schedule = LetterScheduleForm(request.POST, instance=letter)
            if schedule.is_valid() and (asked := ask_for_a_fresh_code(request)):
                return asked  # a scheduled publish or close is a move: the same code
            if schedule.is_valid():
                life.letter_schedule(
                    letter_id=letter.pk,
                    publish_at=schedule.cleaned_data["publish_at"],
                    closes_at=schedule.cleaned_data["closes_at"],
                    actor=request.user,
                )
                messages.success(request, _("The schedule was saved."))
                return redirect("organise:publishing", slug=letter.slug)
            status = 400
        else:
            messages.error(request, _("Unknown action."))
            status = 400
    state = letter.current_state()
    context = {
        "letter": letter,
        "state": state,
        "state_label": Letter.State(state).label,
        "moves": [(move, Letter.State(move).label) for move in life.MOVES[state]],
        "private_link": private_link(letter),
        "public": state in (Letter.State.PUBLISHED, Letter.State.CLOSED),
        "schedule": schedule,
        "now": timezone.now(),
    }
    return render(request, "organise/publishing.html", context, status=status)


# Moves that everyone sees at once: the page asks "are you sure?" before making them.
ASK_FIRST = (Letter.State.PUBLISHED, Letter.State.CLOSED)


def _confirm_move(request: HttpRequest, letter: Letter, to: str) -> HttpResponse:
    state = letter.current_state()
    if to not in life.MOVES[state]:
        messages.error(request, _("The letter cannot make that move from where it is."))
        return redirect("organise:publishing", slug=letter.slug)
    context = {"letter": letter, "to": to, "state": state}
    return render(request, "organise/confirm_move.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def languages(request: HttpRequest, slug: str) -> HttpResponse:
    """The letter's languages, and "add a language" (which opens that language's page)."""
    letter = organised_letter(request.user, slug, owner=True)
    form = AddLanguageForm(request.POST or None, letter=letter)
    if request.method == "POST" and form.is_valid():
        return redirect(
            "organise:language", slug=letter.slug, language=form.cleaned_data["language"]
        )
    texts = letter.texts_by_language()
    context = {
        "letter": letter,
        "form": form,
        "texts": [(code, texts[code]) for code in letter.languages()],
    }
    return render(request, "organise/languages.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def language(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """The letter in one language (new or existing): title, statement, consent wording and
    the professions' names. POST `remove` drops a language other than the first; `first`
    makes it the first."""
    letter = organised_letter(request.user, slug, owner=True)
    if language not in settings.LETTER_LANGUAGES:
        raise Http404("Not one of this site's letter languages.")
    exists = language in letter.texts_by_language()
    if request.method == "POST" and "first" in request.POST and exists:
        editing.letter_first_language(letter=letter, language=language, actor=request.user)
        messages.success(request, _("This is now the letter's first language."))
        return redirect("organise:languages", slug=letter.slug)
    if request.method == "POST" and "remove" in request.POST:
        if not exists or language == letter.language:
            messages.error(request, _("The first language cannot be removed."))
            return redirect("organise:language", slug=letter.slug, language=language)
        editing.letter_text_remove(letter=letter, language=language, actor=request.user)
        messages.success(request, _("The language was removed."))
        return redirect("organise:languages", slug=letter.slug)
    form = LetterTextForm(request.POST or None, letter=letter, language=language)
    preview = statement_preview(request)
    if preview is None and request.method == "POST" and form.is_valid():
        editing.letter_text_save(letter=letter, language=language, form=form, actor=request.user)
        messages.success(request, _("The letter's text was saved."))
        return redirect("organise:languages", slug=letter.slug)
    context = {
        "letter": letter,
        "form": form,
        "language": language,
        "exists": exists,
        "first": language == letter.language,
        "preview_url": f"{reverse('front:letter', kwargs={'slug': letter.slug})}",
        "preview": preview,
    }
    status = 400 if form.errors and preview is None else 200
    return render(request, "organise/language.html", context, status=status)
