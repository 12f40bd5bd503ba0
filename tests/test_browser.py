"""The web chat in a real headless Chromium: ask, check sources, filter, upload, and stay inert to
markup inside articles."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from qa import Archive

from conftest import REPO, SEED_QUESTION, write_corpus
from webapp import serving

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "docs" / "screenshots"
"""Where the tests leave screenshots of the chat; the README shows chat.png."""
SEED_TITLE = "European leaders are concerned US may walk away from Ukraine war"

HOSTILE_ARTICLE = """---
title: Lighthouse keeper <img src=x onerror="window.__pwned = 'title'"> retires
date: 2024-06-01
source: Harbour Gazette
---
The lighthouse keeper Ottilie Brandt retired after forty years <script>window.__pwned = 'script'</script> on the rock.
Her logbook <img src=x onerror="alert('pwned')"> recorded every storm since 1984.
"""


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    archive = Archive(root / "index")
    archive.ingest([write_corpus(root / "corpus")])
    with serving(archive) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed; `make test` installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url)
    page.wait_for_selector("#question textarea")
    yield page
    page.close()


def ask(page: Page, question: str) -> None:
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")


def test_asking_shows_the_cited_answer_and_its_source(page):
    ask(page, SEED_QUESTION)
    card = page.locator("#sources #src-1-1")
    expect(card).to_contain_text(SEED_TITLE, timeout=30_000)
    expect(card).to_contain_text("MENAFN · 2025-12-07")
    expect(card.locator("mark")).to_contain_text("Steve Witkoff and his adviser Jared Kushner traveled to Moscow")
    link = page.locator('#chat a[href="#src-1-1"]')
    expect(link).to_have_text("[1]")
    expect(page.locator("#chat")).to_contain_text("Jared Kushner traveled to Moscow")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    expect(page.locator("#coverage [data-testid=matplotlib] img")).to_be_visible(timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "chat.png"), full_page=True)
    link.click()
    expect(card).to_have_class("source flash")


def test_a_date_filter_that_excludes_the_article_gives_a_refusal(page):
    page.get_by_text("Filters and settings").click()
    page.fill("#since textarea, #since input", "2025-12-08")
    ask(page, SEED_QUESTION)
    expect(page.locator("#chat")).to_contain_text("No article in the archive was published since", timeout=30_000)
    expect(page.locator("#sources .source")).to_have_count(0)


def test_an_uploaded_article_is_searchable_at_once_and_a_bad_one_reported(page, tmp_path):
    article = tmp_path / "tram.md"
    article.write_text(
        "---\ntitle: Night tram line opens in Vellmar\ndate: 2024-09-09\nsource: Vellmar Post\n---\n"
        "The first night tram in Vellmar left the depot at 23:40 with 61 passengers aboard.\n"
    )
    broken = tmp_path / "broken.json"
    broken.write_text('[{"title": "Half a record"')
    page.get_by_text("Corpus", exact=True).click()
    page.set_input_files("#upload input[type=file]", [str(article), str(broken)])
    report = page.locator("#upload-report")
    expect(report).to_contain_text("Added 1", timeout=60_000)
    expect(report).to_contain_text("broken.json: invalid JSON at line 1")
    expect(page.locator("#corpus")).to_contain_text("Vellmar Post")
    ask(page, "How many passengers were aboard the first night tram in Vellmar?")
    expect(page.locator("#sources #src-1-1")).to_contain_text("Night tram line opens in Vellmar", timeout=30_000)
    expect(page.locator("#chat")).to_contain_text("61 passengers")


def test_markup_inside_an_article_shows_as_text_and_runs_nothing(page, tmp_path):
    article = tmp_path / "lighthouse.md"
    article.write_text(HOSTILE_ARTICLE)
    page.get_by_text("Corpus", exact=True).click()
    page.set_input_files("#upload input[type=file]", str(article))
    expect(page.locator("#upload-report")).to_contain_text("Added 1", timeout=60_000)
    ask(page, "When did the lighthouse keeper Ottilie Brandt retire, and what did her logbook record?")
    card = page.locator("#sources .source").first
    expect(card).to_contain_text("<script>window.__pwned = 'script'</script>", timeout=30_000)
    expect(page.locator("#sources")).to_contain_text("<img src=x onerror=\"window.__pwned = 'title'\">")
    expect(page.locator("#chat")).to_contain_text("forty years <script>window.__pwned = 'script'</script> on the rock")
    expect(card).to_contain_text("""Her logbook <img src=x onerror="alert('pwned')"> recorded""")
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.dialogs == []
    assert page.locator("#sources img, #sources script, #chat img[src='x'], #chat script").count() == 0


def upload(page: Page, file: Path, title: str, outlet: str, body: str) -> None:
    """Upload one article through the Corpus panel and wait for it to be added."""
    file.write_text(f"---\ntitle: {title}\ndate: 2024-05-20\nsource: {outlet}\n---\n{body}\n")
    page.get_by_text("Corpus", exact=True).click()
    page.set_input_files("#upload input[type=file]", str(file))
    expect(page.locator("#upload-report")).to_contain_text("Added 1", timeout=60_000)


def test_an_upload_shows_after_a_reload_and_in_the_outlet_filter(page, tmp_path):
    upload(
        page, tmp_path / "ferry.md", "Stroma ferry returns after refit", "Pentland Herald", "The Stroma ferry returns on 3 June."
    )
    page.reload()
    page.wait_for_selector("#question textarea")
    page.get_by_text("Corpus", exact=True).click()
    expect(page.locator("#corpus")).to_contain_text("Pentland Herald", timeout=30_000)
    page.get_by_text("Filters and settings").click()
    page.locator("#outlets input").click()
    expect(page.get_by_role("option", name="Pentland Herald")).to_be_visible(timeout=10_000)


def test_an_article_removed_in_the_articles_tab_leaves_the_table_and_the_answers(page, tmp_path):
    upload(
        page,
        tmp_path / "kiln.md",
        "Brick kiln in Ostrava fired for the last time",
        "Moravian Courier",
        "The old brick kiln in Ostrava was fired for the last time on Friday after 140 years.",
    )
    page.get_by_role("tab", name="Articles").click()
    page.fill("#article-search textarea, #article-search input", "kiln")
    first_title = page.locator("#articles").get_by_test_id("cell-0-2")
    expect(first_title).to_have_text("Brick kiln in Ostrava fired for the last time", timeout=20_000)
    page.wait_for_timeout(300)
    first_title.click()
    expect(page.locator("#article-text textarea")).to_have_value(re.compile("fired for the last time on Friday"), timeout=20_000)
    page.locator("#remove").click()
    page.locator("#confirm-remove").click()
    expect(page.locator("#removal-report")).to_contain_text("Removed “Brick kiln in Ostrava", timeout=30_000)
    expect(page.locator("#articles-note")).to_contain_text("No article matches “kiln”.", timeout=20_000)
    expect(page.locator("#articles")).not_to_contain_text("Brick kiln in Ostrava")
    page.get_by_role("tab", name="Chat").click()
    ask(page, "When was the old brick kiln in Ostrava fired for the last time?")
    expect(page.locator("#chat")).to_contain_text("Not found", timeout=30_000)
    expect(page.locator("#sources")).not_to_contain_text("Brick kiln")


def test_an_answer_shows_one_card_per_passage_and_a_coverage_plot(page):
    ask(page, SEED_QUESTION)
    expect(page.locator("#sources #src-1-1")).to_contain_text(SEED_TITLE, timeout=30_000)
    titles = page.locator("#sources .source-title").all_inner_texts()
    assert len(titles) == len(set(titles))
    expect(page.locator("#coverage")).to_be_visible()
    expect(page.locator("#coverage [data-testid=matplotlib] img")).to_be_visible(timeout=10_000)


def test_on_a_phone_a_citation_brings_its_source_cards_heading_into_view(browser, app_url):
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        phone.goto(app_url)
        phone.wait_for_selector("#question textarea")
        ask(phone, SEED_QUESTION)
        expect(phone.locator("#sources #src-1-1")).to_contain_text(SEED_TITLE, timeout=30_000)
        expect(phone.locator("#coverage [data-testid=matplotlib] img")).to_be_attached(timeout=10_000)
        link = phone.locator('#chat a[href="#src-1-1"]')
        link.click()
        heading = phone.locator("#sources #src-1-1 .source-title")
        expect(heading).to_be_in_viewport(timeout=5_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SCREENSHOTS / "chat-phone.png"))
    finally:
        phone.close()


def test_a_citation_in_an_earlier_answer_opens_that_answers_own_source(page):
    ask(page, SEED_QUESTION)
    expect(page.locator("#sources #src-1-1")).to_contain_text(SEED_TITLE, timeout=30_000)
    ask(page, "How many corroded cables did engineers replace on the harbour bridge?")
    expect(page.locator("#sources #src-2-1")).to_contain_text("Harbour bridge reopens", timeout=30_000)
    expect(page.locator("#sources details.earlier")).not_to_have_attribute("open", "")
    page.locator('#chat a[href="#src-1-1"]').click()
    card = page.locator("#sources #src-1-1")
    expect(card).to_be_in_viewport(timeout=5_000)
    expect(card).to_contain_text(SEED_TITLE)
