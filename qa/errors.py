"""Errors a user can act on: the CLI and the app show their message, never a stack trace."""


class QAError(Exception):
    """Base class for problems the user can fix; the message says how."""


class IndexNotFound(QAError):
    """There is no index in the folder yet."""


class IndexMismatch(QAError):
    """The index was built with other embedding or chunk settings."""


class UnknownEmbedModel(QAError):
    """The configured embedding model is not one this installation can load offline."""


class BadFilter(QAError):
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
