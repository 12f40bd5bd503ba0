"""Serving the web chat on a free 127.0.0.1 port for a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from qa import Archive
from qa.web import build_app, launch

from conftest import free_port


@contextmanager
def serving(archive: Archive) -> Iterator[str]:
    """Serve the app over an archive; yields its URL."""
    port = free_port()
    app = build_app(archive)
    launch(app, "127.0.0.1", port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()
