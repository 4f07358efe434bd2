"""The feedback pages in a real browser: headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by
Selenium, on pages the real grader wrote for two submissions: a perfect one, and one with wrong answers, a hang,
a stub (an accuracy check without a curve), a model below its threshold and a GPU check skipped on this machine.

On the index and on exercise pages, at 1200 px and 400 px wide: no console errors, no horizontal overflow,
every image loads; on the index, the failing exercise and its message are visible without scrolling.
Screenshots are kept under the test's tmp path (``screenshots/``) and copied to ``$D2L_FEEDBACK_SCREENSHOTS``
when it is set. The tests skip, saying why, only where no browser or driver is installed.
"""
from __future__ import annotations

import base64
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder.harness.loader import REPO_ROOT

WIDTHS = (1200, 400)
HEIGHT = 900
# cheap: two chapters, no speed checks, the exercises the scenario needs (an accuracy check with a curve, one
# without, a hang, wrong values with hints) and chapter 4's GPU checks (skipped without CUDA, never run)
CH3 = ["ch3::linreg::", "ch3::softmax::", "ch3::accuracy::", "ch3::sgd::", "ch3::concise_classifier::"]


def selection() -> list[str]:
    from autograder.harness.registry import load_chapter
    return CH3 + [c.id for c in load_chapter("ch4") if c.gpu]
BUGS = {
    "ch3/softmax_regression.py": ("\n\ndef softmax(X):\n    X_exp = torch.exp(X)\n"
                                  "    return X_exp / X_exp.sum(0, keepdim=True)\n\n\n"
                                  "def accuracy(y_hat, y):\n    while True:\n        pass\n"),
    "ch3/linear_regression.py": "\n\ndef sgd(params, lr, batch_size):\n    raise NotImplementedError('sgd (§3.2.6)')\n",
    "ch3/softmax_regression_concise.py": ("\n\ndef concise_classifier(lr=0.1):\n"
                                          "    net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))\n"
                                          "    net.apply(init_weights)\n"
                                          "    return net, nn.CrossEntropyLoss(reduction='none'), "
                                          "torch.optim.SGD(net.parameters(), lr=lr / 50)\n"),
}


