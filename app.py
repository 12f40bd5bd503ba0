"""The web chat: `python app.py` serves it on QA_HOST:QA_PORT (default 127.0.0.1:7860)."""

from qa import Archive
from qa.web import build_app, launch

archive = Archive()
demo = build_app(archive)

if __name__ == "__main__":
    launch(demo, archive.settings.host, archive.settings.port)
