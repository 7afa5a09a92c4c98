"""The organisers' area. Every view finds its letter through organised_letter(), so a letter
the user does not organise answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import transaction
from django.db.models import ProtectedError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from ops.http import next_page_query
from petition.audit import audit_record
from petition.models import AuditEntry, Letter, Organiser
from petition.organisers import (
    LastOwner,
    invite_hands_over,
    organiser_invite,
    organiser_remove,
    owners_notify,
)
from petition.snippets import count_snippet
from signatures import selectors as signature_selectors
from signatures.models import Block, Signature
from signatures.moderation import (
    UNDO,
    can_undo,
    moderation_undo,
    signatures_moderate,
)
from signatures.trust import holds_recheck_soon

from .chart import daily_chart
from .export import csv_stream, xlsx_stream
from .forms import (
    BlockForm,
    InviteForm,
    LetterSettingsForm,
    ModerationForm,
    ProfessionFormSet,
    QueueFilterForm,
    language_name,
)
from .selectors import (
    can_create_letters,
    letters_organised_by,
    organised_letter,
)
from .two_factor import ask_for_a_fresh_code


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    letters = [
        {
            "letter": letter,
            "states": signature_selectors.state_counts(letter=letter),
            "reviews": signature_selectors.review_counts(letter=letter),
            "chart": daily_chart(signature_selectors.signatures_per_day(letter=letter)),
            "state_label": Letter.State(letter.current_state()).label,
        }
        for letter in letters_organised_by(request.user)
    ]
    has_mfa = request.user.authenticator_set.exists()
    context = {
        "letters": letters,
        "has_mfa": has_mfa,
        "can_create": can_create_letters(request.user),
    }
    return render(request, "organise/dashboard.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug)
    filters = QueueFilterForm(request.GET, letter=letter)
    if not filters.is_valid():
        context = {
            "letter": letter,
            "filters": filters,
            "rows": [],
            "matching": 0,
            "form": ModerationForm(letter=letter),
            "embed_snippet": count_snippet(letter),
        }
        return render(request, "organise/queue.html", context, status=400)
    queryset = signature_selectors.moderation_queryset(letter=letter, **filters.filters())
    form = ModerationForm(request.POST or None, letter=letter)
    to_confirm = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["all_matching"] and not data["confirmed"]:
            # Show how many and which, and act only on the confirmation.
            to_confirm = {
                "action": AuditEntry.Action(data["action"]).label,
                "count": queryset.count(),
                "sample": list(queryset.order_by("-pk")[:5]),
            }
        else:
            ids = queryset.values_list("pk", flat=True) if data["all_matching"] else data["ids"]
            entry = signatures_moderate(
                letter=letter,
                actor=request.user,
                action=data["action"],
                signature_ids=ids,
                reason=data["reason"],
            )
            done = ngettext(
                "%(action)s: %(n)s signature changed.",
                "%(action)s: %(n)s signatures changed.",
                entry.changed,
            ) % {"action": entry.get_action_display(), "n": intcomma(entry.changed)}
            if can_undo(entry):  # the way back, where the change was made
                undo_url = reverse("organise:undo", kwargs={"slug": letter.slug, "pk": entry.pk})
                done = format_html('{} <a href="{}">{}</a>', done, undo_url, _("Undo"))
            messages.success(request, done)
            return redirect(request.get_full_path())
    rows, next_before = signature_selectors.moderation_page(
        queryset=queryset,
        before=filters.cleaned_data["before"],
        oldest=filters.cleaned_data["order"] == "oldest",
    )
    # Addresses are masked until asked for; showing them, or searching by one, is audited.
    reveal = request.GET.get("reveal") == "1"
    searched_address = "@" in (filters.cleaned_data.get("q") or "")
    if request.method == "GET" and rows and (reveal or searched_address):
        audit_record(
            letter=letter,
            actor=request.user,
            action=AuditEntry.Action.REVEAL_EMAILS,
            detail=(_filters_query(request) or "all")[:300],
            changed=len(rows),
        )
    context = {
        "letter": letter,
        "filters": filters,
        "form": form,
        "rows": rows,
        "reveal": reveal,
        "reveal_query": next_page_query(request, reveal="1"),
        "hide_query": next_page_query(request, reveal=""),
        "matching": queryset.count(),
        "to_confirm": to_confirm,
        "ticked": set(request.POST.getlist("ids")),  # kept ticked after a form error
        "next_query": next_before and next_page_query(request, before=next_before),
        "owner": letter.organised_by(request.user, owner=True),
        "export_query": _filters_query(request),
        "embed_snippet": count_snippet(letter),
    }
    return render(request, "organise/queue.html", context, status=400 if form.errors else 200)


def _filters_query(request: HttpRequest) -> str:
    """The queue's filters as a query string, without its page position (for the export)."""
    params = request.GET.copy()
    params.pop("before", None)
    return params.urlencode()


@login_required
def audit(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug)
    entries = list(
        AuditEntry.objects.filter(letter=letter).select_related("actor", "undone_by")[:200]
    )
    for entry in entries:
        entry.undoable = can_undo(entry)
    return render(request, "organise/audit.html", {"letter": letter, "entries": entries})


