"""Who is on the letter: names added on someone's behalf (with their consent) and the notable
wall's order. Reviewing held names, organisations and claims happens in the queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from petition.audit import audit_record
from petition.models import AuditEntry
from signatures import signing
from signatures.models import Signature

from .forms import AddOnBehalfForm, WallForm
from .selectors import organised_letter


@login_required
@require_http_methods(["GET", "POST"])
def add_on_behalf(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug)
    form = AddOnBehalfForm(request.POST if request.method == "POST" else None, letter=letter)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_signing()
        signing.signature_sign(
            letter=letter, data=data, language=data["language"], added_by=request.user
        )
        audit_record(
            letter=letter,
            actor=request.user,
            action=AuditEntry.Action.ADD_ON_BEHALF,
            detail=data["name"],
        )
        messages.success(
            request,
            _("%(name)s is asked by email to confirm or decline. Nothing is listed before.")
            % {"name": data["name"]},
        )
        return redirect("organise:add", slug=letter.slug)
    context = {"letter": letter, "form": form}
    return render(request, "organise/add.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def wall(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug)
    notables = list(
        Signature.objects.listed()
        .filter(letter=letter, notable_verified=True)
        .order_by("wall_position", "name")
    )
    form = WallForm(request.POST if request.method == "POST" else None, notables=notables)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            for signature in notables:
                position = form.positions()[signature.pk]
                if position != signature.wall_position:
                    Signature.objects.filter(pk=signature.pk).update(wall_position=position)
            audit_record(
                letter=letter,
                actor=request.user,
                action=AuditEntry.Action.WALL,
                detail=", ".join(
                    f"{s.name}={p}" for s in notables if (p := form.positions()[s.pk])
                ),
            )
        messages.success(request, _("The wall's order was saved."))
        return redirect("organise:wall", slug=letter.slug)
    context = {"letter": letter, "form": form}
    return render(request, "organise/wall.html", context, status=400 if form.errors else 200)
