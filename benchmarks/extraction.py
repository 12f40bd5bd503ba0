"""How well article pages are read: each fixture page of tests/fixtures/web (navigation, ads,
cookie banners and comments around the article) through the same extraction as `qa ingest URL`,
scored against tests/fixtures/web/expected.json.

    .venv/bin/python benchmarks/extraction.py

Per page: title, date, outlet and author right; the share of the article's key sentences kept;
the clutter phrases that leaked into the text.
"""

from __future__ import annotations

import json
from pathlib import Path

from qa.pages import page_article
from qa.types import Article

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "web"
SITE = "https://outlet.example"


def main() -> None:
    expected = json.loads((FIXTURES / "expected.json").read_text())
    fields = {"title": 0, "published": 0, "source": 0, "author": 0}
    authors = kept = sentences = leaked = clutter = 0
    print(
        "| page | title | date | outlet | author | sentences kept | clutter leaked |\n| --- | --- | --- | --- | --- | --- | --- |"
    )
    for name, want in expected.items():
        url = f"{SITE}/{name.split('/', 1)[1]}"
        html = (FIXTURES / name).read_text().replace("{site}", SITE)
        article = next(item for item in page_article(html, url) if isinstance(item, Article))
        got = {
            "title": article.title,
            "published": str(article.published or ""),
            "source": article.source,
            "author": article.author,
        }
        right = {key: got[key] == want[key] for key in fields if key != "author" or want["author"]}
        for key, ok in right.items():
            fields[key] += ok
        authors += bool(want["author"])
        found = [s for s in want["sentences"] if s in article.body]
        junk = [c for c in want["clutter"] if c in article.body]
        kept, sentences, leaked, clutter = (
            kept + len(found),
            sentences + len(want["sentences"]),
            leaked + len(junk),
            clutter + len(want["clutter"]),
        )
        marks = ["-" if key not in right else "yes" if right[key] else "NO" for key in fields]
        print(f"| {name} | {' | '.join(marks)} | {len(found)}/{len(want['sentences'])} | {', '.join(junk) or 'none'} |")
    pages = len(expected)
    print(
        f"\n{pages} pages: title {fields['title']}/{pages}, date {fields['published']}/{pages}, outlet {fields['source']}/{pages}, "
        f"author {fields['author']}/{authors}; key sentences kept {kept}/{sentences}; clutter phrases leaked {leaked}/{clutter}"
    )


if __name__ == "__main__":
    main()
