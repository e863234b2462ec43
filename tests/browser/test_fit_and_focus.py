"""Phones, keyboards and languages on the public pages and the wallet (issue #18).

At 360x740, 390x844 and 414x896 the share page, the wallet, the verifier's
form, result and printable receipt, the home and achievement pages fit the
screen without sideways scrolling (``document.documentElement.scrollWidth <=
innerWidth``), in English and Spanish; each passes axe-core's WCAG 2.2 A/AA
rules with zero violations and is saved as a screenshot in
``artifacts/browser/``. The focus ring has at least 3:1 contrast against the
page (WCAG 2.2 SC 1.4.11, 2.4.13), error summaries take the focus, and the
current language is marked visibly, not only by ``aria-current``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from issuer.models import IssuedCredential
from issuer.services import issuance
from tests.browser.conftest import Site
from tests.browser.conftest import axe_violations
from tests.browser.conftest import screenshot
from tests.browser.conftest import sign_in as _sign_in
from verifier.i18n import TEXT as VERIFIER_TEXT

PHONES = {"360": {"width": 360, "height": 740}, "390": {"width": 390, "height": 844},
          "414": {"width": 414, "height": 896}}


@pytest.fixture(params=list(PHONES))
def phone(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONES[request.param], is_mobile=True,
                                  has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.size_name = request.param
    yield page
    context.close()


def _fits(page: Any, name: str, *, axe: bool = True) -> None:
    """No sideways scroll (and nothing wider than the screen), zero axe violations, a screenshot."""
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{name}: {widths[0]}px of content in a {widths[1]}px screen"
    if axe:
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, indent=2)
    screenshot(page, f"fit-{name}-{page.size_name}")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_verifier_fits_a_phone(phone: Any, site: Site, lang: str) -> None:
    phone.goto(f"{site.base}/verify?lang={lang}")
    _fits(phone, f"verify-form-{lang}")
    phone.goto(f"{site.base}/verify?lang={lang}&url={site.di_share}")
    assert phone.locator("#verdict-box").get_attribute("data-verdict") == "verified"
    _fits(phone, f"verify-result-{lang}")
    phone.locator("#receipt-print").click()
    phone.wait_for_selector("#receipt-signature")
    assert phone.locator("#receipt-signature").get_attribute("data-genuine") == "true"
    assert phone.locator("html").get_attribute("lang") == lang
    _fits(phone, f"receipt-{lang}")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_revoked_result_fits_a_phone(phone: Any, site: Site, teacher: str,
                                       lang: str) -> None:
    state = site.app.extensions["badges"]
    with state["db"].session() as session:
        revoked = session.scalar(sa.select(IssuedCredential).where(
            IssuedCredential.revoked_at.is_not(None)))
        assert revoked is not None
        share = issuance.share_url(site.base, revoked)
    phone.goto(f"{site.base}/verify?lang={lang}&url={share}")
    assert phone.locator("#verdict-box").get_attribute("data-verdict") == "revoked"
    _fits(phone, f"verify-revoked-{lang}")
    phone.set_extra_http_headers({"Accept-Language": lang})
    phone.goto(share)
    assert phone.locator("html").get_attribute("lang") == lang
    assert VERIFIER_TEXT[lang]["share_revoked"] in phone.locator("main").inner_text()
    _fits(phone, f"share-revoked-{lang}")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_public_pages_fit_a_phone(phone: Any, site: Site, lang: str) -> None:
    phone.set_extra_http_headers({"Accept-Language": lang})
    for name, url in (("home", site.base + "/"), ("share", site.di_share),
                      ("share-jwt", site.jwt_share)):
        phone.goto(url)
        _fits(phone, f"{name}-{lang}")
    phone.goto(site.di_share)
    phone.get_by_role("link", name=VERIFIER_TEXT[lang]["share_criteria"]).click()
    phone.wait_for_load_state()
    assert phone.locator("h1").count() == 1
    _fits(phone, f"achievement-{lang}")


def test_the_wallet_fits_a_phone(phone: Any, site: Site, teacher: str) -> None:
    _sign_in(phone, site, teacher)
    phone.goto(f"{site.base}/wallet")
    assert phone.locator("h1").count() == 1
    main = phone.locator("main").inner_text()
    assert "Revoked" in main and "Add to LinkedIn profile" in main
    _fits(phone, "wallet")


def _contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """WCAG 2.2 contrast ratio of two sRGB colours."""
    def luminance(rgb: tuple[int, int, int]) -> float:
        channels = [c / 255 for c in rgb]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                  for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


_FOCUS = """() => {
  const el = document.activeElement, s = getComputedStyle(el);
  let node = el.parentElement, bg = 'rgba(0, 0, 0, 0)';
  while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) {
    bg = getComputedStyle(node).backgroundColor; node = node.parentElement; }
  return {tag: el.tagName, outline: s.outlineColor, width: parseFloat(s.outlineWidth),
          style: s.outlineStyle, background: bg};
}"""


def _rgb(css: str) -> tuple[int, int, int]:
    parts = css[css.index("(") + 1:css.index(")")].split(",")
    return int(float(parts[0])), int(float(parts[1])), int(float(parts[2]))


def test_the_focus_ring_stands_out_everywhere(page: Any, site: Site, teacher: str) -> None:
    _sign_in(page, site, teacher)
    for url in (site.base + "/", site.di_share, f"{site.base}/verify",
                f"{site.base}/verify?lang=es", f"{site.base}/wallet", f"{site.base}/issuers"):
        page.goto(url)
        for _ in range(3):  # the skip link, then the header's links
            page.keyboard.press("Tab")
            ring = page.evaluate(_FOCUS)
            assert ring["style"] != "none" and ring["width"] >= 2, (url, ring)
            ratio = _contrast(_rgb(ring["outline"]), _rgb(ring["background"]))
            assert ratio >= 3, f"{url}: focus ring {ring} has contrast {ratio:.2f}:1"


def test_error_summaries_take_the_focus(page: Any, site: Site) -> None:
    page.goto(f"{site.base}/sign-in")
    page.get_by_label("E-mail").fill("nobody@lakeside.example.org")
    page.get_by_label("Password").fill("wrong password here")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector(".error-summary")
    assert page.evaluate("document.activeElement.id") == "error"
    for lang, nothing in (("en", "Paste a credential"), ("es", "Pegue una credencial")):
        page.goto(f"{site.base}/verify?lang={lang}")
        page.locator("button[type=submit]").click()
        page.wait_for_selector("#form-error")
        assert page.evaluate("document.activeElement.id") == "form-error"
        assert nothing in page.locator("#form-error").inner_text()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("where", ["/verify", "/no-such-page"])
def test_the_current_language_is_marked_visibly(page: Any, site: Site, lang: str,
                                                where: str) -> None:
    page.goto(f"{site.base}{where}?lang={lang}")
    links = page.locator("nav a[hreflang]")
    styles = links.evaluate_all("""links => links.map(a => ({lang: a.hreflang,
        current: a.getAttribute('aria-current'), weight: getComputedStyle(a).fontWeight,
        border: getComputedStyle(a).borderBottomStyle,
        underline: getComputedStyle(a).textDecorationLine}))""")
    current = [s for s in styles if s["current"] == "page"]
    others = [s for s in styles if s["current"] != "page"]
    assert [s["lang"] for s in current] == [lang] and others
    # the current one looks different from the others (weight and a bar, not colour alone)
    assert current[0]["weight"] == "700" and current[0]["border"] == "solid"
    assert all(o["weight"] != "700" and o["border"] != "solid" for o in others)
    # following the other language's link shows the same page in that language
    other = others[0]["lang"]
    page.locator(f"nav a[hreflang={other}]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == other
    assert where in page.url


@pytest.mark.parametrize(("lang", "checked", "button"), [
    ("en", "Checked on", "Open a printable receipt"),
    ("es", "Verificada el", "Abrir un comprobante para imprimir")])
def test_the_receipt_prints_on_paper(page: Any, site: Site, lang: str, checked: str,
                                     button: str) -> None:
    """Printed (Chromium's own print to PDF), the receipt keeps its content, not its buttons."""
    from tests.issuer.certificates.conftest import text_layer

    page.goto(f"{site.base}/verify?lang={lang}")
    page.locator("#credential").fill(site.di)
    page.locator("#requested_by").fill("Ana Ruiz, Westfield High")
    page.locator("button[type=submit]").click()
    page.wait_for_selector("#verdict-box")
    page.get_by_role("button", name=button).click()
    page.wait_for_selector("#receipt-signature")
    page.emulate_media(media="print")
    assert not page.locator("header.site nav").is_visible()
    assert not page.get_by_role("link", name=VERIFIER_TEXT[lang]["receipt_button"]).is_visible()
    printed = " ".join(text_layer(page.pdf(format="A4")).split())
    assert f"{checked} " in printed and "Ana Ruiz, Westfield High" in printed
    assert "Blended Learning Design" in printed and "Ana Teacher" in printed
    assert VERIFIER_TEXT[lang]["receipt_button"] not in printed
    assert VERIFIER_TEXT[lang]["receipt_print_help"].split()[0] + " " + \
        VERIFIER_TEXT[lang]["receipt_print_help"].split()[1] not in printed
