"""Live news from sites served on 127.0.0.1 (tests/newsroom.py): article URLs extracted without
their page's clutter, feeds followed and refreshed with conditional requests, every bad page or
feed one reported line, polite fetching, and syndicated copies cited as one source."""

from __future__ import annotations

import json
import threading
import time
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from newsroom import FIXTURES, sites

from qa import Archive, Settings
from qa.cli import cli
from qa.errors import FetchFailed
from qa.fetch import PAGE_TYPES, Fetcher
from qa.web import ChatHandlers

from conftest import free_port
from webapp import serving

EXPECTED = json.loads((FIXTURES / "expected.json").read_text())
QUICK = dict(fetch_host_interval=0.0, fetch_timeout=2.0, fetch_max_mb=1.0, fetch_retries=1)


def archive_in(tmp_path: Path, **settings: object) -> Archive:
    return Archive(settings=Settings(index_dir=tmp_path / "index", **{**QUICK, **settings}))


def run(*args: str, env: dict[str, str] | None = None) -> object:
    quick = {f"QA_{name.upper()}": str(value) for name, value in QUICK.items()}
    return CliRunner().invoke(cli, list(args), env={**quick, **(env or {})})


def test_an_article_url_is_read_with_its_metadata_and_without_its_pages_clutter(tmp_path):
    with sites(tmp_path, "courier", "valley", "gazette") as site:
        pages = {name: site[name.split("/")[0]].page("/" + name.split("/", 1)[1]) for name in EXPECTED}
        index = str(tmp_path / "index")
        shown = run(
            "ingest",
            *pages.values(),
            str(Path(__file__).parent.parent / "corpus" / "000_e4d5103e5b655136.txt"),
            "--index",
            index,
            "-q",
        )
        assert shown.exit_code == 0, shown.output
        assert "added 6" in shown.output
        archive = Archive(index)
        articles = {a.id: a for a in archive.articles()}
        for name, expected in EXPECTED.items():
            article = articles[pages[name]]
            assert (article.title, article.published, article.source) == (
                expected["title"],
                expected["published"],
                expected["source"],
            ), name
            text = archive.article_text(article.id)
            assert all(sentence in text for sentence in expected["sentences"]), name
            assert not [junk for junk in expected["clutter"] if junk in text], name
        author = archive.index.docstore.docs[pages["courier/news/harbour-bridge.html"]].metadata["author"]
        assert author == "Jane Roe"


def test_each_bad_page_or_feed_is_one_reported_line_and_the_rest_is_ingested(tmp_path):
    with sites(tmp_path, "courier", "valley") as site:
        courier = site["courier"]
        bad = {
            "/status/500": "the server answered 500",
            "/slow.html": "took more than 2 s",
            "/huge.html": "over the 1 MiB limit",
            "/report.pdf": "is application/pdf, not text/html",
            "/private/embargoed.html": "robots.txt of 127.0.0.1 disallows fetching it",
            "/loop/a": "redirect loop",
            "/nowhere.html": "the server answered 404",
        }
        index = str(tmp_path / "index")
        urls = [courier.page(path) for path in bad]
        shown = run("ingest", *urls, courier.page("/news/harbour-bridge.html"), "--index", index, "-q")
        assert shown.exit_code == 0 and "added 1, updated 0, unchanged 0, removed 0, skipped 7" in shown.output
        lines = [line for line in shown.output.splitlines() if line.startswith("skipped: ")]
        assert len(lines) == len(bad)
        for path, reason in bad.items():
            assert any(courier.page(path) in line and reason in line for line in lines), path
        assert "Traceback" not in shown.output
        assert len(courier.requests("/status/500")) == 1 + QUICK["fetch_retries"], "a 5xx is retried"
        assert len(courier.requests("/report.pdf")) == 1, "a wrong type is not"

        assert run("feeds", "add", courier.page("/broken.xml"), "--index", index).exit_code == 0
        assert run("feeds", "add", courier.page("/status/500"), "--index", index).exit_code == 0
        assert run("feeds", "add", site["valley"].page("/rss.xml"), "--index", index).exit_code == 0
        refreshed = run("refresh", "--index", index, "-q")
        assert refreshed.exit_code == 0 and "added 3, updated 0, unchanged 0, skipped 2" in refreshed.output
        failures = [line for line in refreshed.output.splitlines() if line.startswith("skipped: ")]
        assert any("broken.xml: not a well-formed feed" in line for line in failures)
        assert any("status/500: the server answered 500" in line for line in failures)


