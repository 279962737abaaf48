"""The website in a real browser: Debian's Chromium driven by Playwright, through `publisher
serve`, on the seed and on the every-block book (real builds, real audio), checked by
axe-core and the Nu HTML Checker.

Screenshots of the book page and of an episode page with a highlighted sentence are saved
under ``$PUBLISHER_ARTIFACTS`` (or a temporary folder), and the folder is printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from publisher.reader.parse import parse_file
from publisher.serve import make_server
from tests import chromium
from tests.helpers import require

ROOT = Path(__file__).parents[1]
BOOKS = {
    "seed": ROOT / "source" / "de-geneeskracht-van-knuffelen.md",
    "every-block": ROOT / "tests" / "fixtures" / "every-block.md",
}
NODE_MODULES = ROOT / "tests" / "js" / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=sorted(BOOKS))
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path, str]]:
    """A book built for real and served on 127.0.0.1: (name, build folder, site URL)."""
    name = request.param
    out = tmp_path_factory.mktemp(name) / "build"
    result = subprocess.run(
        [sys.executable, "-m", "publisher", "build", str(BOOKS[name]), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    server = make_server(out, "127.0.0.1", 0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield name, out, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium (no downloaded browser), muted and allowed to autoplay."""
    yield from chromium.launch()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """Where screenshots go: ``$PUBLISHER_ARTIFACTS`` or a temporary folder (printed)."""
    folder = Path(os.environ.get("PUBLISHER_ARTIFACTS") or Path(os.environ.get("TMPDIR", "/tmp")))
    folder = folder / "publisher-site-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {folder}")
    return folder


def chapters(name: str) -> list[tuple[str, str]]:
    """(slug, title) of every chapter of book ``name``, in reading order."""
    book = parse_file(BOOKS[name]).book
    return [(c.slug, " ".join(c.title_text.split())) for c in book.chapters]


def pages(name: str) -> list[str]:
    """Every page of the site of book ``name``."""
    return ["index.html"] + [f"episodes/{slug}.html" for slug, _ in chapters(name)]


