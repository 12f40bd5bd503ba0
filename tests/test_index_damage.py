"""A damaged index folder, met through the real CLI: lost or damaged local caches are rebuilt from
Chroma with a line saying so; a damaged Chroma store is one line naming `qa ingest --rebuild`,
which repairs it; a folder that can't be written to still answers, and ingest says why it can't."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa.cli import cli

from conftest import REPO, SEED_QUESTION, write_corpus


@pytest.fixture
def index(tmp_path) -> Path:
    corpus = write_corpus(tmp_path / "corpus")
    shown = CliRunner().invoke(cli, ["ingest", str(corpus), "--index", str(tmp_path / "index"), "-q"])
    assert shown.exit_code == 0, shown.output
    return tmp_path / "index"


def ask(index: Path) -> tuple[int, str]:
    shown = CliRunner().invoke(cli, ["ask", SEED_QUESTION, "--index", str(index)])
    return shown.exit_code, shown.output


def truncate(file: Path) -> None:
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])


DAMAGE = {
    "bm25 deleted": lambda index: shutil.rmtree(index / "bm25"),
    "docstore truncated": lambda index: truncate(index / "docstore.json"),
    "bm25 files garbled": lambda index: [f.write_bytes(b"\x00garbage") for f in (index / "bm25").iterdir()],
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_local_cache_is_rebuilt_from_chroma_and_the_answer_is_right(index, damage):
    damage(index)
    code, output = ask(index)
    assert code == 0 and "Witkoff" in output and "Traceback" not in output
    assert "rebuilding it from Chroma" in output
    code, output = ask(index)
    assert code == 0 and "Witkoff" in output and "rebuilding" not in output


def test_qa_ingest_repairs_a_missing_bm25_index(index, tmp_path):
    shutil.rmtree(index / "bm25")
    shown = CliRunner().invoke(cli, ["ingest", str(tmp_path / "corpus"), "--index", str(index), "-q"])
    assert shown.exit_code == 0 and (index / "bm25").is_dir()
    assert "Witkoff" in ask(index)[1]


def test_a_damaged_chroma_store_names_the_rebuild_command_which_repairs_it(index, tmp_path):
    truncate(index / "chroma" / "chroma.sqlite3")
    code, output = ask(index)
    assert code == 1 and "Traceback" not in output
    [line] = output.strip().splitlines()
    assert line.startswith("Error: the Chroma store in") and "run `qa ingest --rebuild`" in line
    shown = CliRunner().invoke(cli, ["ingest", "--rebuild", str(tmp_path / "corpus"), "--index", str(index), "-q"])
    assert shown.exit_code == 0 and "added 4," in shown.output
    assert "Witkoff" in ask(index)[1]


def without_write_permission(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a command as a process that file permissions apply to: as root, with the capabilities
    that override them dropped from its bounding set."""
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("setpriv is needed to drop root's file-permission override")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_a_read_only_index_folder_still_answers_and_ingest_says_it_cannot_write(index, tmp_path):
    qa = str(REPO / ".venv/bin/qa")
    for path in [index, *index.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        asked = without_write_permission([qa, "ask", SEED_QUESTION, "--index", str(index)])
        ingested = without_write_permission([qa, "ingest", str(tmp_path / "corpus"), "--index", str(index), "-q"])
    finally:
        for path in [index, *index.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    assert asked.returncode == 0 and "Witkoff" in asked.stdout, asked.stderr
    assert "is read-only: answering from a copy of it" in asked.stderr and "Traceback" not in asked.stderr
    assert ingested.returncode == 1 and "Traceback" not in ingested.stderr
    assert ingested.stderr.strip().splitlines()[-1].startswith(f"Error: can't write to the index folder {index}")
