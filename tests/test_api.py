"""The HTTP API beside the chat, used through the real `openai` client and plain HTTP against the
app served on 127.0.0.1: completions plain and streamed, conversations, filters, errors in
OpenAI's shape with the CLI's words, search, ask, articles and health."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version

import httpx
import openai
import pytest
from click.testing import CliRunner

from qa import Archive
from qa.cli import cli

from conftest import SEED_QUESTION, free_port
from webapp import serving

VERSION = version("qa")


@pytest.fixture(scope="module")
def url(seeded):
    with serving(seeded) as url:
        yield url


@pytest.fixture(scope="module")
def client(url):
    return openai.OpenAI(base_url=url + "v1", api_key="unused", max_retries=0)


def ask(client: openai.OpenAI, question: str, **extra: object) -> object:
    return client.chat.completions.create(model="qa", messages=[{"role": "user", "content": question}], extra_body=extra or None)


def cli_error(*args: str, env: dict[str, str] | None = None) -> str:
    shown = CliRunner().invoke(cli, list(args), env=env)
    assert shown.exit_code == 1
    return shown.output.strip().removeprefix("Error: ")


def test_the_seed_question_is_answered_with_a_citation_plain_and_streamed_alike(client, seeded):
    plain = ask(client, SEED_QUESTION)
    content = plain.choices[0].message.content
    assert "Witkoff" in content and "[1]" in content and "**Sources**" in content
    assert plain.refused is False
    seed = plain.citations[0]
    assert seed["path"].endswith(".txt") and "Witkoff" in seed["quote"]
    assert plain.citations == seeded.ask(SEED_QUESTION).to_dict()["citations"]

    chunks = list(client.chat.completions.create(model="qa", messages=[{"role": "user", "content": SEED_QUESTION}], stream=True))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert streamed == content
    assert chunks[-1].choices[0].finish_reason == "stop" and chunks[-1].citations == plain.citations


def test_a_follow_up_in_a_three_message_conversation_is_answered_in_its_context(client):
    first = ask(client, SEED_QUESTION).choices[0].message.content
    follow_up = "And what did he call the meeting?"
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": SEED_QUESTION},
        {"role": "assistant", "content": first},
        {"role": "user", "content": follow_up},
    ]
    in_context = client.chat.completions.create(model="qa", messages=messages)
    alone = ask(client, follow_up)
    assert "Putin described the meeting" in in_context.citations[0]["quote"]
    assert "Putin described the meeting" not in alone.citations[0]["quote"]


def test_filters_in_the_body_narrow_the_search_and_a_refusal_is_a_normal_reply(client):
    kept = ask(client, SEED_QUESTION, since="2025-12-01", until="2025-12-31", k=3)
    assert not kept.refused and "Witkoff" in kept.choices[0].message.content

    refused = ask(client, SEED_QUESTION, since="2025-12-08")
    assert refused.refused is True and refused.citations == []
    assert refused.refusal_reason["code"] == "filtered_out"
    assert refused.choices[0].message.content == refused.refusal_reason["reason"]

    harbour = ask(client, "How many cables did engineers replace?", sources=["Coastal Courier"])
    assert "412" in harbour.choices[0].message.content


def test_errors_come_in_openais_shape_with_the_clis_words(client, seeded, url):
    index = str(seeded.settings.index_dir)
    cases = {
        "a bad filter": ({"since": "yesterday"}, SEED_QUESTION, ["--since", "yesterday"]),
        "an unknown outlet": ({"sources": ["Daily Nowhere"]}, SEED_QUESTION, ["--source", "Daily Nowhere"]),
        "a question too long": ({}, "why " * 600, []),
    }
    for name, (extra, question, flags) in cases.items():
        with pytest.raises(openai.BadRequestError) as raised:
            ask(client, question, **extra)
        body = raised.value.body
        assert body["type"] == "invalid_request_error", name
        assert body["message"] == cli_error("ask", question, "--index", index, *flags), name

    with pytest.raises(openai.NotFoundError) as raised:
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": SEED_QUESTION}])
    assert "models: qa" in raised.value.body["message"]
    no_question = httpx.post(url + "v1/chat/completions", json={"messages": [{"role": "assistant", "content": "hi"}]})
    assert (
        no_question.status_code == 400
        and no_question.json()["error"]["message"] == "the last message must be the user's question"
    )
    malformed = httpx.post(url + "v1/chat/completions", json={"messages": "hello"})
    assert malformed.status_code == 400 and malformed.json()["error"]["message"].startswith("messages:")


def test_an_empty_folder_is_a_404_with_the_clis_words_and_a_healthy_zero(tmp_path):
    empty = Archive(tmp_path / "nothing")
    with serving(empty) as url:
        client = openai.OpenAI(base_url=url + "v1", api_key="unused", max_retries=0)
        with pytest.raises(openai.NotFoundError) as raised:
            ask(client, SEED_QUESTION)
        assert raised.value.body["message"] == "no index at the index folder; run `qa ingest` first"
        assert httpx.get(url + "healthz").json() == {"status": "ok", "articles": 0, "version": VERSION}


def test_a_dead_llm_server_is_a_502_with_the_clis_message(seeded):
    dead = f"http://127.0.0.1:{free_port()}/v1"
    settings = {"llm_base_url": dead, "llm_api_key": "sk-test", "llm_max_retries": 0}
    with serving(seeded, **settings) as url:
        client = openai.OpenAI(base_url=url + "v1", api_key="unused", max_retries=0)
        assert [m.id for m in client.models.list()] == ["qa", "qa-llm"]
        with pytest.raises(openai.APIStatusError) as raised:
            client.chat.completions.create(model="qa-llm", messages=[{"role": "user", "content": SEED_QUESTION}])
    env = {"QA_LLM_BASE_URL": dead, "QA_LLM_API_KEY": "sk-test", "QA_LLM_MAX_RETRIES": "0"}
    expected = cli_error("ask", SEED_QUESTION, "--index", str(seeded.settings.index_dir), "--answerer", "llm", env=env)
    assert raised.value.status_code == 502 and raised.value.body["message"] == expected


def test_twenty_concurrent_completions_are_all_answered_right(client):
    with ThreadPoolExecutor(20) as pool:
        replies = list(pool.map(lambda _: ask(client, SEED_QUESTION), range(20)))
    assert all("Witkoff" in r.choices[0].message.content and r.citations for r in replies)


def test_models_search_ask_articles_health_and_the_openapi_page(client, url, seeded):
    assert [m.id for m in client.models.list()] == ["qa"]

    found = httpx.post(url + "v1/search", json={"query": SEED_QUESTION, "k": 2}).json()
    assert len(found["data"]) == 2 and "Witkoff" in found["data"][0]["text"] and found["refusal_reason"] is None

    asked = httpx.post(url + "api/ask", json={"question": SEED_QUESTION}).json()
    printed = CliRunner().invoke(cli, ["ask", SEED_QUESTION, "--index", str(seeded.settings.index_dir), "--json"]).output
    assert asked == json.loads(printed)

    listed = httpx.get(url + "api/articles").json()
    assert listed["total"] == len(seeded.articles()) == 4
    harbour = httpx.get(url + "api/articles", params={"q": "harbour"}).json()["data"]
    assert [a["source"] for a in harbour] == ["Coastal Courier"]
    article = httpx.get(url + "api/articles/" + harbour[0]["id"]).json()
    assert article["url"] == "https://courier.example/harbour-bridge" and "412 corroded cables" in article["text"]
    missing = httpx.get(url + "api/articles/no-such-article")
    assert missing.status_code == 404 and "no article 'no-such-article'" in missing.json()["error"]["message"]

    assert httpx.get(url + "healthz").json() == {"status": "ok", "articles": 4, "version": VERSION}
    spec = httpx.get(url + "openapi.json").json()
    assert {"/v1/chat/completions", "/v1/models", "/v1/search", "/api/ask", "/api/articles", "/healthz"} <= set(spec["paths"])
    assert httpx.get(url + "docs").status_code == 200


def test_odd_requests_get_clear_answers_in_openais_shape(client, url):
    unknown = httpx.get(url + "v1/completions")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_url"
    post = url + "v1/chat/completions"
    broken = httpx.post(post, content=b"{", headers={"content-type": "application/json"})
    assert broken.status_code == 400 and broken.json()["error"]["message"] == "the request body is not valid JSON"
    empty = httpx.post(post)
    assert empty.status_code == 400 and empty.json()["error"]["message"] == "the request has no JSON body"
    typed = httpx.post(post, json={"messages": [{"role": "user", "content": 5}]}).json()["error"]
    assert typed["param"] == "messages.0.content" and "str" not in typed["message"].split(":")[0]
    flag = httpx.post(post, json={"messages": [{"role": "user", "content": SEED_QUESTION}], "k": True})
    assert flag.status_code == 400 and flag.json()["error"]["param"] == "k"
    tool_last = [{"role": "user", "content": SEED_QUESTION}, {"role": "tool", "content": "42"}]
    assert httpx.post(post, json={"messages": tool_last}).status_code == 400

    body = b'{"messages": [{"role": "user", "content": "Who traveled to Moscow \\ud800 for talks with Putin?"}]}'
    untyped = httpx.post(post, content=body)
    assert untyped.status_code == 400 and "Content-Type: application/json" in untyped.json()["error"]["message"]
    surrogate = httpx.post(post, content=body, headers={"content-type": "application/json"})
    assert surrogate.status_code == 200 and "Witkoff" in surrogate.json()["choices"][0]["message"]["content"]
    repeated = ask(client, SEED_QUESTION, sources=["MENAFN"] * 5000)
    assert "Witkoff" in repeated.choices[0].message.content
    parts = [{"type": "text", "text": "Who traveled to Moscow"}, {"type": "text", "text": "for talks with Putin?"}]
    joined = client.chat.completions.create(model="qa", messages=[{"role": "user", "content": parts}])
    assert "Witkoff" in joined.choices[0].message.content

    assert client.models.retrieve("qa").id == "qa"
    refused = ask(client, SEED_QUESTION, since="2025-12-08")
    assert refused.choices[0].message.refusal == refused.refusal_reason["reason"]
    chunks = list(
        client.chat.completions.create(
            model="qa", messages=[{"role": "user", "content": SEED_QUESTION}], stream=True, stream_options={"include_usage": True}
        )
    )
    assert chunks[-1].usage is not None and chunks[-1].choices == []
    assert httpx.get(url + "api/articles/").status_code == 404


def test_the_docs_page_needs_nothing_from_other_hosts_and_other_host_names_are_refused(url):
    page = httpx.get(url + "docs").text
    assert "/docs/assets/swagger-ui-bundle.js" in page and "cdn." not in page
    assert httpx.get(url + "docs/assets/swagger-ui-bundle.js").status_code == 200
    assert httpx.get(url + "openapi.json").json()["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert httpx.get(url + "v1/models", headers={"Host": "rebound.example"}).status_code == 400


def test_a_proxys_host_name_is_answered_once_it_is_allowed(seeded):
    with serving(seeded, allowed_hosts="news.example.org, archive.example.org") as url:
        assert httpx.get(url + "v1/models", headers={"Host": "news.example.org"}).status_code == 200
        assert httpx.get(url + "v1/models", headers={"Host": "rebound.example"}).status_code == 400


def test_a_body_too_large_to_be_a_question_is_refused_before_it_is_read(url):
    huge = httpx.post(url + "v1/chat/completions", content=b"x" * (2 << 20), headers={"content-type": "application/json"})
    assert huge.status_code == 413 and huge.json()["error"]["message"] == "the request body is over 1024 KiB"

    def chunks():
        yield b'{"messages": []}'

    chunked = httpx.post(url + "api/ask", content=chunks(), headers={"content-type": "application/json"})
    assert chunked.status_code == 411
