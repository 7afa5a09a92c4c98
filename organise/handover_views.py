"""The letter out (owners): letter.pdf in any of the letter's languages, built in the request
for a small letter and by a worker for a large one (signatures/letter_pdf.py); the handover
page says, per language, whether it is ready and when it was built."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from signatures import letter_pdf
from signatures.models import LetterPdf

from .forms import language_name
from .selectors import organised_letter


def _languages(letter) -> list[dict]:
    kept = {pdf.language: pdf for pdf in LetterPdf.objects.filter(letter=letter).defer("pdf")}
    return [
        {"code": code, "name": language_name(code), "pdf": kept.get(code)}
        for code in letter.languages()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def handover(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug, owner=True)
    if request.method == "POST":
        language = request.POST.get("lang", "")
        if language in letter.languages():
            letter_pdf.rebuild(letter, language)
            messages.success(
                request, _("The PDF is being built again; this page says when it is ready.")
            )
        return redirect("organise:handover", slug=letter.slug)
    context = {
        "letter": letter,
        "languages": _languages(letter),
        "names": letter_pdf.names_count(letter),
        "inline_names": letter_pdf.INLINE_NAMES,
    }
    return render(request, "organise/handover.html", context)


@login_required
def letter_pdf_download(request: HttpRequest, slug: str) -> HttpResponse:
    letter = organised_letter(request.user, slug, owner=True)
    language = request.GET.get("lang") or letter.language
    if language not in letter.languages():
        context = {"letter": letter, "languages": _languages(letter), "bad_language": language}
        return render(request, "organise/handover.html", context, status=400)
    result = letter_pdf.letter_pdf(letter, language)
    if isinstance(result, bytes):
        pdf = result
    elif result.state == LetterPdf.State.READY:
        pdf = bytes(LetterPdf.objects.values_list("pdf", flat=True).get(pk=result.pk))
    else:  # being built: the handover page, which says so and refreshes itself
        context = {
            "letter": letter,
            "languages": _languages(letter),
            "names": letter_pdf.names_count(letter),
            "building": language,
        }
        return render(request, "organise/handover.html", context, status=202)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.slug}-{language}.pdf"'
    return response
