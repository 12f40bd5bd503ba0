"""Errors a user can act on: the CLI, the app and the API show their message, never a stack trace.

A message never shows a password: credentials written into a URL (`http://user:secret@host`)
are replaced by `***` wherever the URL is quoted."""

import re
from pathlib import Path

_CREDENTIALS = re.compile(r"(?<=://)[^/\s]*@")
_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[\w.-]+/)+([\w.-]+)")


def redacted(text: str) -> str:
    """The text with the user and password of every URL in it hidden."""
    return _CREDENTIALS.sub("***@", text)


def public(error: Exception | str, index_dir: Path) -> str:
    """A message for someone on the network: the index folder is "the index folder", any other
    absolute path its file name, a process id "another process"."""
    text = str(error)
    for place in {str(index_dir.resolve()), str(index_dir)}:
        text = text.replace(place, "the index folder")
    text = _ABSOLUTE_PATH.sub(r"\1", text)
    return re.sub(r"\bpid \d+ ", "another process ", text)


class QAError(Exception):
    """Base class for problems the user can fix; the message says how."""

    def __init__(self, message: str) -> None:
        super().__init__(redacted(message))


class IndexNotFound(QAError):
    """There is no index in the folder yet."""


class IndexMismatch(QAError):
    """The index was built with other embedding or chunk settings."""


class IndexDamaged(QAError):
    """The index's Chroma store can't be read; `qa ingest --rebuild` makes it anew."""


class IndexReadOnly(QAError):
    """The index folder can't be written to, so nothing can be ingested there."""


class UnknownEmbedModel(QAError):
    """The configured embedding model is not one this installation can load offline."""


class BadRequest(QAError):
    """A question or an option is outside the limits the settings allow."""


class BadFilter(BadRequest):
    """A filter names an outlet the index does not have, or a date that can't be read."""


class UnknownReranker(QAError):
    """The configured reranker can't be loaded from disk."""


class IndexBusy(QAError):
    """Another ingest is writing the index."""


class ChromaUnavailable(QAError):
    """The configured Chroma server can't be reached."""


class EntityModelMissing(QAError):
    """The English entity model is not installed."""


class ServerError(QAError):
    """The OpenAI-compatible server could not be used; the message names the setting to fix."""


class UploadRejected(QAError):
    """Uploads are off, or a request's files are over the upload limits."""


class Unprotected(QAError):
    """The server would be open to a network without an access token."""


class PortBusy(QAError):
    """The web chat's port is taken by another program."""


class FetchFailed(QAError):
    """A page or feed could not be fetched, or is not what was asked for; the message says why."""
