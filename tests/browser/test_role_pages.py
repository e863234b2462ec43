"""The signed-in pages of each role pass axe-core and fit a phone (issue #18).

A teacher starts a submission from the catalogue, adds a link and submits it;
a reviewer opens it from the queue; an admin looks at the district pages.
Every page on the way, at desktop size and at 390x844, has zero axe-core
violations (WCAG 2.2 A/AA and best practices), no sideways scroll, and a
screenshot in ``artifacts/browser/``.
"""

from __future__ import annotations

import json
from typing import Any

from tests.browser.conftest import ADMIN
from tests.browser.conftest import REVIEWER
from tests.browser.conftest import Site
from tests.browser.conftest import axe_violations
from tests.browser.conftest import screenshot
from tests.browser.conftest import sign_in

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _check(page: Any, name: str, size: str) -> None:
    page.wait_for_load_state()
    assert page.locator("h1").count() == 1, f"{name}: one main heading"
    violations = axe_violations(page)
    assert violations == [], f"{name} ({size}): " + json.dumps(violations, indent=2)
    screenshot(page, f"role-{name}-{size}")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                && !e.closest('.table-wrap'))
        .slice(0, 5).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' +
                         Math.round(e.getBoundingClientRect().right))""")
    assert widths[0] <= widths[1], \
        f"{name} ({size}): {widths[0]}px in a {widths[1]}px screen; too wide: {wide}"


def _submit_a_link(page: Any, site: Site) -> str:
    """Ana's journey: catalogue, achievement, start, add a link, submit. The submission URL."""
    page.goto(f"{site.base}/catalogue")
    page.get_by_role("link", name="Blended Learning Design").first.click()
    page.get_by_role("button", name="Start a submission").click()
    page.wait_for_url("**/submissions/*")
    link = page.get_by_role("group", name="A link")
    link.get_by_label("Title").fill("Fractions unit")
    link.get_by_label("Web address").fill("https://portfolio.example.org/fractions")
    link.get_by_role("button", name="Add link").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_load_state()
    url: str = page.url
    return url


def test_every_role_page_passes_axe_and_fits(browser: Any, site: Site, teacher: str) -> None:
    pages: dict[str, list[tuple[str, str]]] = {}
    context = browser.new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    sign_in(page, site, teacher)
    submission = _submit_a_link(page, site)
    pages[teacher] = [("start", f"{site.base}/start"), ("catalogue", f"{site.base}/catalogue"),
                      ("submission", submission), ("submissions", f"{site.base}/submissions"),
                      ("wallet", f"{site.base}/wallet")]
    page.goto(f"{site.base}/catalogue")
    page.get_by_role("link", name="Blended Learning Design").first.click()
    pages[teacher].append(("catalogue-achievement", page.url))
    context.close()
    review = submission.replace("/submissions/", "/review/").split("?")[0]
    pages[REVIEWER] = [("queue", f"{site.base}/review"), ("review", review)]
    pages[ADMIN] = [("district", f"{site.base}/district"),
                    ("people", f"{site.base}/district/people"),
                    ("credentials", f"{site.base}/district/credentials"),
                    ("bulk-revoke", f"{site.base}/district/credentials/bulk")]
    for size, viewport in SIZES.items():
        for who, visits in pages.items():
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            sign_in(page, site, who)
            for name, url in visits:
                response = page.goto(url)
                assert response.status == 200, f"{name}: {response.status}"
                _check(page, name, size)
            if who == ADMIN:
                page.goto(f"{site.base}/district/credentials")
                page.locator("table a[href*='/district/credentials/']").first.click()
                _check(page, "credential", size)
            context.close()
