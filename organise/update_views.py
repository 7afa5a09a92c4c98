"""Owners' pages for updates to signers: write, preview, test, send or schedule, watch the
progress. Thin: the rules live in updates.writing and updates.sending."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from updates import selectors, writing
from updates.models import Update

from .forms import ScheduleForm, UpdateForm
from .selectors import organised_letter


@login_required
@require_http_methods(["GET", "POST"])
def updates(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug, owner=True)
    form = UpdateForm(request.POST if request.method == "POST" else None, letter=letter)
    if request.method == "POST" and form.is_valid():
        update = writing.update_save(
            letter=letter,
            actor=request.user,
            texts=form.texts(),
            public=form.cleaned_data["public"],
        )
        messages.success(
            request, _("Draft saved. Check the preview, send yourself a test, then send it.")
        )
        return redirect("organise:update", slug=letter.slug, pk=update.pk)
    context = {
        "letter": letter,
        "form": form,
        "updates": [
            (update, selectors.update_progress(update) if update.recipients else None)
            for update in selectors.letter_updates(letter)
        ],
        "recipients": selectors.recipients_count(letter),
    }
    return render(request, "organise/updates.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    letter = organised_letter(request.user, slug, owner=True)
    found = Update.objects.filter(letter=letter, pk=pk).prefetch_related("texts").first()
    if found is None:
        raise Http404("No such update.")
    action = request.POST.get("action") if request.method == "POST" else None
    draft = found.state in (Update.State.DRAFT, Update.State.SCHEDULED)
    # "Send now" reaches every consenting signer and cannot be undone: it asks first.
    confirm_send = action == "send" and draft and not request.POST.get("confirmed")
    if confirm_send:
        action = None
    bound = {"edit": None, "schedule": None}
    if action in bound:
        bound[action] = request.POST
    form = UpdateForm(bound["edit"], letter=letter, update=found)
    schedule_form = ScheduleForm(bound["schedule"], initial={"send_at": found.send_at})
    if action and (done := _act(request, found, action, draft, form, schedule_form)):
        messages.success(request, done)
        return redirect("organise:update", slug=letter.slug, pk=found.pk)
    invalid = any(f.errors for f in (form, schedule_form)) or (
        action is not None and action not in ("edit", "test", "schedule", "send", "cancel")
    )
    context = {
        "letter": letter,
        "update": found,
        "draft": draft,
        "texts": list(found.texts.all()),
        "form": form,
        "schedule_form": schedule_form,
        "progress": selectors.update_progress(found),
        "recipients": selectors.recipients_count(letter),
        "confirm_send": confirm_send,
    }
    return render(request, "organise/update.html", context, status=400 if invalid else 200)


def _act(request, update: Update, action: str, draft: bool, form, schedule_form):
    """Carry out a button of the update page; the message to show, or None (form errors,
    or an update already sent)."""
    user = request.user
    if action == "test":
        n = writing.update_send_test(update=update, actor=user)
        return ngettext(
            "A test was sent to %(to)s.", "%(n)s tests (one per language) were sent to %(to)s.", n
        ) % {"n": n, "to": user.email}
    if not draft:
        messages.error(request, _("This update has been sent; it can no longer change."))
        return None
    if action == "edit" and form.is_valid():
        saved = writing.update_save(
            letter=update.letter,
            actor=user,
            texts=form.texts(),
            public=form.cleaned_data["public"],
            update=update,
        )
        if saved is None:  # the sweep started it meanwhile
            messages.error(request, _("This update has been sent; it can no longer change."))
            return None
        return _("Draft saved.")
    if action == "send" and writing.update_send_now(update=update, actor=user):
        update.refresh_from_db()
        return ngettext(
            "Sending to %(n)s signer.", "Sending to %(n)s signers.", update.recipients
        ) % {"n": intcomma(update.recipients)}
    if action == "schedule" and schedule_form.is_valid():
        when = schedule_form.cleaned_data["send_at"]
        writing.update_schedule(update=update, actor=user, when=when)
        return _("Scheduled.")
    if action == "cancel" and writing.update_cancel_schedule(update=update, actor=user):
        return _("The schedule was cancelled; the update is a draft again.")
    return None
