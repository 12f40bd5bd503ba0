"""Following RSS and Atom feeds: read with feedparser, each new or changed item turned into an
article (from the feed's own full text when it carries one, else from the linked page).

A refresh asks each feed whether it changed since the last one (a 304 costs no body), and an
item whose entry is the same as last time, and whose article is still in the index, is not
fetched again: a refresh of an unchanged feed is one small request. (When the index lacks some
of a feed's articles, after a rebuild or a removal, the feed is read whole again.) A feed's name,
when it has one, is the outlet of all its items; else a page's own site name, else the feed's title. One failing feed or page is
a line of the report; the rest go on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit
from xml.sax import SAXParseException

from tqdm import tqdm

from qa.corpus import record_article
from qa.errors import BadRequest, FetchFailed
from qa.fetch import FEED_TYPES, Fetcher, check_url, is_private
from qa.pages import MIN_TEXT_CHARS, fetch_article
from qa.types import Article, Feed, FeedRead, Problem, Validators


def check_feed_url(url: str) -> str:
    """The URL, or BadRequest when it is not an http(s) URL with a host."""
    try:
        return check_url(url)
    except (FetchFailed, ValueError):
        raise BadRequest(f"{url[:200]!r} is not a feed URL (http:// or https:// and a host)") from None


def read_feeds(feeds: list[Feed], fetcher: Fetcher, known: set[str], *, progress: bool = False) -> FeedRead:
    """Read every feed: `known` holds the ids of the articles the index has."""
    read = FeedRead()
    for feed in tqdm(feeds, desc="Feeds", unit="feed", disable=not progress):
        read.feeds.append(_read_feed(feed, fetcher, known, read))
    return read


def _read_feed(feed: Feed, fetcher: Fetcher, known: set[str], read: FeedRead) -> Feed:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    whole = all(item.partition(" ")[2] in known for item in feed.items.values())
    validators = Validators(feed.etag, feed.last_modified) if whole else Validators()
    try:
        fetched = fetcher.get(feed.url, FEED_TYPES, validators)
    except FetchFailed as error:
        read.problems.append(Problem(feed.url, str(error).removeprefix(f"{feed.url}: ")))
        return replace(feed, refreshed=now, status=f"failed: {str(error).removeprefix(f'{feed.url}: ')}")
    if fetched.not_modified:
        read.unchanged += len(feed.items)
        return replace(feed, refreshed=now, status=f"not changed ({len(feed.items)} items)")

    import feedparser

    parsed = feedparser.parse(fetched.body, response_headers={"content-location": fetched.url})
    broken = parsed.get("bozo_exception")
    if isinstance(broken, SAXParseException) or not parsed.entries:
        reason = f"not a well-formed feed ({broken})" if isinstance(broken, SAXParseException) else "the feed has no items"
        read.problems.append(Problem(feed.url, reason))
        return replace(feed, refreshed=now, status=f"failed: {reason}")
    title = str(parsed.feed.get("title") or "")
    private = is_private(urlsplit(feed.url).hostname or "")
    items: dict[str, str] = {}
    for entry in parsed.entries:
        key = str(entry.get("id") or entry.get("link") or "")
        if not key:
            continue
        fingerprint = _fingerprint(entry)
        last_fingerprint, _, article_id = feed.items.get(key, "").partition(" ")
        if last_fingerprint == fingerprint and article_id in known:
            read.unchanged += 1
            items[key] = feed.items[key]
            continue
        for item in _entry_articles(entry, feed.name or title, fetcher, public_only=not private):
            if isinstance(item, Article):
                item = replace(item, source=feed.name) if feed.name else item
                read.articles.append(item)
                items[key] = f"{fingerprint} {item.id}"
            else:
                read.problems.append(item)
    status = f"{len(parsed.entries)} items"
    return replace(
        feed,
        title=title,
        etag=fetched.validators.etag,
        last_modified=fetched.validators.last_modified,
        refreshed=now,
        status=status,
        items=items,
    )


def _fingerprint(entry: Any) -> str:
    """What identifies an entry's version: its link, dates, title and text. (Entries are read as
    plain dicts: feedparser's own lookup stands in `published` for a missing `updated`, with a warning.)"""
    parts = [str(dict.get(entry, name) or "") for name in ("link", "updated", "published", "title", "summary")]
    parts += [str(content.get("value", "")) for content in entry.get("content") or []]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _entry_articles(entry: Any, outlet: str, fetcher: Fetcher, *, public_only: bool) -> Iterator[Article | Problem]:
    """The article of a feed entry: from the full text the feed carries, else from its page (on a
    public host only, unless the feed itself is on a private one: an intranet's feed may link
    inside it, a public feed may not make this machine fetch from its network)."""
    link = str(entry.get("link") or "")
    stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    facts = {
        "title": entry.get("title"),
        "source": outlet,
        "author": entry.get("author"),
        "date": date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday).isoformat() if stamp else None,
    }
    text = _full_text(entry)
    if text:
        yield from record_article({**facts, "body": text, "url": link}, link or str(entry.get("id")), "", link)
    elif link:
        yield from fetch_article(fetcher, link, facts, public_only=public_only)
    else:
        yield Problem(str(entry.get("id")), "a feed item with neither text nor a link")


def _full_text(entry: Any) -> str:
    """The entry's own article text (content:encoded or Atom content) as plain text, when it is
    long enough to be the article rather than a teaser."""
    from lxml import html as lxml_html

    for content in entry.get("content") or []:
        value = str(content.get("value") or "")
        if not value.strip():
            continue
        if "html" in str(content.get("type", "html")):
            document = lxml_html.fragment_fromstring(value, create_parent="div")
            blocks = [" ".join(block.text_content().split()) for block in document.iter("p", "li", "h2", "h3", "blockquote")]
            text = "\n".join(block for block in blocks if block) or " ".join(document.text_content().split())
        else:
            text = value.strip()
        if len(text) >= MIN_TEXT_CHARS:
            return text
    return ""