def test_feeds_are_added_listed_and_removed(tmp_path):
    index = str(tmp_path / "index")
    feed = "http://127.0.0.1:9/feed.xml"
    assert run("feeds", "add", feed, "--name", "Harbour Weekly", "--index", index).output.startswith(f"following {feed}")
    listed = run("feeds", "list", "--json", "--index", index)
    assert json.loads(listed.output) == [
        {"url": feed, "name": "Harbour Weekly", "title": "", "refreshed": "", "status": "", "items": 0}
    ]
    assert "not refreshed yet" in run("feeds", "list", "--index", index).output
    bad = run("feeds", "add", "ftp://example/feed", "--index", index)
    assert bad.exit_code == 1 and "is not a feed URL" in bad.output
    removed = run("feeds", "remove", feed, "http://127.0.0.1:9/other.xml", "--index", index)
    assert (
        removed.exit_code == 1
        and "removed 1" in removed.output
        and "not followed: http://127.0.0.1:9/other.xml" in removed.output
    )
    assert json.loads(run("feeds", "list", "--json", "--index", index).output) == []
    nothing = run("refresh", "--index", index)
    assert nothing.exit_code == 1 and "no feeds are followed" in nothing.output


def test_a_second_refresh_asks_whether_anything_changed_and_a_changed_item_is_updated(tmp_path):
    with sites(tmp_path, "valley", "gazette") as site:
        archive = archive_in(tmp_path)
        archive.add_feed(site["valley"].page("/rss.xml"))
        archive.add_feed(site["gazette"].page("/atom.xml"), name="Gazette feed")
        first = archive.refresh()
        assert (first.added, first.updated, first.unchanged, first.skipped) == (5, 0, 0, 0)
        by_title = {a.title: a for a in archive.articles()}
        assert by_title["Farmers market moves to the station square"].source == "Valley Times"
        assert by_title["Old library to become a music school"].source == "Gazette feed"
        assert site["gazette"].requests("/culture/library-music-school.html") == [], "full text in the feed: no page fetched"

        for outlet in site.values():
            outlet.log.clear()
        second = archive.refresh()
        assert (second.added, second.updated, second.unchanged, second.skipped) == (0, 0, 5, 0)
        feed_requests = [entry for outlet in site.values() for entry in outlet.log if entry[1] != "/robots.txt"]
        assert [(path, status, conditional) for _, path, status, conditional in feed_requests] == [
            ("/rss.xml", 304, True),
            ("/atom.xml", 304, True),
        ]

        page = site["valley"].root / "farming" / "cider-imports.html"
        page.write_text(page.read_text().replace("9,000 tonnes", "11,000 tonnes"))
        feed = site["valley"].root / "rss.xml"
        feed.write_text(feed.read_text().replace("Mon, 20 May 2024 05:00:00 GMT", "Tue, 21 May 2024 05:00:00 GMT"))
        third = archive.refresh()
        assert (third.added, third.updated, third.unchanged) == (0, 1, 4)
        assert "11,000 tonnes" in archive.ask("How many tonnes of apples does the cooperative buy in a normal year?").text
        assert [f.status for f in archive.feeds()] == ["not changed (2 items)", "3 items"]


