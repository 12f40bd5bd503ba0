"""A refresh of a feed of 500 items of which 450 are unchanged: seconds, requests sent, bytes
received; then a refresh of the unchanged feed.

    .venv/bin/python benchmarks/refresh.py [--items 500] [--changed 50] [--host-interval 1.0]

A feed and its article pages (generated text, about 300 words each) are served on 127.0.0.1
with ETags; the first refresh ingests every item (not timed as the benchmark: it embeds 500
articles), then `--changed` items get a new date in the feed and new text on their page, and the
second refresh is timed. Only the pages of changed items are fetched again; the pause between
two requests to one host (QA_FETCH_HOST_INTERVAL, 1 s by default) dominates when it is set.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import random
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from qa import Archive, Settings

WORDS = (
    "council harbour budget school river market station railway festival hospital minister union strike ferry "
    "vote museum library farmers orchard bridge tram housing energy police court weather storm flood park "
    "airport port tourism exports factory workers contract mayor residents plan report survey figures"
).split()


def article(number: int, version: int) -> tuple[str, str]:
    """The title and text of an item, different for each version."""
    rng = random.Random(number * 1000 + version)
    sentences = [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(22)]
    return f"Report {number}: {' '.join(rng.sample(WORDS, 4))}", " ".join(sentences)


class Newsroom:
    """The feed and its pages, with each item's current version."""

    def __init__(self, items: int) -> None:
        self.versions = [0] * items
        self.lock = threading.Lock()

    def feed(self, base: str) -> bytes:
        entries = []
        for number, version in enumerate(self.versions):
            title, _ = article(number, version)
            stamp = email.utils.formatdate(1717200000 + number * 60 + version * 86400, usegmt=True)
            entries.append(
                f"<item><title>{title}</title><link>{base}/items/{number}.html</link><guid>item-{number}</guid>"
                f"<pubDate>{stamp}</pubDate><description>Item {number}</description></item>"
            )
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench Daily</title>{"".join(entries)}</channel></rss>'.encode()

    def page(self, number: int) -> bytes:
        title, text = article(number, self.versions[number])
        paragraphs = "".join(f"<p>{text[i : i + 400]}</p>" for i in range(0, len(text), 400))
        return (
            f'<html><head><title>{title}</title><meta property="og:site_name" content="Bench Daily">'
            f'<meta property="article:published_time" content="2024-06-01"></head>'
            f"<body><nav>Home News Sport</nav><article><h1>{title}</h1>{paragraphs}</article><footer>Bench Daily</footer></body></html>"
        ).encode()


def serve(newsroom: Newsroom) -> tuple[str, ThreadingHTTPServer]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_GET(self) -> None:
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/feed.xml":
                body, kind = newsroom.feed(base), "application/rss+xml"
            elif self.path.startswith("/items/"):
                body, kind = newsroom.page(int(self.path.split("/")[-1].split(".")[0])), "text/html"
            else:
                self.send_response(404)
                self.end_headers()
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--host-interval", type=float, default=1.0)
    args = parser.parse_args()
    newsroom = Newsroom(args.items)
    base, server = serve(newsroom)
    folder = Path(tempfile.mkdtemp(prefix="qa-refresh-bench-"))
    setup = Archive(settings=Settings(index_dir=folder, fetch_host_interval=0))
    setup.add_feed(base + "/feed.xml")
    started = time.perf_counter()
    first = setup.refresh()
    print(
        f"first refresh (setup, no pause between requests): {first.summary()}, {first.requests} requests, "
        f"{first.received / 2**20:.1f} MiB, {time.perf_counter() - started:.1f} s"
    )

    for number in random.Random(7).sample(range(args.items), args.changed):
        newsroom.versions[number] += 1
    archive = Archive(settings=Settings(index_dir=folder, fetch_host_interval=args.host_interval))
    print(
        f"\n| refresh (pause {args.host_interval:g} s per host) | seconds | requests | KiB received | result |\n| --- | --- | --- | --- | --- |"
    )
    for name in (f"{args.items - args.changed} unchanged, {args.changed} changed", "nothing changed"):
        started = time.perf_counter()
        report = archive.refresh()
        seconds = time.perf_counter() - started
        print(f"| {name} | {seconds:.1f} | {report.requests} | {report.received / 1024:.0f} | {report.summary()} |", flush=True)
    server.shutdown()


if __name__ == "__main__":
    main()
