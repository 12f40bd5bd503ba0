"""A small OpenAI-compatible server on 127.0.0.1 for tests: it records each request; chat
completions are answered through a function the test gives it, plain or as server-sent events, and
embeddings (of the model EMBED_MODEL) are hashed bags of words, so that texts sharing words are near."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "sk-test-secret-4242"
EMBED_MODEL = "bag-of-words-64"
DIMENSIONS = 64


@dataclass
class Reply:
    """What the server sends back: text in pieces (joined when not streaming), or an HTTP error;
    `gap` seconds between streamed pieces; `raw` bytes sent as the whole body instead (a reply no
    OpenAI server would send), `stall` seconds of silence after the first streamed piece."""

    pieces: list[str] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    gap: float = 0.0
    raw: bytes | None = None
    stall: float = 0.0


@dataclass
class FakeOpenAI:
    respond: Callable[[dict], Reply]
    requests: list[dict] = field(default_factory=list)
    url: str = ""


def _completion(model: str, text: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _chunk(model: str, delta: dict, finish: str | None = None) -> bytes:
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n".encode()


def bag_of_words(text: str) -> list[float]:
    """A unit vector with one hashed dimension per distinct word of the text."""
    vector = [0.0] * DIMENSIONS
    for word in set(re.findall(r"[a-z0-9]+", text.lower())):
        vector[int(hashlib.sha1(word.encode()).hexdigest(), 16) % DIMENSIONS] += 1.0
    norm = sum(x * x for x in vector) ** 0.5 or 1.0
    return [x / norm for x in vector]


def _embeddings(request: dict) -> dict:
    texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
    data = []
    for i, text in enumerate(texts):
        vector = bag_of_words(text)
        if request.get("encoding_format") == "base64":
            vector = base64.b64encode(struct.pack(f"<{DIMENSIONS}f", *vector)).decode()
        data.append({"object": "embedding", "index": i, "embedding": vector})
    return {"object": "list", "data": data, "model": request["model"], "usage": {"prompt_tokens": 1, "total_tokens": 1}}


class _Server(ThreadingHTTPServer):
    """Waits for its handlers when closed, so none writes into a later test's output, and takes
    a client hanging up (as one that timed out does) as normal."""

    daemon_threads = False
    block_on_close = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def fake_openai(respond: Callable[[dict], Reply]) -> Iterator[FakeOpenAI]:
    """Serve until the block ends; `server.url` is the base URL to give the client."""
    server_state = FakeOpenAI(respond)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _error(self, status: int, message: str) -> None:
            body = json.dumps({"error": {"message": message, "type": "test", "code": status}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            request["authorization"] = self.headers.get("Authorization", "")
            request["path"] = self.path.rstrip("/")
            server_state.requests.append(request)
            if request["path"] not in ("/v1/chat/completions", "/v1/embeddings"):
                return self._error(404, "no such route")
            if request["authorization"] != f"Bearer {API_KEY}":
                return self._error(401, "Incorrect API key provided")
            if request["path"] == "/v1/embeddings":
                if request["model"] != EMBED_MODEL:
                    return self._error(404, f"The model {request['model']} does not exist")
                return self._json(_embeddings(request))
            reply = server_state.respond(request)
            time.sleep(reply.delay)
            if reply.status != 200:
                return self._error(reply.status, "scripted failure")
            model = request["model"]
            if reply.raw is not None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream" if request.get("stream") else "application/json")
                self.end_headers()
                self.wfile.write(reply.raw)
                return None
            if not request.get("stream"):
                return self._json(_completion(model, "".join(reply.pieces)))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            self.wfile.write(_chunk(model, {"role": "assistant", "content": ""}))
            for i, piece in enumerate(reply.pieces):
                self.wfile.write(_chunk(model, {"content": piece}))
                self.wfile.flush()
                time.sleep(reply.stall if i == 0 else reply.gap)
            self.wfile.write(_chunk(model, {}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            return None

    httpd = _Server(("127.0.0.1", 0), Handler)
    server_state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
