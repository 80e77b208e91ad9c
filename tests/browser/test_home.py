"""The home page in a real browser: language switch, phone layout, no outside assets."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_home_in_vietnamese_then_english_and_it_sticks(page, live_server, live_wave):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#wave-title-1").inner_text() == "Đợt khảo sát thử nghiệm 2025"
    assert page.get_by_text("Doanh nghiệp của bạn đã chuyển đổi số đến đâu?").is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("How digital is your business?").is_visible()

    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="English").get_attribute("aria-current") == "true"
    # Everything the page needs comes from the app itself: no CDN.
    assert requests and all(url.startswith(live_server) for url in requests)


def test_phone_layout_has_no_horizontal_scroll_and_big_touch_targets(page, live_wave):
    page.goto("/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for name in ("Tiếng Việt", "English"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box["height"] >= 44
    # The stylesheet is applied (served by the app, not missing).
    colour = page.evaluate("getComputedStyle(document.querySelector('.site-header')).backgroundColor")
    assert colour == "rgb(11, 92, 173)"
