"""The HTTP server: one FastAPI app with the web chat at /, the HTTP API (/v1 OpenAI-compatible,
/api, /healthz, the OpenAPI page at /docs) and the MCP server at /mcp; and who may use it.

With QA_AUTH_TOKEN set, the chat shows Gradio's login page (any user name, the token as the
password), and API and MCP calls must send `Authorization: Bearer <token>`. A request with the
right token is let in as a logged-in user: Gradio checks its own login cookie, which the
middleware adds (Gradio has no hook for a bearer token beside its login page). Serving on an
address other than loopback without a token is refused unless QA_ALLOW_ANONYMOUS is set.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import secrets
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from importlib.metadata import version
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import HTMLResponse, JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from qa.api import add_api
from qa.archive import Archive
from qa.config import Settings
from qa.errors import PortBusy, QAError, Unprotected
from qa.mcp_server import build_mcp
from qa.render import CSS, HEAD
from qa.web import build_app

GRACE = 2
SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO_FONTS = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]
"""The machine's own fonts: nothing is fetched, and no heading mixes a web font's few glyphs with a fallback."""
log = logging.getLogger(__name__)
AUTH_MESSAGE = "This archive is private: enter any user name, and the access token (QA_AUTH_TOKEN) as the password."


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_exposure(settings: Settings) -> None:
    """Refuse to serve beyond this machine with no access token, unless anonymous use is allowed."""
    if not is_loopback(settings.host) and settings.auth_token is None and not settings.allow_anonymous:
        raise Unprotected(
            f"serving on {settings.host} would let anyone on the network ask and upload: set QA_AUTH_TOKEN to a "
            "secret, or pass --allow-anonymous (QA_ALLOW_ANONYMOUS=true) to serve without one"
        )


TOKEN_ONLY = ("/v1/", "/api/", "/mcp")
"""Paths only a bearer token opens (the chat's paths also take Gradio's login cookie)."""


def _unauthorized(message: str) -> JSONResponse:
    error = {"message": message, "type": "authentication_error", "param": None, "code": "invalid_api_key"}
    return JSONResponse({"error": error}, 401, headers={"WWW-Authenticate": "Bearer"})


API_BODY_BYTES = 1 << 20
"""Largest request body of an API call (a chat completion with its conversation fits in far less)."""


class BodyLimit:
    """ASGI middleware: an API call whose body is over API_BODY_BYTES is refused with 413 before
    it is parsed (FastAPI reads a whole body into memory; Gradio's uploads and MCP have their own
    limits)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(("/v1/", "/api/")):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"0")
        if b"transfer-encoding" in headers:
            await _refused(411, "send the request body with a Content-Length (not chunked)")(scope, receive, send)
        elif not declared.isdigit() or int(declared) > API_BODY_BYTES:
            await _refused(413, f"the request body is over {API_BODY_BYTES // 1024} KiB")(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _refused(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}, status)


class BearerToken:
    """ASGI middleware: a request with `Authorization: Bearer <token>` is let into the Gradio app
    as a logged-in user; one with a wrong bearer token, or an API or MCP call without one, is
    refused (401). Other Authorization schemes (a proxy's Basic login) are left to the chat's login."""

    def __init__(self, app: ASGIApp, token: str, gradio_app: Any) -> None:
        self.app = app
        self.token = token.encode()
        session = secrets.token_urlsafe(32)
        gradio_app.tokens[session] = f"api-{secrets.token_hex(8)}"
        self.cookie = f"access-token-unsecure-{gradio_app.cookie_id}={session}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            given = next((value for key, value in scope["headers"] if key == b"authorization"), b"")
            scheme, _, value = given.partition(b" ")
            bearer = scheme.lower() == b"bearer"
            if not bearer and scope["path"].startswith(TOKEN_ONLY):
                await _unauthorized("this archive is private: send Authorization: Bearer <QA_AUTH_TOKEN>")(scope, receive, send)
                return
            if bearer:
                if not hmac.compare_digest(value.strip(), self.token):
                    await _unauthorized("wrong access token (Authorization: Bearer <QA_AUTH_TOKEN>)")(scope, receive, send)
                    return
                headers = [(key, value) for key, value in scope["headers"] if key != b"cookie"]
                scope = {**scope, "headers": [*headers, (b"cookie", self.cookie)]}
        await self.app(scope, receive, send)


