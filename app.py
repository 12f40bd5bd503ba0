"""The web chat: `python app.py` serves it on QA_HOST:QA_PORT (default 127.0.0.1:7860)."""

import os

from qa import Archive
from qa.web import build_app, launch

demo = build_app(Archive())

if __name__ == "__main__":
    launch(demo, os.environ.get("QA_HOST", "127.0.0.1"), int(os.environ.get("QA_PORT", "7860")))
