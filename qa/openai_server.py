"""Talking to OpenAI or an OpenAI-compatible server (for answers and for embeddings): where it is,
which key it takes, and its failures turned into one-line errors that name the setting to fix."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypedDict

from qa.config import Settings
from qa.errors import ServerError

OPENAI_URL = "https://api.openai.com/v1"


def server_url(settings: Settings) -> str:
    return settings.llm_base_url or OPENAI_URL


def api_key(settings: Settings, needed_by: str) -> str:
    """The API key to send; a local server (OPENAI_BASE_URL) may go without one."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    if not key and not settings.llm_base_url:
        raise ServerError(f"{needed_by} needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)")
    return key or "not-needed"


class Connection(TypedDict):
    """The keyword arguments that llama-index's OpenAI-like classes take to reach the server."""

    api_base: str
    api_key: str
    timeout: float
    max_retries: int


def connection(settings: Settings, needed_by: str) -> Connection:
    """How to reach the server; `needed_by` names the setting that asked for it, for the error
    when there is no key."""
    return Connection(
        api_base=server_url(settings),
        api_key=api_key(settings, needed_by),
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
    )


@contextmanager
def server_errors(settings: Settings, role: str, model: str, model_setting: str) -> Iterator[None]:
    """Turn the openai client's exceptions into one-line ServerErrors that never show the API key.
    `role` names the server in the message ("LLM", "embedding"); `model_setting` is what to fix
    when the server does not know `model`."""
    import httpx
    import openai

    where = server_url(settings)
    server = f"the {role} server at {where}"
    try:
        yield
    except openai.APITimeoutError:
        raise ServerError(f"{server} did not answer within {settings.llm_timeout:g} s (QA_LLM_TIMEOUT)") from None
    except openai.APIConnectionError:
        raise ServerError(f"cannot connect to the {role} server at {where} (OPENAI_BASE_URL)") from None
    except openai.AuthenticationError:
        raise ServerError(f"{server} refused the API key (401); check OPENAI_API_KEY") from None
    except openai.NotFoundError:
        raise ServerError(f"model {model!r} not found at {where} (404); check {model_setting}") from None
    except openai.RateLimitError:
        raise ServerError(f"{server} is rate limiting requests (429); wait, or raise QA_LLM_MAX_RETRIES") from None
    except openai.APIStatusError as error:
        raise ServerError(f"{server} answered HTTP {error.status_code}") from None
    except httpx.TimeoutException:
        raise ServerError(f"{server} stopped sending for {settings.llm_timeout:g} s (QA_LLM_TIMEOUT)") from None
    except (openai.APIError, httpx.HTTPError) as error:
        raise ServerError(f"{server} failed mid-reply ({type(error).__name__}); check OPENAI_BASE_URL") from None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        # What the client raises on a reply that is not an OpenAI response: bad JSON or SSE, missing fields.
        raise ServerError(f"{server} sent a reply that is not an OpenAI chat response ({type(error).__name__})") from None