def create_app(archive: Archive) -> FastAPI:
    """The ASGI app: the chat at /, the API and the MCP server beside it, behind the access token
    when one is set."""
    settings = archive.settings
    mcp = build_mcp(archive)
    mcp_app = mcp.streamable_http_app(streamable_http_path="/mcp", host=settings.host, stateless_http=True, json_response=True)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        with refreshing(archive):
            async with mcp.session_manager.run():
                yield

    app = FastAPI(
        title="Ask the news archive",
        summary="Cited answers from a news archive: an OpenAI-compatible chat API, search, articles, and MCP at /mcp.",
        version=version("qa"),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    add_docs(app)
    add_api(app, archive)
    for name in ("mcp", "mcp.server", "httpx"):
        logging.getLogger(name).setLevel(logging.WARNING)
    app.router.routes.extend(mcp_app.routes)
    token = settings.auth_token.get_secret_value() if settings.auth_token else None

    def login(_user: str, password: str) -> bool:
        return token is not None and hmac.compare_digest(password.encode(), token.encode())

    gr.mount_gradio_app(
        app,
        build_app(archive),
        path="/",
        auth=login if token else None,
        auth_message=AUTH_MESSAGE if token else None,
        max_file_size=int(settings.max_upload_mb * 2**20),
        css=CSS,
        head=HEAD,
        theme=gr.themes.Default(font=SYSTEM_FONTS, font_mono=MONO_FONTS),
        footer_links=["api"],
        show_error=False,
    )
    if token:
        gradio_app = app.routes[-1].app  # type: ignore[attr-defined]
        app.add_middleware(BearerToken, token=token, gradio_app=gradio_app)
    app.add_middleware(BodyLimit)
    if is_loopback(settings.host):
        extra = [name.strip() for name in settings.allowed_hosts.split(",") if name.strip()]
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "::1", "[::1]", *extra])
    return app


def add_docs(app: FastAPI) -> None:
    """The API's interactive docs at /docs, with Swagger UI served from the installed
    swagger-ui-bundle (FastAPI's default page fetches it from a CDN, which this server never asks
    the reader's browser to reach)."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Ask the news archive: API",
            swagger_js_url="/docs/assets/swagger-ui-bundle.js",
            swagger_css_url="/docs/assets/swagger-ui.css",
            swagger_favicon_url="/docs/assets/favicon-32x32.png",
        )


@contextmanager
def refreshing(archive: Archive) -> Iterator[None]:
    """While the block runs, refresh the archive's feeds every QA_REFRESH_EVERY seconds (when
    set) in a background thread; a refresh that fails is logged, and the next one goes on whatever
    went wrong."""
    every = archive.settings.refresh_every
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            try:
                if archive.feeds():
                    report = archive.refresh()
                    lines = [f"feeds refreshed: {report.summary()}", *(f"  {problem}" for problem in report.problems)]
                    print("\n".join(lines), file=sys.stderr, flush=True)
            except QAError as error:
                log.warning("refreshing the feeds failed: %s", error)
            except Exception:
                log.exception("refreshing the feeds failed; the next refresh will try again")

    thread = threading.Thread(target=run, name="qa-refresh", daemon=True)
    if every > 0:
        thread.start()
    try:
        yield
    finally:
        stop.set()


def check_port(settings: Settings) -> None:
    """Raise PortBusy, before anything heavy loads, when the port is taken."""
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as error:
            raise PortBusy(
                f"can't listen on {settings.host}:{settings.port} ({error.strerror}); choose another port with --port or QA_PORT"
            ) from None


def _server(archive: Archive) -> uvicorn.Server:
    """A server for the app; on shutdown it waits GRACE seconds for open connections (a browser tab
    keeps one open for as long as it is open)."""
    settings = archive.settings
    check_exposure(settings)
    check_port(settings)
    config = uvicorn.Config(
        create_app(archive), host=settings.host, port=settings.port, log_level="warning", timeout_graceful_shutdown=GRACE
    )
    logging.getLogger("uvicorn.error").addFilter(_quiet_shutdown)
    return uvicorn.Server(config)


def _quiet_shutdown(record: logging.LogRecord) -> bool:
    """Leave out uvicorn's report of the connections it cancels at shutdown (a browser tab's)."""
    cancelled = record.exc_info is not None and isinstance(record.exc_info[1], asyncio.CancelledError)
    return not cancelled and "graceful shutdown exceeded" not in record.getMessage()


def serve(archive: Archive) -> None:
    """Serve the app on the settings' host and port until interrupted."""
    settings = archive.settings
    server = _server(archive)
    print(f"Serving the chat on http://{settings.host}:{settings.port}/ (Ctrl-C stops it)", file=sys.stderr, flush=True)
    server.run()


@contextmanager
def running(archive: Archive) -> Iterator[str]:
    """Serve the app in a background thread while the block runs; yields its URL."""
    settings = archive.settings
    server = _server(archive)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    try:
        yield f"http://{settings.host}:{settings.port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
