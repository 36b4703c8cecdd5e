"""End to end in a real browser: Debian's chromium driven by Playwright against `loanstudio design`.

Open the tax SME loan, simulate, change a rule, simulate again and see the approval rate change, switch
language, and take screenshots of the main pages into a folder this test prints (outside the checkout;
set LOANSTUDIO_SCREENSHOTS to choose it). Skipped with a reason where chromium is missing, except under
CI=true, where it must run (`make test` installs chromium first: `make browser`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
WAIT_MS = 90_000  # a bound on each wait, not a timing assertion: 2 busy cores can be slow


def _need_browser():
    missing = [what for what, ok in (("chromium", CHROMIUM.is_file()), ("playwright", _has_playwright())) if not ok]
    if missing:
        reason = f"{' and '.join(missing)} not installed (make browser installs chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test must run in CI: {reason}")
        pytest.skip(reason)


def _has_playwright() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = {**os.environ, "LOANSTUDIO_WORKSPACE_DIR": str(tmp_path / "workspace")}
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "designer.cli", "design", "--port", str(port)], cwd=tmp_path,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # bounded: at most a minute for the server to answer
            if process.poll() is not None:
                break
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        assert process.poll() is None, (tmp_path / "server.log").read_text()
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _screenshots() -> Path:
    folder = Path(os.environ.get("LOANSTUDIO_SCREENSHOTS") or Path(tempfile.gettempdir()) / "loanstudio-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {folder}")
    return folder


def _settle(page) -> None:
    """Wait until the app's script run has finished and the main area has content."""
    page.wait_for_selector('[data-testid="stMain"] [data-testid="stHeading"]', timeout=WAIT_MS)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
                           " || !document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.includes('Running')",
                           timeout=WAIT_MS)


def _nav(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).wait_for(timeout=WAIT_MS)
    _settle(page)


def _approval(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text=label).first
    metric.wait_for(timeout=WAIT_MS)
    return metric.get_by_test_id("stMetricValue").inner_text()


def test_a_product_manager_changes_a_rule_and_sees_the_approval_rate_move(server):
    _need_browser()
    from playwright.sync_api import sync_playwright

    shots = _screenshots()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.goto(server)
            _settle(page)
            page.get_by_test_id("stSelectbox").filter(has_text="参考产品").click()
            page.get_by_role("option", name="tax_sme_loan").click()
            page.get_by_role("button", name="打开", exact=True).click()
            page.get_by_text("正在编辑：tax").wait_for(timeout=WAIT_MS)
            page.screenshot(path=str(shots / "01-products.png"), full_page=True)

            _nav(page, "校验与模拟")
            page.get_by_role("button", name="运行模拟").click()
            before = _approval(page, "通过率")
            page.screenshot(path=str(shots / "02-simulate.png"), full_page=True)

            _nav(page, "准入规则")
            page.get_by_test_id("stExpander").filter(has_text="R05").first.click()
            box = page.get_by_test_id("stExpander").filter(has_text="R05").first.get_by_role("textbox", name="命中条件")
            box.fill("annual_tax_sales < 5000000")
            box.press("Enter")
            # the rule's title shows the new condition once the app has taken it into the draft: leaving the
            # page before that could drop the edit (the wait that timed out under load before this)
            page.get_by_test_id("stExpander").filter(has_text="R05").filter(
                has_text="annual_tax_sales < 5000000").first.wait_for(timeout=WAIT_MS)
            _settle(page)
            page.screenshot(path=str(shots / "03-admission.png"), full_page=True)

            _nav(page, "校验与模拟")
            page.get_by_role("button", name="运行模拟").click()
            page.wait_for_function(
                """before => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
                       m.innerText.includes('通过率') && !m.innerText.includes(before))""", arg=before, timeout=WAIT_MS)
            after = _approval(page, "通过率")
            assert after != before
            assert float(after.rstrip("%")) < float(before.rstrip("%"))

            page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
            page.get_by_role("heading", name="Validate and simulate").wait_for(timeout=WAIT_MS)
            _settle(page)
            page.screenshot(path=str(shots / "04-simulate-en.png"), full_page=True)
            for title, name in (("Decision", "05-decision"), ("Pricing", "06-pricing"), ("Try an applicant", "07-try"),
                                ("Learn", "08-learn"), ("Scorecard", "09-scorecard")):
                _nav(page, title)
                page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
            # the tax loan's two models: the second scorecard and its band x grade matrix are on the page
            page.get_by_role("heading", name="Second scorecard (matrix of two models)").wait_for(timeout=WAIT_MS)
            combination = page.get_by_text("Combination: band of the first score (rows) x grade of the second")
            combination.wait_for(timeout=WAIT_MS)
            combination.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "10-second-scorecard.png"))
        finally:
            browser.close()
