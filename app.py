"""The web chat: `python app.py` serves it on QA_HOST:QA_PORT (default 127.0.0.1:7860), as `qa serve` does."""

from qa.cli import main

if __name__ == "__main__":
    main(["serve"])