def test_a_story_carried_by_two_outlets_is_one_cited_source_naming_both(tmp_path):
    with sites(tmp_path, "courier", "gazette") as site:
        archive = archive_in(tmp_path)
        archive.ingest([site["courier"].page("/news/ferry-strike.html"), site["courier"].page("/news/harbour-bridge.html")])
        archive.add_feed(site["gazette"].page("/atom.xml"))
        assert archive.refresh().added == 2
        answer = archive.ask("How many deck and engine crew will walk out in the islands ferry strike?")
        assert "240" in answer.text and len(answer.citations) == 1
        cited = answer.citations[0]
        assert {cited.source, *(a.source for a in cited.also)} == {"The Coastal Courier", "Northern Gazette"}
        passages = archive.retrieve("ferry crews strike islands route mediator").passages
        assert len({p.article_id for p in passages if "ferry" in p.title.lower()}) == 1
        assert (
            "also carried by"
            in run("ask", "How many crew will walk out in the islands ferry strike?", "--index", str(tmp_path / "index")).output
        )


def test_requests_to_one_host_are_spaced_and_name_the_project(tmp_path):
    with sites(tmp_path, "valley") as site:
        archive = archive_in(tmp_path, fetch_host_interval=0.3)
        archive.add_feed(site["valley"].page("/rss.xml"))
        archive.refresh()
        times = site["valley"].times
        assert len(times) >= 4
        assert min(b - a for a, b in pairwise(times)) >= 0.29
        assert all(agent.startswith("qa-news-archive/") for agent in site["valley"].agents)


def test_the_server_refreshes_in_the_background_and_shows_its_feeds(tmp_path):
    with sites(tmp_path, "valley") as site:
        archive = archive_in(tmp_path)
        archive.add_feed(site["valley"].page("/rss.xml"), name="Valley feed")
        with serving(archive, refresh_every=0.5):
            deadline = time.monotonic() + 60
            while not archive.feeds()[0].refreshed and time.monotonic() < deadline:
                time.sleep(0.2)
        feed = archive.feeds()[0]
        assert feed.status == "3 items"
        assert len(archive.articles()) == 3
        shown, *_ = ChatHandlers(archive).corpus_view()
        assert "Following 1 feed" in shown and "Valley feed" in shown and "3 items" in shown


@pytest.mark.parametrize("value", ["30m", "1800", "1800s", "0.5h"])
def test_a_refresh_interval_is_read_with_or_without_a_unit(value):
    assert Settings(refresh_every=value).refresh_every == 1800


def test_malformed_or_unreachable_urls_are_one_line_each(tmp_path):
    with sites(tmp_path, "courier") as site:
        good = site["courier"].page("/news/harbour-bridge.html")
        bad = {
            "http://[::1": "not a valid URL",
            "http://127.0.0.1:7886:80/x": "not a valid URL",
            "ftp://127.0.0.1/x.html": "not an http(s) URL",
            "http://127.0.0.1/a b.html": "not a valid URL",
            f"http://127.0.0.1:{free_port()}/x.html": "can't connect (robots.txt of 127.0.0.1 could not be read)",
        }
        shown = run("ingest", *bad, good, "--index", str(tmp_path / "index"), "-q")
        assert shown.exit_code == 0 and "added 1," in shown.output and "Traceback" not in shown.output
        lines = [line for line in shown.output.splitlines() if line.startswith("skipped: ")]
        assert len(lines) == len(bad)
        for url, reason in bad.items():
            assert any(line.startswith(f"skipped: {url}") and reason in line for line in lines), url
        feed = run("feeds", "add", "http://[::1", "--index", str(tmp_path / "other"))
        assert feed.exit_code == 1 and "is not a feed URL" in feed.output and not (tmp_path / "other").exists()


