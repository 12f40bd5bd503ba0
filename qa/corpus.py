"""Readers that turn article files into Articles, and the reasons a file or record is skipped.

Formats: the seed `.txt` (` date YYYY-MM-DD N`, title, body), `.md`/`.txt` with optional YAML
front matter, `.json` (a list of records, or one record) and `.jsonl` (a record a line).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from dateutil import parser as date_parser

from qa.types import Article, Problem

SUPPORTED_SUFFIXES = (".txt", ".md", ".json", ".jsonl")
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ARTICLE_CHARS = 1_000_000
MAX_FRONT_MATTER_CHARS = 20_000
MAX_JSON_DEPTH = 20
MAX_FIELD_CHARS = {"title": 300, "source": 100, "author": 200, "category": 100, "url": 2_000}
"""Longest title and metadata kept (longer ones are cut, with a warning): the title and outlet
head every chunk, and a chunk must have room for its text."""

_DOCUMENTATION = re.compile(r"(?:README|LICEN[CS]E|NOTICE|ATTRIBUTION|COPYING)(?:\.\w+)?$")
"""A folder's notes about its articles, not an article: skipped when a folder is read."""
_SEED_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:\s+\S+)?\s*$")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_WIRE_DATELINE = re.compile(r"^\(([A-Z][\w&.' -]{1,40})\)")
_BODY_KEYS = ("body", "text", "content")
_DATE_KEYS = ("published_at", "published", "date")


def read_articles(path: str | Path) -> Iterator[Article | Problem]:
    """Yield the Articles under a file or folder, and a Problem for everything that can't be read.

    Ids are the url when there is one, else the path from the folder above the article's folder
    (`corpus/a.txt`, whether `corpus` or `corpus/a.txt` was read), with `#n` for the n-th record
    of a multi-record file.
    """
    root = Path(path).resolve()
    if not root.exists():
        yield Problem(str(path), "no such file or folder")
        return
    base = root.parent if root.is_dir() else root.parent.parent
    for file in _files_under(root):
        display = file.relative_to(base).as_posix()
        for item in _read_file(file, display, root):
            yield replace(item, file=str(file)) if isinstance(item, Problem) else item


def _files_under(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for file in sorted(root.rglob("*")):
        relative = file.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or file.is_dir() or _DOCUMENTATION.match(file.name):
            continue
        yield file


def _read_file(file: Path, display: str, root: Path) -> Iterator[Article | Problem]:
    """A file's articles, or its Problem. A reader's unforeseen failure on hostile input (memory,
    recursion, an OS error) is that file's Problem too, so that one file never stops a batch."""
    try:
        items = list(_read_checked(file, display, root))
    except (OSError, MemoryError, RecursionError, ValueError, TypeError) as error:
        items = [Problem(display, f"could not be read ({type(error).__name__}: {_first_line(error)[:200]})")]
    yield from items


def _read_checked(file: Path, display: str, root: Path) -> Iterator[Article | Problem]:
    if file.is_symlink() and not file.resolve().is_relative_to(root):
        yield Problem(display, "symlink points outside the ingested folder")
        return
    suffix = file.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        yield Problem(display, f"unsupported file type {suffix or '(none)'}; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
        return
    size = file.stat().st_size
    if size == 0:
        yield Problem(display, "empty file")
        return
    if size > MAX_FILE_BYTES:
        yield Problem(display, f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES / 2**20:.0f} MiB limit")
        return
    raw = file.read_bytes()
    if b"\x00" in raw:
        yield Problem(display, "binary file (contains NUL bytes)")
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        yield Problem(display, f"not UTF-8 text (bad byte at offset {error.start})")
        return
    if not text.strip():
        yield Problem(display, "empty file")
        return
    if suffix == ".json":
        yield from _read_json(text, display, file)
    elif suffix == ".jsonl":
        yield from _read_jsonl(text, display, file)
    else:
        yield from _read_text(text, display, file)


def _read_text(text: str, display: str, file: Path) -> Iterator[Article | Problem]:
    lines = text.splitlines()
    seed = _SEED_HEADER.match(lines[0])
    if seed:
        record: dict[str, Any] = {"date": seed.group(1), "title": lines[1] if len(lines) > 1 else ""}
        body = "\n".join(lines[2:])
    else:
        front = _FRONT_MATTER.match(text)
        record = {}
        if front:
            if len(front.group(1)) > MAX_FRONT_MATTER_CHARS:
                yield Problem(display, f"front matter is over {MAX_FRONT_MATTER_CHARS:,} characters")
                return
            try:
                loaded = yaml.load(front.group(1), Loader=_FrontMatterLoader)
            except yaml.YAMLError as error:
                yield Problem(display, f"front matter is not valid YAML ({_first_line(error)})")
                return
            if not isinstance(loaded, dict):
                yield Problem(display, "front matter is not a mapping of fields")
                return
            record = {str(k): v for k, v in loaded.items()}
            text = text[front.end() :]
        if not record.get("title"):
            head, _, text = text.lstrip().partition("\n")
            record["title"] = head.lstrip("#").strip()
        body = text
    record["body"] = body
    yield from record_article(record, display, str(file), display)


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML without aliases: front matter has no use for them, and an alias of an alias of ...
    ("billion laughs") expands a few hundred bytes into gigabytes."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted", event.start_mark)
        return super().compose_node(parent, index)


def _loads(text: str) -> Any:
    """Parsed JSON, or ValueError when it nests deeper than MAX_JSON_DEPTH (articles need two levels;
    a deeper nesting only makes the parser recurse)."""
    try:
        data = json.loads(text)
    except RecursionError:
        data = None
        depth = MAX_JSON_DEPTH + 1
    else:
        depth, level = 0, [data]
        while level and depth <= MAX_JSON_DEPTH:
            depth += 1
            level = [
                child
                for node in level
                if isinstance(node, list | dict)
                for child in (node.values() if isinstance(node, dict) else node)
            ]
    if depth > MAX_JSON_DEPTH:
        raise ValueError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep")
    return data


def _read_json(text: str, display: str, file: Path) -> Iterator[Article | Problem]:
    try:
        data = _loads(text)
    except json.JSONDecodeError as error:
        yield Problem(display, f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}")
        return
    except ValueError as error:
        yield Problem(display, str(error))
        return
    records = data if isinstance(data, list) else [data]
    yield from _read_records(records, display, file, lambda i: f"{display}[{i}]")


def _read_jsonl(text: str, display: str, file: Path) -> Iterator[Article | Problem]:
    records: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append((number, _loads(line)))
        except json.JSONDecodeError as error:
            yield Problem(f"{display}:{number}", f"invalid JSON: {error.msg}")
        except ValueError as error:
            yield Problem(f"{display}:{number}", str(error))
    numbers = [number for number, _ in records]
    yield from _read_records([r for _, r in records], display, file, lambda i: f"{display}:{numbers[i]}")


def _read_records(records: list[Any], display: str, file: Path, where: Any) -> Iterator[Article | Problem]:
    single = len(records) == 1
    for i, record in enumerate(records):
        if not isinstance(record, dict):
            yield Problem(where(i), f"record is a {type(record).__name__}, not an object")
            continue
        record = dict(record)
        record["body"] = next((record[k] for k in _BODY_KEYS if isinstance(record.get(k), str)), "")
        yield from record_article(record, where(i), str(file), display if single else f"{display}#{i}")


def record_article(record: dict[str, Any], display: str, file: str, fallback_id: str) -> Iterator[Article | Problem]:
    """The Article of one record (title, body/text/content, source, url, author, category and a
    date field), shown as `display`, with any Problem: its fields checked and capped as every
    reader's are. Its id is the url, else `fallback_id`."""
    fields: dict[str, str] = {}
    for name, limit in MAX_FIELD_CHARS.items():
        value = record.get(name)
        if value is not None and not isinstance(value, str | int | float | date):
            yield Problem(display, f"{name} is a {type(value).__name__}, not text")
            return
        fields[name] = _text(value)
        if len(fields[name]) > limit:
            fields[name] = fields[name][:limit].rstrip()
            yield Problem(display, f"{name} cut to its first {limit} characters", skipped=False)
    title = fields["title"]
    body = _text(record.get("body")).strip()
    if not body:
        yield Problem(display, "no article body (expected a body, text or content field)")
        return
    if len(body) > MAX_ARTICLE_CHARS:
        yield Problem(
            display,
            f"article is {len(body) / 1e6:.1f} million characters, over the limit of {MAX_ARTICLE_CHARS / 1e6:.0f} "
            "million for one article (is it several articles, or not an article?)",
        )
        return
    if not title:
        yield Problem(display, "no title")
        return
    source = fields["source"]
    if not source:
        dateline = _WIRE_DATELINE.match(body)
        source = dateline.group(1).strip() if dateline else ""
    url = fields["url"]
    published, date_problem = _published(record, display)
    article = Article(
        id=url or fallback_id,
        title=title,
        body=body,
        path=display,
        file=file,
        published=published,
        source=source,
        url=url,
        author=fields["author"],
        category=fields["category"],
    )
    if date_problem:
        yield date_problem
    yield article


def _published(record: dict[str, Any], display: str) -> tuple[date | None, Problem | None]:
    raw = next((record[k] for k in _DATE_KEYS if record.get(k)), None)
    if raw is None:
        return None, None
    if isinstance(raw, datetime):
        return raw.date(), None
    if isinstance(raw, date):
        return raw, None
    try:
        return date_parser.isoparse(str(raw).strip()).date(), None
    except ValueError:
        pass
    try:
        return date_parser.parse(str(raw), fuzzy=False).date(), None
    except (ValueError, OverflowError):
        return None, Problem(display, f"date {str(raw)[:40]!r} not understood; article kept without a date", skipped=False)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def split_results(items: Iterable[Article | Problem]) -> tuple[list[Article], list[Problem]]:
    """Separate what a read produced into articles and problems."""
    articles: list[Article] = []
    problems: list[Problem] = []
    for item in items:
        if isinstance(item, Article):
            articles.append(item)
        else:
            problems.append(item)
    return articles, problems
