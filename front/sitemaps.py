"""GET /sitemap.xml (Django's sitemap framework) and GET /robots.txt: every letter's page
for search engines, and the pages that are no business of theirs."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control

from petition.models import Letter


class LetterSitemap(Sitemap):
    """Every public letter in each of its languages: a URL a language (?lang=)."""

    changefreq = "hourly"

    def items(self):
        letters = Letter.objects.public().prefetch_related("texts")
        return [
            (letter, language)
            for letter in letters.order_by("-featured", "-created_at")
            for language in letter.languages()
        ]

    def location(self, item) -> str:
        letter, language = item
        return f"{letter.get_absolute_url()}?lang={language}"

    def lastmod(self, item):
        return item[0].updated_at


SITEMAPS = {"letters": LetterSitemap}

# Organisers' and account pages, the API and the links in signers' emails (which carry a
# token: nothing a crawler should keep).
DISALLOWED = [
    "/organise/",
    "/accounts/",
    "/admin/",
    "/api/",
    "/dev/",
    "/csrf/",
    "/letters/*/confirm/",
    "/letters/*/withdraw/",
    "/letters/*/erase/",
    "/letters/*/manage/",
    "/letters/*/unsubscribe/",
    "/letters/*/signed/",
]


@cache_control(public=True, max_age=3600)
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines.append(f"Sitemap: {settings.SITE_URL}{reverse('front:sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