def test_a_rebuilt_index_gets_its_feed_articles_back_and_a_dead_feed_fails_the_refresh(tmp_path):
    with sites(tmp_path, "valley") as site:
        archive = archive_in(tmp_path)
        archive.add_feed(site["valley"].page("/rss.xml"))
        assert archive.refresh().added == 3
        archive.ingest([], rebuild=True)
        assert archive.articles() == []
        again = archive.refresh()
        assert (again.added, again.unchanged) == (3, 0) and len(archive.articles()) == 3
        archive.remove_feed(site["valley"].page("/rss.xml"))
        archive.add_feed(site["valley"].page("/status/500"))
        dead = run("refresh", "--index", str(tmp_path / "index"), "-q", env={"QA_FETCH_RETRIES": "0"})
        assert dead.exit_code == 1 and "the server answered 500" in dead.output


def test_a_feeds_name_is_every_items_outlet_and_outlives_a_refresh_it_was_changed_during(tmp_path):
    with sites(tmp_path, "valley") as site:
        archive = archive_in(tmp_path, fetch_host_interval=0.4)
        url = site["valley"].page("/rss.xml")
        archive.add_feed(url, name="Valley Wire")
        assert archive.add_feed(url).name == "Valley Wire", "adding it again keeps its name"
        running = threading.Thread(target=archive.refresh)
        running.start()
        deadline = time.monotonic() + 30
        while not site["valley"].requests("/rss.xml") and time.monotonic() < deadline:
            time.sleep(0.05)
        Archive(settings=archive.settings).add_feed(url, name="Valley Desk")
        assert running.is_alive(), "the rename landed while the refresh was still fetching pages"
        running.join()
        assert [f.name for f in archive.feeds()] == ["Valley Desk"]
        assert {a.source for a in archive.articles()} == {"Valley Wire"}
        shown, *_ = ChatHandlers(archive).corpus_view()
        assert f"[Valley Desk](<{url}>)" in shown
        assert ChatHandlers(archive).search_note(None, []) == ""


def test_a_refresh_interval_without_a_unit_it_knows_is_refused_with_the_units():
    with pytest.raises(ValueError, match="a duration such as 90s, 30m or 2h"):
        Settings(refresh_every="20x")


def test_a_page_cannot_take_the_address_of_an_article_from_a_file_or_another_site(tmp_path):
    with sites(tmp_path, "courier") as site:
        archive = archive_in(tmp_path)
        folder = tmp_path / "files"
        folder.mkdir()
        address = site["courier"].page("/news/harbour-bridge.html")
        (folder / "bridge.md").write_text(f"---\ntitle: Our own bridge notes\nurl: {address}\n---\nNotes kept by the desk.\n")
        archive.ingest([folder])
        page = site["courier"].root / "news" / "harbour-bridge.html"
        page.write_text(page.read_text().replace("{site}/news/harbour-bridge.html", "https://elsewhere.example/story"))
        shown = archive.ingest([address, site["courier"].page("/news/ferry-strike.html")])
        assert shown.added == 1 and "an article read from a file has this address" in str(shown.problems[0])
        assert {a.title for a in archive.articles()} == {
            "Our own bridge notes",
            "Ferry crews to strike for 48 hours on islands route",
        }
        assert all("elsewhere.example" not in a.id for a in archive.articles())
        redirected = archive.ingest([site["courier"].page("/to-ftp")])
        assert "not an http(s) URL" in str(redirected.problems[0])


def test_links_a_third_party_chose_may_not_reach_private_addresses(tmp_path):
    with sites(tmp_path, "courier") as site, Fetcher(Settings(**QUICK)) as fetcher:
        page = site["courier"].page("/news/harbour-bridge.html")
        assert fetcher.get(page, PAGE_TYPES).status == 200
        with pytest.raises(FetchFailed, match="a private address; a feed's items may point only at public hosts"):
            fetcher.get(page, PAGE_TYPES, public_only=True)
        with pytest.raises(FetchFailed, match="a private address"):
            fetcher.get("http://169.254.169.254/latest/meta-data/", PAGE_TYPES, public_only=True)
