"""The access token (QA_AUTH_TOKEN) on the served chat: the page asks for it, every API call needs
it as a bearer token, and serving beyond loopback without one is refused in one line."""

from __future__ import annotations

import json
import subprocess

import httpx
import openai
import pytest
from click.testing import CliRunner
from gradio_client import Client

from qa import Settings, Unprotected
from qa.cli import cli
from qa.server import check_exposure

from conftest import REPO, SEED_QUESTION
from webapp import serving

TOKEN = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def url(seeded):
    with serving(seeded, auth_token=TOKEN) as url:
        yield url


def test_without_the_token_nothing_but_the_login_page_is_served(url):
    page = httpx.get(url)
    assert page.status_code == 200 and "Ask the news archive" not in page.text
    for path in ("config", "gradio_api/info", "gradio_api/upload"):
        assert httpx.get(url + path).status_code in (401, 405), path
    assert httpx.post(url + "gradio_api/call/ask", json={"data": [SEED_QUESTION]}).status_code == 401
    assert httpx.post(url + "gradio_api/upload", files={"files": ("a.md", b"x")}).status_code == 401
    with pytest.raises(Exception):  # noqa: B017  (gradio_client raises its own errors on a 401)
        Client(url, verbose=False)


def test_a_wrong_bearer_token_is_refused(url):
    refused = httpx.get(url + "config", headers={"Authorization": "Bearer not-the-token"})
    assert refused.status_code == 401 and "wrong access token" in refused.text


def test_the_api_answers_a_client_that_sends_the_token(url):
    client = Client(url, verbose=False, headers={"Authorization": f"Bearer {TOKEN}"})
    result = json.loads(client.predict(SEED_QUESTION, api_name="/ask"))
    assert result["refused"] is False and "Witkoff" in result["answer"]


def test_logging_in_with_the_token_opens_the_chat(url):
    with httpx.Client(base_url=url) as browser:
        assert browser.post("login", data={"username": "reader", "password": "wrong"}).status_code == 400
        assert browser.post("login", data={"username": "reader", "password": TOKEN}).status_code == 200
        assert browser.get("config").status_code == 200


def test_serving_beyond_loopback_without_a_token_exits_with_one_line(seeded):
    shown = CliRunner().invoke(cli, ["serve", "--index", str(seeded.settings.index_dir), "--host", "0.0.0.0"])
    assert shown.exit_code == 1
    [line] = shown.output.strip().splitlines()
    assert line.startswith("Error: serving on 0.0.0.0 would let anyone") and "QA_AUTH_TOKEN" in line
    app = subprocess.run(
        [str(REPO / ".venv/bin/python"), "app.py"],
        cwd=REPO,
        env={"QA_HOST": "0.0.0.0", "QA_INDEX_DIR": str(seeded.settings.index_dir), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert app.returncode == 1 and "QA_AUTH_TOKEN" in app.stderr and "Traceback" not in app.stderr


def test_a_token_or_allowing_anonymous_use_lets_the_server_start_beyond_loopback():
    for allowed in (Settings(host="0.0.0.0", auth_token=TOKEN), Settings(host="0.0.0.0", allow_anonymous=True)):
        check_exposure(allowed)
    for loopback in ("127.0.0.1", "localhost", "::1"):
        check_exposure(Settings(host=loopback))
    with pytest.raises(Unprotected):
        check_exposure(Settings(host="192.168.1.20"))


def test_the_openai_compatible_api_needs_the_token_and_answers_with_it(url):
    for key in ("", "not-the-token"):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        refused = httpx.post(url + "v1/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]}, headers=headers)
        assert refused.status_code == 401 and refused.json()["error"]["type"] == "authentication_error"
    assert httpx.get(url + "api/articles").status_code == 401
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=url + "v1", api_key="not-the-token", max_retries=0).models.list()
    client = openai.OpenAI(base_url=url + "v1", api_key=TOKEN, max_retries=0)
    reply = client.chat.completions.create(model="qa", messages=[{"role": "user", "content": SEED_QUESTION}])
    assert "Witkoff" in reply.choices[0].message.content
    assert httpx.get(url + "healthz").json()["status"] == "ok"


def test_a_proxys_basic_login_leaves_the_chat_to_its_own_login_and_the_api_closed(url):
    basic = {"Authorization": "Basic cmVhZGVyOnNlY3JldA=="}
    page = httpx.get(url, headers=basic)
    assert page.status_code == 200 and "Ask the news archive" not in page.text
    assert httpx.get(url + "v1/models", headers=basic).status_code == 401
