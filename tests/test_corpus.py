"""Reading articles: every format, and a one-line reason for everything that can't be read."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from qa.corpus import read_articles, split_results
from qa.types import Article, Problem

from conftest import DEMO_CORPUS, SHARED


def read(path: Path) -> tuple[list[Article], list[Problem]]:
    return split_results(read_articles(path))


def test_the_demo_corpus_reads_whole_and_its_notice_is_no_article():
    articles, problems = read(DEMO_CORPUS)
    assert problems == [] and len(articles) == 51
    assert len({a.source for a in articles}) == 14 and all(a.published for a in articles)
    assert not any(a.path.endswith("NOTICE.md") for a in articles)


def test_seed_article_has_title_date_and_outlet_from_its_dateline(seed_corpus):
    [article], problems = read(seed_corpus)
    assert problems == []
    assert article.title == "European leaders are concerned US may walk away from Ukraine war"
    assert article.published == date(2025, 12, 7)
    assert article.source == "MENAFN"
    assert article.body.startswith("(MENAFN) Western European governments")
    assert article.id == article.path == "corpus/000_e4d5103e5b655136.txt"


def test_seed_header_may_start_with_a_space_or_not(tmp_path):
    (tmp_path / "a.txt").write_text("date 2024-01-02 7\nTitle A\nBody of A.\n")
    (tmp_path / "b.txt").write_text("   date 2024-01-03 99\nTitle B\nBody of B.\n")
    articles, _ = read(tmp_path)
    assert [(a.title, a.published) for a in articles] == [("Title A", date(2024, 1, 2)), ("Title B", date(2024, 1, 3))]


def test_markdown_front_matter_gives_every_field(corpus):
    [article], _ = read(corpus / "harbour.md")
    assert article.title == "Harbour bridge reopens after two-year repair"
    assert article.published == date(2024, 3, 14)
    assert article.source == "Coastal Courier"
    assert article.id == article.url == "https://courier.example/harbour-bridge"
    assert article.body.startswith("The Kelvin harbour bridge reopened")


def test_text_without_front_matter_takes_its_first_line_as_title(tmp_path):
    (tmp_path / "note.md").write_text("# Storm closes ferry line\n\nThe ferry stopped running on Monday.\n")
    [article], _ = read(tmp_path)
    assert article.title == "Storm closes ferry line"
    assert article.body == "The ferry stopped running on Monday."
    assert article.published is None


def test_json_list_records_use_body_text_or_content_and_any_date_field(corpus):
    articles, problems = read(corpus / "orchards.json")
    assert problems == []
    frost, cider = articles
    assert frost.published == date(2024, 4, 5) and frost.author == "R. Berg" and frost.category == "agriculture"
    assert cider.body.startswith("After the frost") and cider.published == date(2024, 5, 20)
    assert cider.id == "corpus/orchards.json#1"


def test_jsonl_with_a_broken_line_keeps_the_other_lines(tmp_path):
    lines = [
        json.dumps({"title": "One", "content": "First body."}),
        '{"title": "Two", "body": ',
        json.dumps({"title": "Three", "body": "Third body."}),
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n")
    articles, problems = read(tmp_path)
    assert [a.title for a in articles] == ["One", "Three"]
    assert [(p.path, p.skipped) for p in problems] == [(f"{tmp_path.name}/feed.jsonl:2", True)]
    assert "invalid JSON" in problems[0].reason


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("image.png", b"\x89PNG\r\n", "unsupported file type .png"),
        ("blob.txt", b"abc\x00def", "binary file"),
        ("latin1.txt", "date 2024-01-01 1\nCaf\xe9\nBody".encode("latin-1"), "not UTF-8"),
        ("empty.md", b"", "empty file"),
        ("blank.md", b"  \n\n", "empty file"),
        ("broken.json", b'[{"title": "x", ', "invalid JSON"),
        ("numbers.json", b"[1]", "not an object"),
        ("nobody.json", b'[{"title": "Only a title"}]', "no article body"),
        ("yaml.md", b"---\ntitle: [unclosed\n---\nBody\n", "front matter is not valid YAML"),
    ],
)
def test_bad_file_is_skipped_with_a_reason_and_the_good_one_kept(tmp_path, name, content, reason):
    (tmp_path / "good.md").write_text("Good title\nGood body.\n")
    (tmp_path / name).write_bytes(content)
    articles, problems = read(tmp_path)
    assert [a.title for a in articles] == ["Good title"]
    [problem] = problems
    assert problem.skipped and reason in problem.reason and name in problem.path
    assert "\n" not in str(problem)


def test_garbled_date_keeps_the_article_with_a_warning(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps([{"title": "T", "body": "B", "date": "the day after tomorrow"}]))
    [article], [problem] = read(tmp_path)
    assert article.published is None
    assert not problem.skipped and "not understood" in problem.reason


def test_symlink_out_of_the_folder_is_skipped(tmp_path):
    outside = tmp_path / "outside.md"
    outside.write_text("Secret\nNot part of the corpus.\n")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "link.md").symlink_to(outside)
    articles, [problem] = read(folder)
    assert articles == [] and "outside" in problem.reason


def test_missing_path_is_a_problem_not_a_crash(tmp_path):
    assert read(tmp_path / "nope") == ([], [Problem(str(tmp_path / "nope"), "no such file or folder")])


@pytest.mark.skipif(not (SHARED / "datasets/multihop-rag/corpus.json").exists(), reason="../shared not beside the repo")
def test_multihop_rag_corpus_loads_as_609_dated_articles():
    articles, problems = read(SHARED / "datasets/multihop-rag/corpus.json")
    assert problems == [] and len(articles) == 609
    assert all(a.published and date(2023, 9, 1) <= a.published <= date(2023, 12, 31) for a in articles)
    assert len({a.id for a in articles}) == 609
    assert all(a.id == a.url for a in articles)
    assert len({a.source for a in articles}) == 49


def test_only_a_capitalised_notice_is_taken_for_the_folders_documentation(tmp_path):
    (tmp_path / "NOTICE.md").write_text("# About these articles\nThey come from the Valley Times.\n")
    (tmp_path / "notice.md").write_text("Road notice\nThe valley road closes on Monday.\n")
    articles, problems = read(tmp_path)
    assert problems == [] and [a.title for a in articles] == ["Road notice"]
