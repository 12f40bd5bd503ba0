"""Articles from web pages: the article's text and metadata extracted from the page's HTML by
trafilatura (navigation, ads, cookie banners and comments left out), checked like any other
record. The outlet is the site's name, the id the page's canonical URL (when it is on the page's
own host: a page can't claim another site's address)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from qa.corpus import record_article
from qa.errors import FetchFailed
from qa.fetch import PAGE_TYPES, Fetcher
from qa.types import Article, Problem

MIN_TEXT_CHARS = 200
"""Less extracted text than this is a page without an article (an index page, a paywall stub)."""


def page_article(html: str | bytes, url: str, fallback: dict[str, Any] | None = None) -> Iterator[Article | Problem]:
    """The article of a page fetched from `url` (with what a feed said of it as `fallback` for
    fields the page lacks), or the Problem why there is none."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"original_date": True, "extensive_search": False},
    )
    found: dict[str, Any] = extracted if isinstance(extracted, dict) else extracted.as_dict() if extracted else {}
    text = (found.get("text") or "").strip()
    title = found.get("title") or ""
    if title and text.startswith(title + "\n"):
        text = text[len(title) :].strip()
    if len(text) < MIN_TEXT_CHARS:
        yield Problem(url, "no article text found on the page")
        return
    given = fallback or {}
    stated = str(found.get("url") or "")
    canonical = stated if stated.startswith(("http://", "https://")) and urlsplit(stated).netloc == urlsplit(url).netloc else url
    record = {
        "title": title or given.get("title"),
        "body": text,
        "source": found.get("sitename") or given.get("source") or found.get("hostname"),
        "url": canonical,
        "author": found.get("author") or given.get("author"),
        "date": found.get("date") or given.get("date"),
    }
    yield from record_article(record, canonical, "", canonical)


def fetch_article(
    fetcher: Fetcher, url: str, fallback: dict[str, Any] | None = None, *, public_only: bool = False
) -> Iterator[Article | Problem]:
    """The article at a URL, or the Problem why it can't be had (see Fetcher.get for `public_only`)."""
    try:
        fetched = fetcher.get(url, PAGE_TYPES, public_only=public_only)
    except FetchFailed as error:
        yield Problem(url, str(error).removeprefix(f"{url}: "))
        return
    yield from page_article(fetched.body, fetched.url, fallback)
