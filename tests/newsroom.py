"""News sites on 127.0.0.1 for the fetching tests: one HTTP server per outlet, serving a folder of
fixture pages and feeds (`{site}` in a file becomes the server's own address), answering
conditional requests with 304, and a few misbehaving paths: a 500, a slow drip, a huge page, a
PDF, malformed XML, a redirect loop. Every request is logged for the tests to read."""

from __future__ import annotations

import email.utils
import hashlib
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "web"
TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/rss+xml", ".txt": "text/plain"}
FEED_TYPES = {"atom.xml": "application/atom+xml"}
HUGE_BYTES = 3 * 2**20
MODIFIED = email.utils.formatdate(1717200000, usegmt=True)


@dataclass
class Site:
    """A running outlet: its base URL, its folder (change a file to change the page) and the log
    of requests as (method, path, status, conditional)."""

    url: str
    root: Path
    log: list[tuple[str, str, int, bool]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    agents: set[str] = field(default_factory=set)

    def page(self, path: str) -> str:
        return self.url + path

    def requests(self, path: str) -> list[tuple[str, str, int, bool]]:
        return [entry for entry in self.log if entry[1] == path]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def _send(self, status: int, body: bytes = b"", content_type: str = "text/html", **headers: str) -> None:
            conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
            site.log.append(("GET", self.path, status, conditional))
            site.times.append(time.monotonic())
            site.agents.add(self.headers.get("User-Agent", ""))
            self.send_response(status)
            if status != 304:
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.end_headers()
            if body and status != 304:
                self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            if path == "/status/500":
                self._send(500, b"<h1>Internal Server Error</h1>")
            elif path == "/loop/a":
                self._send(302, Location="/loop/b")
            elif path == "/loop/b":
                self._send(302, Location="/loop/a")
            elif path == "/to-ftp":
                self._send(302, Location="ftp://127.0.0.1/file.html")
            elif path == "/moved":
                self._send(301, Location="/news/harbour-bridge.html")
            elif path == "/report.pdf":
                self._send(200, b"%PDF-1.7\n" + b"0" * 2000, "application/pdf")
            elif path == "/broken.xml":
                self._send(200, b"<?xml version='1.0'?><rss><channel><title>Oops</title><item><title>half", "application/rss+xml")
            elif path == "/huge.html":
                self._send(200, b"<html><body>" + b"<p>filler text</p>" * (HUGE_BYTES // 18) + b"</body></html>")
            elif path == "/slow.html":
                self._drip()
            else:
                self._static(path)

        def _drip(self) -> None:
            site.log.append(("GET", self.path, 200, False))
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(60):
                    self.wfile.write(b"<p>still loading</p>")
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass

        def _static(self, path: str) -> None:
            file = (site.root / path.lstrip("/")).resolve()
            if not file.is_file() or not file.is_relative_to(site.root):
                self._send(404, b"<h1>Not Found</h1>")
                return
            body = file.read_bytes().replace(b"{site}", site.url.encode())
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self._send(304, ETag=etag)
                return
            content_type = FEED_TYPES.get(file.name) or TYPES.get(file.suffix, "application/octet-stream")
            self._send(200, body, content_type, ETag=etag, Last_Modified=MODIFIED)

    return Handler


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up (as the fetcher does on a huge or slow page) is no error here."""

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@contextmanager
def sites(tmp_path: Path, *names: str) -> Iterator[dict[str, Site]]:
    """Serve the named fixture outlets (copied into tmp_path, so a test may change them), each on
    its own 127.0.0.1 port."""
    running: dict[str, Site] = {}
    servers = []
    for name in names:
        root = tmp_path / name
        shutil.copytree(FIXTURES / name, root)
        site = Site("", root.resolve())
        server = _QuietServer(("127.0.0.1", 0), _handler(site))
        site.url = f"http://127.0.0.1:{server.server_address[1]}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        running[name] = site
    try:
        yield running
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
