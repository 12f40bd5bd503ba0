"""Serving the web chat on a free 127.0.0.1 port for a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from qa import Archive, Settings
from qa.server import running

from conftest import free_port


@contextmanager
def serving(archive: Archive, **settings: Any) -> Iterator[str]:
    """Serve the app over an archive (with these settings changed); yields its URL."""
    changed = {**archive.settings.model_dump(), "host": "127.0.0.1", "port": free_port(), **settings}
    served = Archive(settings=Settings.model_validate(changed))
    with running(served) as url:
        yield url