@login_required
@require_http_methods(["GET", "POST"])
def letter_settings(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug, owner=True)
    form = LetterSettingsForm(request.POST or None, request.FILES or None, instance=letter)
    professions = ProfessionFormSet(request.POST or None, instance=letter)
    if request.method == "POST" and form.is_valid() and professions.is_valid():
        try:
            with transaction.atomic():
                form.save()
                professions.save()
                if "protected_names" in form.changed_data:
                    holds_recheck_soon(letter.pk, letter.protected_names.splitlines())
                audit_record(
                    letter=letter,
                    actor=request.user,
                    action=AuditEntry.Action.SETTINGS,
                    detail=", ".join(str(form.fields[name].label) for name in form.changed_data)
                    or str(_("professions")),
                )
        except ProtectedError:
            messages.error(request, _("A profession that has signatures cannot be deleted."))
        else:
            messages.success(request, _("The letter was saved."))
            return redirect("organise:settings", slug=letter.slug)
    status = 400 if request.method == "POST" else 200
    context = {
        "letter": letter,
        "form": form,
        "professions": professions,
        "first_language_name": language_name(letter.language),
        "languages_url": reverse("organise:languages", kwargs={"slug": letter.slug}),
        "publishing_url": reverse("organise:publishing", kwargs={"slug": letter.slug}),
    }
    return render(request, "organise/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def organisers(request: HttpRequest, slug: str) -> HttpResponse:
    """Owners invite organisers and remove them. Adding an owner and removing anyone ask for
    a fresh authenticator code, and the other owners are emailed."""
    letter = organised_letter(request.user, slug, owner=True)
    removing = request.method == "POST" and request.POST.get("action") == "remove"
    form = InviteForm(None if removing else (request.POST or None))
    if removing:
        organiser = letter.organisers.filter(pk=_int(request.POST.get("organiser"))).first()
        if organiser is None:
            raise Http404("No such organiser.")
        if asked := ask_for_a_fresh_code(request):
            return asked
        try:
            organiser_remove(letter=letter, organiser_id=organiser.pk, actor=request.user)
        except LastOwner:
            messages.error(request, _("A letter keeps at least one owner: add another first."))
        else:
            messages.success(request, _("Removed. The other owners were told by email."))
        return redirect("organise:organisers", slug=letter.slug)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if invite_hands_over(letter=letter, email=data["email"], role=data["role"]) and (
            asked := ask_for_a_fresh_code(request)
        ):
            return asked
        try:
            organiser_invite(
                letter=letter,
                email=data["email"],
                role=data["role"],
                invited_by=request.user,
                language=data["language"],
            )
        except LastOwner:
            messages.error(request, _("A letter keeps at least one owner: add another first."))
        else:
            messages.success(request, _("Invitation sent."))
        return redirect("organise:organisers", slug=letter.slug)
    context = {
        "letter": letter,
        "form": form,
        "organisers": letter.organisers.select_related("user").order_by("role", "user__email"),
        # The last owner is offered no "Remove": a letter keeps one.
        "owners": letter.organisers.filter(role=Organiser.Role.OWNER).count(),
    }
    status = 400 if form.errors else 200
    return render(request, "organise/organisers.html", context, status=status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def blocks(request: HttpRequest, slug: str) -> HttpResponse:
    """A block silently sets aside every signer it matches: it asks for a fresh code and is
    emailed to the owners (the form refuses blocks wide enough to silence everyone)."""
    letter = organised_letter(request.user, slug)
    form = BlockForm(request.POST or None, letter=letter)
    if request.method == "POST" and form.is_valid():
        if asked := ask_for_a_fresh_code(request):
            return asked
        block = form.save()
        audit_record(
            letter=letter,
            actor=request.user,
            action=AuditEntry.Action.BLOCK,
            detail=str(block),
        )
        owners_notify(letter=letter, actor=request.user, notice="block_added", detail=str(block))
        messages.success(
            request, _("Block added. Signatures that match it from now on are set aside.")
        )
        return redirect("organise:blocks", slug=letter.slug)
    context = {"letter": letter, "form": form, "blocks": Block.objects.filter(letter=letter)}
    return render(request, "organise/blocks.html", context, status=400 if form.errors else 200)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def export(request: HttpRequest, slug: str, format: str) -> HttpResponse:
    """Every signature matching the queue's filters, email included, as CSV or XLSX;
    audited."""
    letter = organised_letter(request.user, slug)
    filters = QueueFilterForm(request.GET, letter=letter)
    if not filters.is_valid():
        return HttpResponseBadRequest(_("These filters are not valid."))
    queryset = signature_selectors.moderation_queryset(letter=letter, **filters.filters())
    audit_record(
        letter=letter,
        actor=request.user,
        action=AuditEntry.Action.EXPORT,
        detail=f"{format}: {filters.describe()}",
        changed=queryset.count(),
    )
    rows = signature_selectors.export_rows(queryset=queryset)
    if format == "xlsx":
        response = StreamingHttpResponse(xlsx_stream(rows, title=letter.slug), content_type=XLSX)
    else:
        response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{letter.slug}-signatures.{format}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def undo(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET says what undoing an audit entry will change; only the POST undoes it."""
    letter = organised_letter(request.user, slug)
    entry = AuditEntry.objects.filter(letter=letter, pk=pk).select_related("actor").first()
    if entry is None:
        raise Http404("No such entry.")
    if not can_undo(entry):
        messages.error(request, _("This action cannot be undone, or has been already."))
        return redirect("organise:audit", slug=letter.slug)
    if request.method == "POST":
        done = moderation_undo(entry=entry, actor=request.user)
        if done is not None:
            messages.success(
                request,
                ngettext(
                    "Undone: %(n)s signature changed back.",
                    "Undone: %(n)s signatures changed back.",
                    done.changed,
                )
                % {"n": intcomma(done.changed)},
            )
        return redirect("organise:audit", slug=letter.slug)
    context = {
        "letter": letter,
        "entry": entry,
        "undo_label": AuditEntry.Action(UNDO[entry.action]).label,
        "sample": Signature.objects.filter(letter=letter, pk__in=entry.signature_ids[:5]),
    }
    return render(request, "organise/undo.html", context)
