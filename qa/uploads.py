"""Article uploads from people the server does not know: what they may add, and where it is kept.

Uploaded files are kept in the index folder's `uploads/` and ingested from there. An upload is
checked before it is kept: uploads must be on (QA_UPLOADS), within the size, count and folder
quota limits, readable as articles, and must not carry the id (the url) of an article that came
from anywhere else, which it would silently replace. A file that fails any check, or fails to
ingest, is not kept; a file already uploaded is not kept again; two different uploads with the
same name are both kept, the second renamed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from qa.archive import Archive
from qa.corpus import SUPPORTED_SUFFIXES, read_articles
from qa.errors import IndexNotFound, UploadRejected
from qa.types import Article, IngestReport, Meta, Problem


def add_uploads(archive: Archive, files: Sequence[Path]) -> IngestReport:
    """Check, keep and ingest uploaded files (each named as the uploader named it); a rejected
    file is a skipped Problem of the report. Raises UploadRejected when uploads are off or the
    request holds too many files."""
    settings = archive.settings
    if settings.uploads == "off":
        raise UploadRejected("uploads are turned off on this server (QA_UPLOADS=off)")
    if len(files) > settings.max_upload_files:
        raise UploadRejected(f"{len(files)} files in one upload; the limit is {settings.max_upload_files} (QA_MAX_UPLOAD_FILES)")
    folder = settings.uploads_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    except OSError as error:
        raise UploadRejected(f"the index folder can't take uploads ({error.strerror or type(error).__name__})") from None
    rejected: list[Problem] = []
    added: list[Path] = []
    used = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    owners = _owners(archive, folder)
    try:
        for file in files:
            problem = _check(file, settings.max_upload_mb, used, settings.upload_quota_mb)
            if problem is None:
                staged = staging / file.name
                shutil.copyfile(file, staged)
                problem = _same_as_kept(staged, file.name, folder) or _check_articles(staged, file.name, owners, folder)
                if problem is None:
                    used += staged.stat().st_size
                    added.append(_free_name(folder, file.name))
                    staged.replace(added[-1])
            if problem is not None:
                rejected.append(problem)
        report = archive.ingest([folder], progress=True)
    except BaseException:
        for file in added:
            file.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    mine = {str(file.resolve()) for file in added}
    report.problems = [*rejected, *(p for p in report.problems if p.file in mine)]
    for problem in report.problems:
        if problem.skipped and problem.file in mine:
            Path(problem.file).unlink(missing_ok=True)
    return report


def _check(file: Path, max_mb: float, used: int, quota_mb: float) -> Problem | None:
    """Why a file can't be taken by its name and size, or None."""
    name = file.name
    if name.startswith(".") or name != Path(name).name:
        return Problem(name, "not a plain file name")
    if file.suffix.lower() not in SUPPORTED_SUFFIXES:
        return Problem(name, f"unsupported file type; expected one of {', '.join(SUPPORTED_SUFFIXES)}")
    size = file.stat().st_size
    if size > max_mb * 2**20:
        return Problem(name, f"{size / 2**20:.1f} MiB, over the {max_mb:g} MiB limit for one file (QA_MAX_UPLOAD_MB)")
    if used + size > quota_mb * 2**20:
        return Problem(name, f"the uploads folder would pass its {quota_mb:g} MiB quota (QA_UPLOAD_QUOTA_MB)")
    return None


def _check_articles(staged: Path, name: str, owners: dict[str, str], folder: Path) -> Problem | None:
    """Why a staged file can't be kept as articles (it can't be read, or an article in it has the
    id of one that came from elsewhere or from another upload), or None."""
    articles = []
    for item in read_articles(staged):
        if isinstance(item, Problem):
            if item.skipped:
                return Problem(name, item.reason)
        else:
            articles.append(item)
    for article in articles:
        owner = owners.get(article.id)
        if owner is not None and Path(owner).parent != folder.resolve():
            return Problem(name, f"{_named(article)} is already in the archive from elsewhere; an upload cannot replace it")
        if owner is not None:
            return Problem(name, f"{_named(article)} was already uploaded as {Path(owner).name}")
    return None


def _same_as_kept(staged: Path, name: str, folder: Path) -> Problem | None:
    """A Problem when a file with the same bytes was uploaded before, or None."""
    size = staged.stat().st_size
    data = staged.read_bytes()
    for kept in folder.iterdir():
        if kept.is_file() and kept.stat().st_size == size and kept.read_bytes() == data:
            return Problem(name, f"the same file was already uploaded as {kept.name}")
    return None


def _named(article: Article) -> str:
    return f"the article with url {article.url}" if article.url else f"the article {article.id}"


def _owners(archive: Archive, folder: Path) -> dict[str, str]:
    """The file each article in the index was read from, by article id."""
    try:
        docs = archive.index.docstore.docs
    except IndexNotFound:
        return {}
    return {doc_id: str(doc.metadata.get(Meta.FILE, "")) for doc_id, doc in docs.items()}


def _free_name(folder: Path, name: str) -> Path:
    """`name` in the folder, or `stem-2.suffix`, `stem-3.suffix`, ... when it is taken; created
    empty at once, so that two uploads at the same time never get the same name."""
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1, 10_000):
        target = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        try:
            os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            continue
        return target
    raise UploadRejected(f"too many uploads named {name}")
