"""Answers and sources as the web chat shows them. Article text is data: every piece of it is
escaped, so markup inside an article (a <script>, an onerror attribute) shows as text."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from urllib.parse import urlparse

from qa.errors import redacted
from qa.types import Answer, ArticleInfo, Citation, Feed, IndexStats

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
_MARKER = re.compile(r"\\\[(\d+)\\\]")

EMPTY_SOURCES = '<div class="sources-empty">Sources of the latest answer appear here.</div>'


def answer_markdown(text: str, key: int = 0) -> str:
    """Text for the chat, escaped; in an answer (`key`: its number in the conversation) each [n]
    is a link to that answer's source n in the panel."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))
    if key:
        escaped = _MARKER.sub(rf"[[\1]](#src-{key}-\1)", escaped)
    return escaped.replace("\n", "  \n")


def full_answer_markdown(answer: Answer, key: int) -> str:
    """The whole answer for the chat: the short answer in bold first, then the cited text."""
    return shown_markdown(answer.short, answer.text, key)


def shown_markdown(short: str, text: str, key: int) -> str:
    """An answer for the chat, whole or as far as it is written: the short answer (once known) in
    bold first, then the cited text."""
    body = answer_markdown(text, key)
    return f"**{_md(short)}**\n\n{body}" if short else body


def sources_html(answers: Sequence[tuple[int, Answer]]) -> str:
    """The sources panel for a conversation's answers, each with its number: the latest answer's
    cards (one a passage, its quoted sentences highlighted), then the earlier answers' folded away,
    so that a citation in an earlier answer still opens its own source."""
    if not answers:
        return EMPTY_SOURCES
    (key, latest), earlier = answers[-1], answers[:-1]
    shown = (
        "".join(_card(c, key) for c in latest.citations) or '<div class="sources-empty">The latest answer cites no source.</div>'
    )
    older = [(k, a) for k, a in reversed(earlier) if a.citations]
    if older:
        sections = "".join(
            f'<div class="answer-sources"><div class="answer-label">Answer {k}</div>{"".join(_card(c, k) for c in a.citations)}</div>'
            for k, a in older
        )
        shown += f'<details class="earlier"><summary>Sources of earlier answers</summary>{sections}</details>'
    return f'<div class="sources">{shown}</div>'


def _card(c: Citation, key: int) -> str:
    byline = " · ".join(html.escape(part) for part in (c.source, c.published) if part)
    link = (
        f'<a href="{html.escape(c.url)}" target="_blank" rel="noopener noreferrer">{html.escape(c.url)}</a>'
        if urlparse(c.url).scheme in ("http", "https")
        else f"<code>{html.escape(c.url or c.path)}</code>"
    )
    passage = _highlighted(c.text, c.quotes)
    also = '<div class="source-also">Also carried by ' + ", ".join(_also_link(a) for a in c.also) + "</div>" if c.also else ""
    return (
        f'<div class="source" id="src-{key}-{c.n}">'
        f'<div class="source-title"><span class="source-n">[{c.n}]</span> {html.escape(c.title)}</div>'
        f'<div class="source-byline">{byline}</div>'
        f'<div class="source-link">{link}</div>'
        f"{also}"
        f'<blockquote class="source-passage">{passage}</blockquote>'
        "</div>"
    )


def _also_link(article: ArticleInfo) -> str:
    """Another outlet that carried the story, linked to its copy when it has a web address."""
    name = html.escape(", ".join(part for part in (article.source or article.title, article.published) if part))
    if urlparse(article.url).scheme in ("http", "https"):
        return f'<a href="{html.escape(article.url)}" target="_blank" rel="noopener noreferrer">{name}</a>'
    return name


def _highlighted(text: str, quotes: tuple[str, ...]) -> str:
    """The passage, escaped, with every quoted sentence marked."""
    spans = sorted({(i, i + len(q)) for q in quotes if q and (i := text.find(q)) >= 0})
    out, at = [], 0
    for start, end in spans:
        if start < at:
            continue
        out += [html.escape(text[at:start]), f"<mark>{html.escape(text[start:end])}</mark>"]
        at = end
    return "".join(out) + html.escape(text[at:])


def corpus_markdown(stats: IndexStats | None, feeds: Sequence[Feed] = ()) -> str:
    """The corpus at a glance, and the feeds it follows with how their last refresh went."""
    followed = "".join(
        f"\n- [{_md(feed.name or feed.title or redacted(feed.url))}](<{redacted(feed.url)}>): "
        f"{_md(f'{feed.refreshed}, {feed.status}' if feed.refreshed else 'not refreshed yet')}"
        for feed in feeds
    )
    following = f"\n\nFollowing {_count(len(feeds), 'feed')}:{followed}" if feeds else ""
    return _corpus_summary(stats) + following


def _corpus_summary(stats: IndexStats | None) -> str:
    if stats is None or not stats.articles:
        return "The index is empty: run `qa ingest` or add article files below."
    outlets = ", ".join(_md(o) for o in stats.outlets[:12]) + (
        f" and {len(stats.outlets) - 12} more" if len(stats.outlets) > 12 else ""
    )
    span = f", published {stats.first_published} to {stats.last_published}" if stats.first_published else ""
    return (
        f"**{_count(stats.articles, 'article')}**, {_count(stats.chunks, 'passage')}{span}. Outlets: {outlets or 'none named'}."
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _md(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


CSS = """
#sources .source { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; scroll-margin-top: 12px; }
#sources .source.flash { outline: 3px solid var(--color-accent); }
#sources .source-title { font-weight: 600; }
#sources .source-n { color: var(--color-accent); margin-right: 4px; }
#sources .source-byline, #sources .source-link, #sources .source-also { font-size: 0.9em; opacity: 0.8; overflow-wrap: anywhere; }
#sources .source-passage { margin: 8px 0 0; white-space: pre-wrap; font-size: 0.92em; }
#sources mark { background: #fde68a; color: inherit; padding: 0 2px; }
#sources details.earlier summary { cursor: pointer; margin: 6px 0 10px; opacity: 0.8; }
#sources .answer-label { font-size: 0.85em; opacity: 0.7; margin: 6px 0 4px; }
"""

HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest('a[href^="#src-"]');
  if (!link) return;
  event.preventDefault();
  const card = document.getElementById(link.getAttribute("href").slice(1));
  if (!card) return;
  const folded = card.closest("details");
  if (folded) folded.open = true;
  card.scrollIntoView({behavior: "smooth", block: "start"});
  card.classList.add("flash");
  setTimeout(() => card.classList.remove("flash"), 1500);
}, true);
</script>
"""
