"""The HTTP API beside the chat: OpenAI's Chat Completions and model list, so that any OpenAI
client or chat front end can use the archive, and the archive's own calls as JSON (search, ask,
articles, health).

A completion's content is the cited answer followed by a Markdown list of its sources, so any
client shows something a reader can check; the structured citations (as `qa ask --json` gives
them), the short answer and whether the question was refused ride along as extra fields. The last
user message is the question, the exchanges before it the conversation. Every error is one line in
OpenAI's error shape, worded as the CLI words it (paths on the server left out).
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from http import HTTPStatus
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from qa.archive import Archive, make_answerer
from qa.chat import Conversation
from qa.errors import BadRequest, IndexNotFound, QAError, ServerError, public
from qa.types import Answer, Answerer, AnswerStream, Citation, SearchOptions

log = logging.getLogger(__name__)
MODEL = "qa"
LLM_MODEL = "qa-llm"
NO_USAGE = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
"""No tokens are counted: the extractive answerer uses none, and a configured LLM's are its server's to count."""
HISTORY_EXCHANGES = 3
"""How many earlier exchanges of a conversation are replayed to make a follow-up standalone."""


class ApiError(Exception):
    """An error the API answers with, in OpenAI's shape."""

    def __init__(
        self, status: int, message: str, kind: str = "invalid_request_error", code: str | None = None, param: str | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.kind, self.code, self.param = status, message, kind, code, param

    def body(self) -> dict[str, Any]:
        return {"error": {"message": self.message, "type": self.kind, "param": self.param, "code": self.code}}


class Filtered(BaseModel):
    """The search options every call takes beside its question."""

    model_config = ConfigDict(extra="ignore")

    since: str | None = Field(None, description="Only articles published on or after this day (YYYY-MM-DD).")
    until: str | None = Field(None, description="Only articles published on or before this day (YYYY-MM-DD).")
    sources: list[str] | str | None = Field(None, description="Only articles from these outlets.")
    k: StrictInt | None = Field(None, description="Passages to retrieve (1 to QA_MAX_K).")

    def options(self) -> SearchOptions:
        sources = [self.sources] if isinstance(self.sources, str) else self.sources or ()
        return SearchOptions(k=self.k, since=self.since, until=self.until, sources=sources)


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str
    text: str = ""


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(part.text for part in self.content if part.type == "text")
        return self.content or ""


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class ChatRequest(Filtered):
    """OpenAI's chat completion request; sampling options are accepted and have no effect."""

    model: str = MODEL
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None


class SearchRequest(Filtered):
    query: str


class AskRequest(Filtered):
    question: str


def sources_markdown(citations: Sequence[Citation]) -> str:
    """An answer's numbered sources as Markdown, each with its link, outlet, date and quotes."""
    if not citations:
        return ""
    lines = ["", "", "**Sources**", ""]
    for c in citations:
        title = (c.title or c.path or "untitled").replace("[", "(").replace("]", ")")
        head = f"[{title}]({c.url})" if c.url.startswith(("http://", "https://")) else f"{title} ({c.url or c.path})"
        byline = ", ".join(part for part in (c.source, c.published) if part)
        also = "; also carried by " + ", ".join(a.source or a.title for a in c.also) if c.also else ""
        lines.append(f"- [{c.n}] {head}" + (f" — {byline}" if byline else "") + also)
        lines += [f"  > “{quote}”" for quote in c.quotes]
    return "\n".join(lines)


def reply_pieces(stream: AnswerStream) -> Iterator[str]:
    """A completion's content as it is written: the short answer in bold first when it is known
    before the text (else after it), the cited text, then the sources."""
    told = False
    for piece in stream:
        if not told and stream.short:
            told = True
            yield f"**{stream.short}**\n\n"
        yield piece
    answer = stream.answer
    if answer.short and not told:
        yield f"\n\n**{answer.short}**"
    yield sources_markdown(answer.citations)


def refusal(answer: Answer) -> str | None:
    """OpenAI's `refusal` field: why the archive declined (the content says it too)."""
    return answer.refusal_reason.sentence if answer.refused and answer.refusal_reason else None


def _extras(answer: Answer) -> dict[str, Any]:
    """The fields a completion carries beside OpenAI's: those of `qa ask --json` but the text."""
    return {key: value for key, value in answer.to_dict().items() if key != "answer"}


def _conversation(archive: Archive, messages: list[Message], answerer: Answerer) -> tuple[Conversation, str]:
    """The conversation before the last user message, and that message: each user message with the
    assistant replies after it (their sources list left out) is one exchange."""
    spoken = [m for m in messages if m.role in ("user", "assistant")]
    last = [m for m in messages if m.role not in ("system", "developer")]
    if not last or last[-1].role != "user":
        raise ApiError(400, "the last message must be the user's question", code="no_question")
    exchanges: list[tuple[str, str]] = []
    for message in spoken[:-1]:
        if message.role == "user":
            exchanges.append((message.text, ""))
        elif exchanges:
            question, text = exchanges[-1]
            exchanges[-1] = (question, (text + " " + message.text.split("\n\n**Sources**")[0]).strip())
    return Conversation.replay(archive, exchanges[-HISTORY_EXCHANGES:], answerer), spoken[-1].text


class Api:
    """The API's handlers over one archive."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive
        self._llm: Answerer | None = None
        self._lock = threading.Lock()

    def models(self) -> list[str]:
        """`qa` answers as the archive is set to (QA_ANSWERER); `qa-llm` with the LLM when one is configured."""
        settings = self.archive.settings
        configured = settings.answerer == "llm" or settings.llm_api_key is not None or settings.llm_base_url is not None
        return [MODEL, LLM_MODEL] if configured else [MODEL]

    def check_model(self, model: str) -> None:
        if model not in self.models():
            raise ApiError(
                404,
                f"no model {model!r} here; models: {', '.join(self.models())}",
                "invalid_request_error",
                "model_not_found",
                "model",
            )

    def answerer(self, model: str) -> Answerer:
        self.check_model(model)
        if model == MODEL or self.archive.settings.answerer == "llm":
            return self.archive.answerer
        with self._lock:
            if self._llm is None:
                self._llm = make_answerer(self.archive.settings.model_copy(update={"answerer": "llm"}))
            return self._llm

    def completion(self, request: ChatRequest) -> dict[str, Any] | StreamingResponse:
        conversation, question = _conversation(self.archive, request.messages, self.answerer(request.model))
        stream = conversation.ask_stream(question, **request.options())
        reply_id, created = f"chatcmpl-{uuid.uuid4().hex}", int(time.time())
        if not request.stream:
            content = "".join(reply_pieces(stream))
            return {
                "id": reply_id,
                "object": "chat.completion",
                "created": created,
                "model": request.model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": content, "refusal": refusal(stream.answer)},
                        "finish_reason": "stop",
                    }
                ],
                "usage": NO_USAGE,
                **_extras(stream.answer),
            }

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
            body = {
                "id": reply_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": request.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra,
            }
            return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

        def events() -> Iterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            try:
                for piece in reply_pieces(stream):
                    if piece:
                        yield chunk({"content": piece})
                yield chunk({}, "stop", **_extras(stream.answer))
                if request.stream_options and request.stream_options.include_usage:
                    yield f"data: {json.dumps({'id': reply_id, 'object': 'chat.completion.chunk', 'created': created, 'model': request.model, 'choices': [], 'usage': NO_USAGE})}\n\n"
            except QAError as error:
                problem = self.error(error)
                yield f"data: {json.dumps(problem.body(), ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})

    def error(self, error: QAError) -> ApiError:
        """The API's form of an error: bad requests 400, a missing index 404, a failing LLM server
        502, anything else about the index (a damaged store, an unreachable Chroma server) 503."""
        message = public(error, Path(self.archive.settings.index_dir))
        if isinstance(error, BadRequest):
            return ApiError(400, message)
        if isinstance(error, IndexNotFound):
            return ApiError(404, message, code="index_not_found")
        if isinstance(error, ServerError):
            return ApiError(502, message, "server_error", code="llm_server_error")
        return ApiError(503, message, "server_error", code=type(error).__name__)


def add_api(app: FastAPI, archive: Archive) -> None:
    """Add the API's routes to the app, and the handlers that answer errors in OpenAI's shape."""
    api = Api(archive)
    bearer = [Depends(HTTPBearer(auto_error=False, description="QA_AUTH_TOKEN, when the server has one"))]
    v1 = APIRouter(prefix="/v1", tags=["OpenAI-compatible"], dependencies=bearer)
    own = APIRouter(prefix="/api", tags=["Archive"], dependencies=bearer)

    @v1.get("/models", summary="The models: qa (and qa-llm when an LLM is configured)")
    def list_models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": m, "object": "model", "created": 0, "owned_by": "qa"} for m in api.models()]}

    @v1.get("/models/{model}", summary="One model")
    def get_model(model: str) -> dict[str, Any]:
        api.check_model(model)
        return {"id": model, "object": "model", "created": 0, "owned_by": "qa"}

    @v1.post("/chat/completions", summary="Answer the last user message from the archive, with citations", response_model=None)
    def chat_completions(request: ChatRequest) -> dict[str, Any] | StreamingResponse:
        return api.completion(request)

    @v1.post("/search", summary="The passages that best match a query, best first")
    def search(request: SearchRequest) -> dict[str, Any]:
        found = archive.retrieve(request.query, **request.options()).to_dict()
        return {"object": "list", "data": found["passages"], "refusal_reason": found["refusal_reason"]}

    @own.post("/ask", summary="Answer a question: the JSON of `qa ask --json`")
    def ask(request: AskRequest) -> dict[str, Any]:
        return archive.ask(request.question, **request.options()).to_dict()

    @own.get("/articles", summary="The articles, newest first; `q` keeps those whose title, outlet, date or id hold every word")
    def articles(
        q: str = "", limit: Annotated[int, Query(ge=1, le=10_000)] = 1000, offset: Annotated[int, Query(ge=0)] = 0
    ) -> dict[str, Any]:
        found = [a for a in archive.articles() if a.matches(q)]
        return {"object": "list", "total": len(found), "data": [a.to_dict() for a in found[offset : offset + limit]]}

    @own.get("/articles/{article_id:path}", summary="One article: its details and text")
    def article(article_id: str) -> dict[str, Any]:
        found = archive.read(article_id)
        if found is None:
            raise ApiError(404, f"no article {article_id!r} in the index", code="article_not_found")
        return found

    @app.get(
        "/healthz", tags=["Archive"], summary="Whether the server is up and its index readable (no index counts as 0 articles)"
    )
    def health() -> JSONResponse:
        try:
            articles = archive.stats().articles
        except IndexNotFound:
            articles = 0
        except QAError as error:
            return JSONResponse({"status": "error", "error": api.error(error).message}, 503)
        return JSONResponse({"status": "ok", "articles": articles, "version": version("qa")})

    app.include_router(v1)
    app.include_router(own)

    @app.exception_handler(ApiError)
    def api_error(_request: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(error.body(), error.status)

    @app.exception_handler(QAError)
    def qa_error(_request: Request, error: QAError) -> JSONResponse:
        problem = api.error(error)
        return JSONResponse(problem.body(), problem.status)

    @app.exception_handler(RequestValidationError)
    def invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(_invalid(error).body(), HTTPStatus.BAD_REQUEST)

    @app.exception_handler(Exception)
    def unexpected(_request: Request, error: Exception) -> JSONResponse:
        log.exception("the API failed on a request")
        return JSONResponse(ApiError(500, "the server failed to answer; its log says why", "server_error").body(), 500)

    @app.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
    def unknown(request: Request, rest: str) -> JSONResponse:
        """Any other path under /v1 and /api: OpenAI's 404, not the chat's page."""
        problem = ApiError(404, f"no such API call: {request.method} {request.url.path}", code="unknown_url")
        return JSONResponse(problem.body(), 404)


TYPE_TAGS = re.compile(r"^(?:str|int|float|bool|none|list\[.*\]|dict\[.*\]|function-\w+\[.*\])$")


def _invalid(error: RequestValidationError) -> ApiError:
    """A request that does not fit its schema, in one line naming the field (without pydantic's
    names for the alternatives of a union)."""
    first = error.errors()[0] if error.errors() else {"type": "", "loc": (), "msg": "invalid request"}
    if first["type"] == "json_invalid":
        return ApiError(400, "the request body is not valid JSON", param=None)
    parts = [str(part) for part in first["loc"] if part != "body" and not TYPE_TAGS.match(str(part))]
    where = ".".join(parts)
    if first["type"] == "missing" and not where:
        return ApiError(400, "the request has no JSON body")
    if first["type"] in ("model_attributes_type", "dict_type") and not where:
        return ApiError(400, "the request body must be a JSON object, sent as Content-Type: application/json")
    message = str(first["msg"]).removeprefix("Value error, ")
    return ApiError(400, f"{where}: {message}" if where else message, param=where or None)
