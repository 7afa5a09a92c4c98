"""The launch dashboard (how the letter is doing, hour by hour) and the partners' share
links (where signers come from)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from petition.audit import audit_record
from petition.deliverability import letter_mail_rates, suppression_lift
from petition.models import AuditEntry
from petition.snippets import form_snippet
from signatures import selectors as signature_selectors
from signatures.referrals import top_sharers
from updates import selectors as update_selectors

from .chart import daily_chart, hourly_chart
from .forms import SourceForm
from .selectors import organised_letter


def _share_url(letter, key: str) -> str:
    return f"{settings.SITE_URL}{reverse('front:letter', kwargs={'slug': letter.slug})}?ref={key}"


def sources_table(letter) -> list[dict]:
    """Every source signers came with, labelled ones first even at zero, then unlabelled."""
    labels = {source.key: source for source in letter.sources.all()}
    counts = {key: (counted, signed) for key, counted, signed in
              signature_selectors.counts_by_source(letter=letter)}  # fmt: skip
    rows = [
        {
            "key": key,
            "label": source.label,
            "url": _share_url(letter, key),
            "form_snippet": form_snippet(letter, ref=key),
            "counted": counts.get(key, (0, 0))[0],
            "signed": counts.get(key, (0, 0))[1],
        }
        for key, source in labels.items()
    ]
    rows.sort(key=lambda row: (-row["counted"], row["label"]))
    rows += [
        {"key": key, "label": "", "url": "", "counted": counted, "signed": signed}
        for key, (counted, signed) in counts.items()
        if key not in labels
    ]
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug)
    if request.method == "POST":  # lift a suppression (the only action here)
        key = (request.POST.get("email_key") or "").strip()
        if not signature_selectors.letter_suppressions(letter=letter).filter(email_key=key):
            raise Http404("No such suppressed address among this letter's signers.")
        suppression_lift(letter=letter, email_key=key, actor=request.user)
        messages.success(request, _("Emails may go to that address again."))
        return redirect("organise:overview", slug=letter.slug)
    suppressions = signature_selectors.letter_suppressions(letter=letter)
    sent = signature_selectors.confirmation_emails_sent(letter=letter)
    sent += update_selectors.update_emails_sent(letter=letter)
    context = {
        "mail": letter_mail_rates(letter=letter, sent=sent, suppressed=suppressions.count()),
        "suppressions": suppressions[:50],
        "letter": letter,
        "states": signature_selectors.state_counts(letter=letter),
        "reviews": signature_selectors.review_counts(letter=letter),
        "hourly": hourly_chart(signature_selectors.signatures_per_hour(letter=letter)),
        "daily": daily_chart(signature_selectors.signatures_per_day(letter=letter, days=366)),
        "figures": signature_selectors.launch_figures(letter=letter),
        "emails": signature_selectors.email_figures(letter=letter),
        "sources": sources_table(letter),
        "sharers": top_sharers(letter=letter),
    }
    return render(request, "organise/overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sources(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug)
    form = SourceForm(request.POST if request.method == "POST" else None, letter=letter)
    if request.method == "POST" and form.is_valid():
        source = form.save()
        audit_record(
            letter=letter,
            actor=request.user,
            action=AuditEntry.Action.SOURCE,
            detail=str(source),
        )
        messages.success(
            request, _("Share link made: %(url)s") % {"url": _share_url(letter, source.key)}
        )
        return redirect("organise:sources", slug=letter.slug)
    context = {
        "letter": letter,
        "form": form,
        "sources": sources_table(letter),
        "form_snippet": form_snippet(letter),
    }
    return render(request, "organise/sources.html", context, status=400 if form.errors else 200)
