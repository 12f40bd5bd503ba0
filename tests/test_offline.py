"""Ingest and ask work with no network and open no connection other than loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import SEED_QUESTION

TESTS = Path(__file__).parent


def run_guarded(log: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_", "GRADIO_"))}
    env |= {"NETGUARD_LOG": str(log), "PYTHONPATH": str(TESTS)}
    code = "import netguard, sys; from qa.cli import cli; cli(sys.argv[1:], prog_name='qa')"
    return subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600)


def test_ingest_and_ask_make_no_network_connection(tmp_path, corpus):
    log = tmp_path / "blocked.log"
    index = str(tmp_path / "idx")

    ingest = run_guarded(log, "ingest", str(corpus), "--index", index, "-q")
    assert ingest.returncode == 0, ingest.stderr
    ask = run_guarded(log, "ask", SEED_QUESTION, "--index", index, "--json")
    assert ask.returncode == 0, ask.stderr

    assert json.loads(ask.stdout)["citations"][0]["source"] == "MENAFN"
    assert not log.exists(), log.read_text()


def test_the_guard_really_blocks(tmp_path):
    log = tmp_path / "blocked.log"
    env = os.environ | {"NETGUARD_LOG": str(log), "PYTHONPATH": str(TESTS)}
    code = "import netguard, socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\nexcept ConnectionRefusedError:\n    pass"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert log.read_text() == "getaddrinfo 192.0.2.1\n"
