"""In the browser, 403, 404, 500 and a refused form are pages of the app, styled by its stylesheet, with
the reason and a way back that works; a network expert's home and menu lead only to pages that open."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in
from tests.factories import TEST_PASSWORD, CityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.browser

INK = "rgb(29, 36, 48)"  # --ink of app.css: the header's background


@pytest.fixture
def viewer_in_nice(page, live_server) -> Any:  # type: ignore[no-untyped-def]
    nice = CityFactory(name="Nice", slug="nice", country="FR")
    MembershipFactory(user=UserFactory(username="paul"), city=nice, role="viewer")
    log_in(page, live_server, "paul", TEST_PASSWORD)
    return page


def _failed_subresources(page: Any) -> list[str]:
    """Record every request of the page but the document itself that fails or answers an error."""
    failed: list[str] = []

    def on_response(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            failed.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
    return failed


def _assert_styled_error(page: Any, status: str, heading: str) -> None:
    assert page.locator("h1").inner_text() == heading
    assert page.locator(".error-status").inner_text() == f"Error {status}"
    header = page.locator("#site-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == INK
    card = page.locator("[data-testid=error-page]")
    assert card.evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
    assert page.locator("[data-testid=error-reason]").is_visible()
    # The tab shows our icon: the link is there and the SVG it points to loads.
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert icon == "/static/pactesur/favicon.svg"


def test_403_page_says_why_and_leads_back(viewer_in_nice, live_server) -> None:  # type: ignore[no-untyped-def]
    page = viewer_in_nice
    failed = _failed_subresources(page)
    response = page.goto(f"{live_server.url}/spaces/new/", referer=f"{live_server.url}/spaces/")
    assert response.status == 403
    _assert_styled_error(page, "403", "This page is not open to you")
    assert "You are signed in to Nice as Viewer." in page.content()
    # The menu of the viewer's role is there, with only what a viewer opens.
    assert page.get_by_role("link", name="Spaces").is_visible()
    assert page.get_by_role("link", name="Members").count() == 0

    with page.expect_navigation():
        page.get_by_role("link", name="Back to the previous page").click()
    assert page.url == f"{live_server.url}/spaces/"
    assert failed == []


def test_404_page_says_why_and_leads_home(viewer_in_nice, live_server) -> None:  # type: ignore[no-untyped-def]
    page = viewer_in_nice
    failed = _failed_subresources(page)
    response = page.goto(f"{live_server.url}/spaces/999999/")
    assert response.status == 404
    _assert_styled_error(page, "404", "Page not found")
    assert "not in your city" in page.locator("[data-testid=error-reason]").inner_text()
    assert page.locator("main code").inner_text() == "/spaces/999999/"

    with page.expect_navigation():
        page.get_by_role("link", name="Go to the home page").click()
    assert page.locator("h1").inner_text() == "Nice"
    assert failed == []


@pytest.mark.urls("tests.web.test_error_pages")
def test_500_page_is_styled_without_the_menu_and_leads_home(viewer_in_nice, live_server) -> None:  # type: ignore[no-untyped-def]
    page = viewer_in_nice
    failed = _failed_subresources(page)
    response = page.goto(f"{live_server.url}/boom/")
    assert response.status == 500
    _assert_styled_error(page, "500", "Something went wrong on our side")
    assert page.locator("#site-nav").count() == 0
    assert "paul" not in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name="Go to the home page").click()
    assert page.locator("h1").inner_text() == "Nice"
    assert failed == []


def test_a_form_sent_without_its_security_cookie_gets_the_styled_403(page, live_server) -> None:  # type: ignore[no-untyped-def]
    MembershipFactory(
        user=UserFactory(username="paul"), city=CityFactory(name="Nice", slug="nice"), role="viewer"
    )
    failed = _failed_subresources(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.context.clear_cookies()  # as when the browser refuses the site's cookies
    page.fill("input[name=username]", "paul")
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.locator("input[name=password]").press("Enter")
    _assert_styled_error(page, "403", "Your form could not be accepted")
    assert "reload the page and send the form again" in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name="Go to the home page").click()
    assert "/accounts/login/" in page.url
    assert failed == []


def test_favicon_ico_ends_on_the_svg_icon(browser, live_server) -> None:  # type: ignore[no-untyped-def]
    # A context of its own: Chromium aborts /favicon.ico under the `page` fixture's request routing.
    # Every request is still checked to stay on the live server.
    context = browser.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    try:
        # What a browser asks for on its own for an answer without an icon link (JSON, PDF).
        response = page.goto(f"{live_server.url}/favicon.ico")
        assert response.status == 200
        assert page.url == f"{live_server.url}/static/pactesur/favicon.svg"
        assert response.header_value("content-type").startswith("image/svg+xml")
        # The layout's icon link draws: the image decodes at its size.
        page.goto(f"{live_server.url}/accounts/login/")
        size = page.evaluate(
            """() => new Promise((resolve) => {
                const img = new Image();
                img.onload = () => resolve([img.naturalWidth, img.naturalHeight]);
                img.onerror = () => resolve(null);
                img.src = document.querySelector("link[rel=icon]").href;
            })"""
        )
        assert size == [32, 32]
    finally:
        context.close()
    assert all(url.startswith(live_server.url) for url in requested), requested


def test_network_expert_lands_on_the_shared_work_and_every_menu_item_opens(page, live_server) -> None:  # type: ignore[no-untyped-def]
    MembershipFactory(user=UserFactory(username="eva"), city=None, role="expert")
    log_in(page, live_server, "eva", TEST_PASSWORD)
    assert page.locator("h1").inner_text() == "The network's shared work"
    assert page.locator("[data-testid=current-city]").inner_text() == "Network expert"
    menu = page.locator("#site-nav .nav-links a")
    names = menu.all_inner_texts()
    assert names == ["Shared library", "Measures", "API tokens"]  # the catalogue they curate
    for href in [menu.nth(i).get_attribute("href") for i in range(menu.count())]:
        assert page.goto(f"{live_server.url}{href}").status == 200, href
