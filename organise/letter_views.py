"""Creating letters: from nothing, or as a copy of one you organise. Staff may, and anyone
granted it with `manage.py add_organiser --creator EMAIL` (the `petition.add_letter`
permission). The creator becomes the letter's owner."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from petition import editing
from petition.markdown import render_markdown

from .forms import NewLetterForm
from .selectors import can_create_letters, organised_letter


@login_required
@require_http_methods(["GET", "POST"])
def letter_new(request: HttpRequest) -> HttpResponse:
    if not can_create_letters(request.user):
        raise PermissionDenied(_("Creating letters is for staff and those granted it."))
    source = None
    if copy_of := request.GET.get("from"):
        source = organised_letter(request.user, copy_of)
    initial = NewLetterForm.initial_copying(source) if source else {}
    form = NewLetterForm(
        request.POST if request.method == "POST" else None, initial=initial, source=source
    )
    preview = statement_preview(request)
    if preview is None and request.method == "POST" and form.is_valid():
        letter = editing.letter_create(form=form, creator=request.user, copy_of=source)
        messages.success(
            request,
            _(
                "The letter was created as a draft: only its organisers see it. Add its other "
                "languages, then make it private to gather founding signers, or publish it."
            ),
        )
        return redirect("organise:publishing", slug=letter.slug)
    context = {"form": form, "source": source, "preview": preview}
    status = 400 if form.errors and preview is None else 200
    return render(request, "organise/letter_new.html", context, status=status)


def statement_preview(request: HttpRequest) -> str | None:
    """The statement as readers will see it, when the organiser pressed "Preview" (the form
    comes back as typed, nothing saved): Markdown rendered and cleaned as on the letter page."""
    if request.method != "POST" or "preview" not in request.POST:
        return None
    return render_markdown(request.POST.get("body", ""))
