"""The letter page as a visitor first sees it: at 390 × 844 and 1,280 × 800, in English and
Arabic, the title, the live count, the goal and a Sign button are in the first viewport; on a
phone a sign bar stays at hand while the statement is read; on a desktop the form stands
beside the statement."""

import pytest

from petition.models import Letter

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def _in_viewport(page, selector: str, height: int) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= -2 and box["y"] + box["height"] <= height + 2


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_first_viewport_has_the_title_count_goal_and_sign(
    browser, site, language, width, height
):
    Letter.objects.filter(slug="ai-training").update(goal=10000)
    context = browser.new_context(
        locale=language,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": width, "height": height},
    )
    page = context.new_page()
    page.goto(f"{site}/letters/ai-training/")
    page.evaluate("document.fonts.ready.then(() => true)")  # measured after the text face loads
    for selector in ("h1", ".hero-number", "progress[data-goal]", ".hero-sign"):
        assert _in_viewport(page, selector, height), (selector, width, language)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot_viewport(page, f"letter-fold-{language}-{width}")
    if width == 390:
        page.mouse.wheel(0, 900)  # reading the statement: the sign bar is still there
        page.wait_for_timeout(200)
        assert _in_viewport(page, ".sign-bar", height)
        page.locator(".sign-bar").click()
        page.wait_for_function(
            "() => { const r = document.querySelector('#sign-heading').getBoundingClientRect();"
            " return r.top >= -2 && r.bottom <= innerHeight + 2; }"
        )
    else:
        assert _in_viewport(page, "#id_name", height)  # the form beside the statement
        assert not page.locator(".sign-bar").is_visible()
    context.close()


def screenshot_viewport(page, name: str) -> None:
    """What the visitor sees before scrolling (the other screenshots are whole pages)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
