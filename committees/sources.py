"""How a record's source is shown to the public: the article's title or its URL.

`source` holds a URL, or the file name of a seed article (an internal name no reader should
see). The seed file maps each file name to its article's title; any other bare file name is
withheld rather than shown.
"""

import json
import re
from functools import cache
from pathlib import Path

from django.conf import settings

_FILE_NAME = re.compile(r"^[\w.-]+\.(txt|json|pdf|docx?|xlsx?|csv|html?|md)$", re.IGNORECASE)


@cache
def _article_titles() -> dict[str, str]:
    # The articles' titles live with the demo data (demo/seeds/), each record citing one.
    candidates = sorted(Path(settings.BASE_DIR).glob("*/seeds/hcmc_articles.json"))
    for path in candidates:
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            return {name: meta.get("title", "") for name, meta in data.get("sources", {}).items()}
    return {}


def is_url(source: str) -> bool:
    return (source or "").startswith(("http://", "https://"))


def source_label(source: str | None) -> str:
    """The article's title for a seed file name, the URL for a URL, free text as written;
    empty for an unknown internal file name."""
    source = (source or "").strip()
    if not source or is_url(source):
        return source
    title = _article_titles().get(source)
    if title:
        return title
    if _FILE_NAME.match(source):
        return ""
    return source