def status(url: str) -> int:
    """The HTTP status of a GET of ``url`` (straight to 127.0.0.1, no proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        response.read()
        return int(response.status)


def test_the_book_page_lists_every_episode_and_its_links_answer(
    served: tuple[str, Path, str], browser: Any, artifacts: Path
) -> None:
    name, _, url = served
    page = browser.new_page()
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == ("nl" if name == "seed" else "en")
    titles = page.locator("li.episode h3").all_inner_texts()
    assert [" ".join(t.split()) for t in titles] == [title for _, title in chapters(name)]
    downloads = page.locator("a[download]").evaluate_all("els => els.map(e => e.href)")
    assert any(href.endswith(".epub") for href in downloads)
    links = page.locator("a[href]").evaluate_all("els => els.map(e => e.href)")
    internal = sorted({h.split("#")[0] for h in links if h.startswith(url)})
    assert set(downloads) <= set(internal)
    assert {h: status(h) for h in internal} == dict.fromkeys(internal, 200)
    assert page.locator("#feed-url").inner_text().endswith("/feed.xml")
    page.set_viewport_size({"width": 900, "height": 1400})
    page.screenshot(path=str(artifacts / f"{name}-book.png"), full_page=True)
    page.close()


def _episode(browser: Any, url: str, slug: str, **context: Any) -> Any:
    page = browser.new_context(**context).new_page()
    page.goto(f"{url}episodes/{slug}.html")
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    return page


def test_playing_moves_the_highlight_to_the_sentence_being_said(
    served: tuple[str, Path, str], browser: Any, artifacts: Path
) -> None:
    name, _, url = served
    slug = chapters(name)[1][0]
    page = _episode(browser, url, slug, viewport={"width": 900, "height": 900})
    spans = page.locator("#transcript .s").evaluate_all(
        "els => els.map(e => [+e.dataset.start, +e.dataset.end])"
    )
    # A sentence long enough to stop inside it: the first after the title lasting over 1.5 s.
    start, end = next((s, e) for s, e in spans[1:] if e - s > 1500)
    page.evaluate(
        f"(() => {{ const a = document.querySelector('audio'); a.currentTime = {start - 800} / 1000; a.play(); }})()"
    )
    page.wait_for_function(
        f"(() => {{ const ms = document.querySelector('audio').currentTime * 1000;"
        f" return ms > {start + 300} && ms < {end - 400}; }})()",
        polling=10,
        timeout=20_000,
    )
    page.evaluate("document.querySelector('audio').pause()")
    now = page.evaluate("document.querySelector('audio').currentTime * 1000")
    current = page.locator('[aria-current="true"]')
    assert current.count() == 1
    first, last = int(current.get_attribute("data-start")), int(current.get_attribute("data-end"))
    assert first <= now < last
    assert (first, last) == (start, end)
    assert current.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.screenshot(path=str(artifacts / f"{name}-episode-highlight.png"))
    page.close()


LIT = """() => {
  const ms = document.querySelector('audio').currentTime * 1000;
  const w = document.querySelector('#transcript .w.said');
  const s = document.querySelector('#transcript [aria-current="true"]');
  return {ms, word: w && [+w.dataset.start, +w.dataset.end, w.textContent],
          inside: !!(w && s && s.contains(w)), lit: document.querySelectorAll('.w.said').length};
}"""


def test_the_word_being_said_follows_the_audio_inside_its_sentence(
    served: tuple[str, Path, str], browser: Any
) -> None:
    require(AXE.exists(), "axe-core is not installed (npm ci --prefix tests/js)")
    name, _, url = served
    page = _episode(browser, url, chapters(name)[1][0], viewport={"width": 900, "height": 900})
    words = page.locator("#transcript .w").evaluate_all(
        "els => els.map(e => [+e.dataset.start, +e.dataset.end])"
    )
    assert len(words) > 20
    start = words[5][0]
    page.evaluate(
        f"(() => {{ const a = document.querySelector('audio'); a.currentTime = {start} / 1000; a.play(); }})()"
    )
    seen = []
    for _ in range(40):  # while it plays: the lit word is the one at currentTime
        page.wait_for_timeout(50)
        state = page.evaluate(LIT)
        if state["word"] is None:
            continue  # between two sentences, no word is lit
        first, last, _ = state["word"]
        assert state["inside"] and state["lit"] == 1
        # The highlight moves on each animation frame: a frame (or a slow one) behind at most.
        assert first - 100 <= state["ms"] < last + 100, state
        seen.append(first)
    assert len(set(seen)) >= 4, seen  # it moved from word to word
    page.evaluate("document.querySelector('audio').pause()")
    # Paused, moved to the middle of a word: that word is lit, in its sentence.
    middle = (words[8][0] + words[8][1]) // 2
    page.evaluate(f"document.querySelector('audio').currentTime = {middle} / 1000")
    page.wait_for_function(
        f"document.querySelector('#transcript .w.said[data-start=\\'{words[8][0]}\\']')"
    )
    state = page.evaluate(LIT)
    assert state["word"][:2] == words[8] and state["inside"] and state["lit"] == 1
    # A word is lit for sight only: screen readers hear of the sentence, not of each word.
    lit = page.locator("#transcript .w.said")
    assert lit.get_attribute("aria-current") is None and lit.get_attribute("role") is None
    page.add_script_tag(path=str(AXE))
    assert page.evaluate("axe.run(document).then(r => r.violations.map(v => v.id))") == []
    # A click on a word seeks to it; its sentence is the current one.
    target = page.locator("#transcript .w").nth(12)
    target.click()
    begin = int(target.get_attribute("data-start"))
    assert page.evaluate("document.querySelector('audio').currentTime") == pytest.approx(
        begin / 1000, abs=0.01
    )
    assert "said" in (target.get_attribute("class") or "")
    sentence = target.locator("xpath=ancestor::span[contains(@class, 's')][1]")
    assert sentence.get_attribute("aria-current") == "true"
    page.close()


def test_clicking_or_entering_a_sentence_seeks_there(
    served: tuple[str, Path, str], browser: Any
) -> None:
    name, _, url = served
    page = _episode(browser, url, chapters(name)[0][0])
    sentence = page.locator("#transcript .s").nth(3)
    start = int(sentence.get_attribute("data-start"))
    sentence.click()
    assert page.evaluate("document.querySelector('audio').currentTime") == pytest.approx(
        start / 1000, abs=0.01
    )
    assert sentence.get_attribute("aria-current") == "true"
    other = page.locator("#transcript .s").nth(1)
    other.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('audio').currentTime") == pytest.approx(
        int(other.get_attribute("data-start")) / 1000, abs=0.01
    )
    page.close()


def test_tab_reaches_every_sentence_and_control_in_order(
    served: tuple[str, Path, str], browser: Any
) -> None:
    name, _, url = served
    page = _episode(browser, url, chapters(name)[-1][0])
    expected = page.evaluate(
        """[...document.querySelectorAll('a[href], audio[controls], button:not([hidden]), [tabindex="0"]')]
             .map((e, i) => (e.dataset.tabIndex = i, i))"""
    )
    reached: list[int] = []
    for _ in range(len(expected) * 12 + 20):  # the player's own controls take several stops
        page.keyboard.press("Tab")
        index = page.evaluate("document.activeElement.dataset.tabIndex ?? null")
        if index is None:
            if reached:
                break  # past the last element (the browser's own chrome)
            continue
        if not reached or reached[-1] != int(index):
            reached.append(int(index))
        if reached[-1] == expected[-1]:
            break
    assert reached == expected
    assert page.locator("#transcript .s").count() > 0
    page.close()


def test_without_script_the_transcript_and_player_are_there(
    served: tuple[str, Path, str], browser: Any
) -> None:
    name, _, url = served
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{url}episodes/{chapters(name)[0][0]}.html")
    assert page.locator("audio[controls] source, audio[controls][src]").count() == 1
    assert page.locator("#transcript .s").count() > 3
    assert page.locator("#transcript .s").first.is_visible()
    assert page.locator("nav.pager a").count() >= 1
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(served: tuple[str, Path, str], browser: Any, scheme: str) -> None:
    require(AXE.exists(), "axe-core is not installed (npm ci --prefix tests/js)")
    name, _, url = served
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    found = {}
    for path in pages(name):
        page.goto(url + path)
        page.emulate_media(color_scheme=scheme)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document).then(r => r.violations)")
        if result:
            found[path] = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result]
    context.close()
    assert found == {}


def test_the_nu_html_checker_finds_no_errors(served: tuple[str, Path, str]) -> None:
    require(VNU.exists(), "vnu-jar is not installed (npm ci --prefix tests/js)")
    require(shutil.which("java"), "java is not installed")
    name, out, _ = served
    files = [str(out / p) for p in pages(name)]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert messages == []
    assert result.returncode == 0
