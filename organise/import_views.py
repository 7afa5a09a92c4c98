"""Founding names in bulk (owners): upload a file, read what each row would do, confirm, watch
the invitations go; the errors as a CSV to fix and upload again; one reminder. The rules are
in organise/imports.py (reading, the preview) and signatures/imports.py (inviting)."""

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ops.spreadsheets import defused
from signatures import imports as inviting
from signatures.models import ImportBatch

from . import imports
from .selectors import organised_letter

SHOWN = 200  # rows of each kind the page lists; the rest are counted (and in the CSV)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("A CSV or XLSX file"),
        help_text=gettext_lazy(
            "The first row names the columns: name, email and profession, and if you have "
            "them role, country, link, organisation and language (the keys, or the sign "
            "form's words in any of the letter's languages). Up to 50,000 rows, 10 MB."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_names(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug, owner=True)
    form = UploadForm(request.POST or None, request.FILES or None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            batch = imports.preview(
                letter=letter, upload=form.cleaned_data["file"], actor=request.user
            )
        except imports.Refused as why:
            refused = str(why)
        else:
            return redirect("organise:import-batch", slug=letter.slug, pk=batch.pk)
    context = {
        "letter": letter,
        "form": form,
        "refused": refused,
        "batches": letter.imports.all()[:20],
        "to_remind": inviting.invitees_to_remind(letter=letter).count(),
    }
    status = 400 if form.errors or refused else 200
    return render(request, "organise/import.html", context, status=status)


def _batch(request: HttpRequest, slug: str, pk: int):
    letter = organised_letter(request.user, slug, owner=True)
    batch = ImportBatch.objects.filter(letter=letter, pk=pk).first()
    if batch is None:
        raise Http404("No such import.")
    return letter, batch


@login_required
@require_http_methods(["GET", "POST"])
def import_batch(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    letter, batch = _batch(request, slug, pk)
    if request.method == "POST":
        if inviting.import_confirm(batch=batch, actor=request.user):
            messages.success(
                request,
                _(
                    "The invitations are on their way: each person is asked by email, "
                    "in their language."
                ),
            )
        return redirect("organise:import-batch", slug=letter.slug, pk=batch.pk)
    rows = {"invite": [], "skipped": [], "error": []}
    for row in batch.rows:
        kind = row["outcome"] if row["outcome"] in ("invite", "error") else "skipped"
        if len(rows[kind]) < SHOWN:
            rows[kind].append(row)
    context = {
        "letter": letter,
        "batch": batch,
        "rows": rows,
        "shown": SHOWN,
        "progress": inviting.import_progress(batch),
    }
    return render(request, "organise/import_batch.html", context)


OUTCOME_WORDS = {
    "on_letter": "already on the letter",
    "invited": "invited before",
    "repeated": "repeated higher up in the file",
    "error": "error",
}


@login_required
def import_errors(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The rows that will not be invited, with why, to fix and upload again."""
    letter, batch = _batch(request, slug, pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "name", "email", "outcome", "error"])
    for row in batch.rows:
        if row["outcome"] != "invite":
            writer.writerow(
                [
                    row["row"],
                    defused(row.get("name", "")),
                    defused(row.get("email", "")),
                    OUTCOME_WORDS.get(row["outcome"], row["outcome"]),
                    defused(row.get("error", "")),
                ]
            )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{letter.slug}-import-{batch.pk}-rows-to-fix.csv"'
    )
    return response


@login_required
@require_POST
def import_remind(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug, owner=True)
    n = inviting.invitees_remind(letter=letter, actor=request.user)
    messages.success(
        request,
        ngettext("%(n)s invitee is reminded.", "%(n)s invitees are reminded.", n) % {"n": n},
    )
    return redirect("organise:import", slug=letter.slug)