def _browser():
    """``(chromium, chromedriver)`` paths, or a skip saying what is missing."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("selenium is not installed (pip install selenium): the feedback's browser tests need it")
    chromium = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
                    None)
    driver = shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.skip("no headless Chromium here: install Debian's chromium and chromium-driver "
                    "(apt-get install chromium chromium-driver) to run the feedback's browser tests")
    return chromium, driver


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = _browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--allow-file-access-from-files", "--force-device-scale-factor=1", f"--window-size=1200,{HEIGHT}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    target = os.environ.get("D2L_FEEDBACK_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for png in folder.glob("*.png"):
            shutil.copy(png, Path(target) / png.name)


class Page:
    """A feedback page open at a given width (the viewport set through the DevTools protocol, as on a device)."""

    def __init__(self, driver, path: Path, width: int, height: int = HEIGHT):
        self.driver, self.path, self.width, self.height = driver, path, width, height
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        driver.get_log("browser")                                    # drop what earlier pages logged
        driver.get(path.resolve().as_uri())
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not driver.execute_script(
                "return document.readyState === 'complete' && [...document.images].every(i => i.complete)"):
            time.sleep(0.05)

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def console_errors(self) -> list[str]:
        return [e["message"] for e in self.driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]

    def overflow(self) -> list[str]:
        """What sticks out to the right of the window (the page itself, or an element not inside a box that clips
        or scrolls it)."""
        return self.js("""
            const W = document.documentElement.clientWidth, found = [];
            if (document.documentElement.scrollWidth > W) found.push('page: ' + document.documentElement.scrollWidth);
            const clipped = el => { for (let a = el.parentElement; a; a = a.parentElement) {
                const o = getComputedStyle(a).overflowX; if (o !== 'visible') return true; } return false; };
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.width && r.right > W + 0.5 && !clipped(el))
                    found.push(el.tagName + '.' + el.className + ' right=' + Math.round(r.right) + ': ' +
                               (el.textContent || '').slice(0, 60));
                if (['PRE', 'CODE', 'DD', 'P', 'LI', 'TD'].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1
                    && getComputedStyle(el).overflowX !== 'hidden' && !clipped(el))
                    found.push('scrolls inside: ' + el.tagName + ' ' + (el.textContent || '').slice(0, 60));
            }
            return found.slice(0, 10);""")

    def broken_images(self) -> list[str]:
        return self.js("""return [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)
                          || i.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
                          .map(i => i.getAttribute('src'));""")

    def in_view(self, css: str) -> dict:
        """Where the first element matching ``css`` is, and whether all of it is visible without scrolling."""
        return self.js("""
            const el = document.querySelector(arguments[0]);
            if (!el) return {found: false};
            const r = el.getBoundingClientRect(), s = getComputedStyle(el);
            return {found: true, text: el.innerText, content: el.textContent, top: r.top, bottom: r.bottom,
                    visible: r.top >= 0 && r.bottom <= window.innerHeight && r.width > 0 && r.height > 0
                             && s.visibility !== 'hidden' && s.display !== 'none'};""", css)

    def shoot(self, folder: Path, name: str, full: bool = True) -> Path:
        """A screenshot (the whole page when ``full``)."""
        params = {"format": "png", "captureBeyondViewport": full}
        if full:
            height = self.js("return document.documentElement.scrollHeight")
            params["clip"] = {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1}
        data = self.driver.execute_cdp_cmd("Page.captureScreenshot", params)["data"]
        path = folder / f"{name}.png"
        path.write_bytes(base64.b64decode(data))
        return path


def assert_clean(page: Page):
    assert page.console_errors() == [], f"{page.path.name} at {page.width} px: console errors"
    assert page.overflow() == [], f"{page.path.name} at {page.width} px overflows"
    assert page.broken_images() == [], f"{page.path.name} at {page.width} px: images that do not load or fit"


# --- the check of the checks: they can fail -------------------------------------------------------------------------

def test_the_browser_checks_catch_what_they_look_for(browser, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><meta charset='utf-8'><body style='margin:0'><img src='missing.png'>"
                   "<pre style='white-space:pre'>" + "x" * 400 + "</pre>"
                   "<script>console.error('boom')</script><div style='height:3000px'></div><p id='far'>far</p>",
                   encoding="utf-8")
    page = Page(browser, bad, 400)
    errors = page.console_errors()
    assert any("boom" in e for e in errors) and any("missing.png" in e for e in errors), errors
    assert page.overflow() and page.broken_images() == ["missing.png"]
    assert page.in_view("#far")["visible"] is False


# --- pages written by the real grader --------------------------------------------------------------------------------

def _submissions(folder: Path) -> dict:
    good, bad = folder / "perfect", folder / "mistakes"
    for where in (good, bad):
        for chapter in ("ch3", "ch4"):
            shutil.copytree(REPO_ROOT / "solutions" / chapter, where / chapter)
    for rel, code in BUGS.items():
        with open(bad / rel, "a", encoding="utf-8") as f:
            f.write(code)
    return {"perfect": good, "mistakes": bad}


@pytest.fixture(scope="module")
def graded(tmp_path_factory, grading_cache):
    """Both submissions graded by ``grade`` (the sandboxed grader, one reference profile for the session), with
    their reports."""
    _browser()
    from autograder.grading.grade import Options, grade
    folder = tmp_path_factory.mktemp("feedback-runs")
    runs = {}
    for name, source in _submissions(folder / "submissions").items():
        out = folder / name
        options = Options(chapters=["ch3", "ch4"], select=selection(), skip_kinds=["speed"], cache=grading_cache,
                          device="cpu")
        start = time.monotonic()
        result = grade(source, out, options, student=name)
        runs[name] = SimpleNamespace(result=result, out=out, feedback=out / "feedback",
                                     seconds=time.monotonic() - start)
    return runs


@pytest.mark.timeout(1800)
def test_the_grader_wrote_the_scenario(graded):
    perfect, mistakes = graded["perfect"].result, graded["mistakes"].result
    assert perfect.score == perfect.max_score > 0, [r["id"] for r in perfect.records if r["outcome"] == "failed"]
    by_id = {r["id"]: r for r in mistakes.records}
    assert any(r["outcome"] == "skipped" and "GPU" in r["message"] for r in mistakes.records)
    assert "time limit" in by_id["ch3::accuracy::book_example"]["message"]
    assert "hint" in by_id["ch3::softmax::matches_reference"]["message"]
    concise = by_id[next(i for i in by_id if i.startswith("ch3::concise_classifier::") and "threshold" in i)]
    assert concise["outcome"] == "failed" and concise["curves"]
    assert by_id["ch3::sgd::recovers_true_parameters"]["curves"] == {}


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("student", ["perfect", "mistakes"])
def test_the_index_in_a_browser(browser, graded, screenshots, student, width):
    run = graded[student]
    page = Page(browser, run.feedback / "index.html", width)
    page.shoot(screenshots, f"{student}-index-{width}")
    page.shoot(screenshots, f"{student}-index-{width}-top", full=False)
    assert_clean(page)
    score = page.in_view(".score .big")
    assert score["visible"] and score["text"] == f"{run.result.score:g} / {run.result.max_score:g}"
    chapters = page.js("return [...document.querySelectorAll('section[id]')].map(s => s.id)")
    assert chapters == ["ch3", "ch4"]
    skipped = page.js("return [...document.querySelectorAll('ul.skips li')].map(li => li.innerText)")
    assert skipped and all("GPU check skipped" in s for s in skipped)
    if student == "perfect":
        assert page.in_view("ul.fails")["found"] is False
        assert "all 5 exercises pass" in page.in_view(".summary")["text"]
        return
    first = page.in_view("ul.fails > li .ex-head a")
    message = page.in_view("ul.fails > li details > summary")
    assert first["visible"] and message["visible"], (first, message)
    failing = [r for r in run.result.records if r["outcome"] == "failed"]
    assert first["text"] in {r["label"] for r in failing}
    check, _, said = message["text"].partition(": ")
    assert check in {r["check"] for r in failing if r["label"] == first["text"]}
    assert any(r["message"].startswith(said.rstrip(".… ")[:40]) for r in failing if r["check"] == check)
    assert page.in_view("ul.fails > li .badge")["content"] == "✗Failed"   # in words, not only in red (✗ aria-hidden)
    page.js("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert page.in_view("ul.fails > li details .msg")["found"]
    assert page.overflow() == []                                     # open messages wrap too


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("student,exercise", [("perfect", "concise_classifier"), ("mistakes", "concise_classifier"),
                                              ("mistakes", "softmax"), ("mistakes", "sgd"), ("mistakes", "accuracy"),
                                              ("mistakes", "dropout_layer")])
def test_an_exercise_page_in_a_browser(browser, graded, screenshots, student, exercise, width):
    run = graded[student]
    chapter = "ch4" if exercise == "dropout_layer" else "ch3"
    page = Page(browser, run.feedback / chapter / f"{exercise}.html", width)
    page.shoot(screenshots, f"{student}-{exercise}-{width}")
    page.shoot(screenshots, f"{student}-{exercise}-{width}-top", full=False)
    assert_clean(page)
    assert page.in_view("h1")["visible"] and page.in_view(".contract")["found"]
    assert page.in_view("nav.crumbs a")["visible"]                   # the way back to the index
    links = page.js("return [...document.querySelectorAll('.book a')].map(a => a.href)")
    assert any(u.startswith("https://zh.d2l.ai/chapter_") for u in links)
    assert any(u.startswith("https://d2l.ai/chapter_") for u in links)
    cards = page.js("return [...document.querySelectorAll('article.card')].map(a => [a.className, "
                    "a.querySelector('.badge').innerText])")
    mine = [r for r in run.result.records if r["label"] == exercise]
    assert len(cards) == len(mine)
    for cls, text in cards:
        outcome = cls.split()[-1]
        assert text.strip().lower().endswith(outcome)               # said in words as well as by colour
    images = page.js("return [...document.images].map(i => [i.naturalWidth, i.alt])")
    if exercise in ("concise_classifier", "sgd"):
        assert images and all(w > 0 and alt for w, alt in images)
    if (student, exercise) == ("mistakes", "softmax"):
        assert page.in_view("dl.pairs")["found"] and page.in_view("aside.hint")["found"]
    if (student, exercise) == ("mistakes", "sgd"):
        caption = page.js("return document.querySelector('figcaption').innerText")
        assert "No result from your code (not implemented yet: sgd" in caption
    if (student, exercise) == ("mistakes", "accuracy"):
        assert "ran past the time limit" in page.js("return document.querySelector('article.card').innerText")
    if exercise == "dropout_layer":                                  # only its GPU checks were selected
        assert cards and all(cls.endswith("skipped") for cls, _ in cards)
        assert "not counted" in page.js("return document.querySelector('article.card .tags').innerText")
