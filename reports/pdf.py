"""HTML → PDF with WeasyPrint (the only module that imports it), fetching local files only."""

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def allowed_roots() -> list[Path]:
    """The project's static directories: the only files a report may pull in."""
    return [Path(root).resolve() for root in settings.STATICFILES_DIRS]


class LocalOnlyFetcher(URLFetcher):
    """Refuses anything but data: URIs and files under the project's static directories."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, **kwargs)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if not any(path.is_relative_to(root) for root in allowed_roots()):
                raise ValueError(f"A report may only use the project's static files, not {url}")
        elif scheme != "data":
            raise ValueError(f"A report may not fetch {url}")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class PdfResult:
    content: bytes
    page_count: int


def html_to_pdf(html: str) -> PdfResult:
    base = allowed_roots()[0] if allowed_roots() else Path(settings.BASE_DIR)
    document = HTML(
        string=html, base_url=base.as_uri() + "/", url_fetcher=LocalOnlyFetcher()
    ).render()
    return PdfResult(content=document.write_pdf(), page_count=len(document.pages))


def weasyprint_only(html: str) -> bytes:
    """WeasyPrint's own conversion of the HTML, nothing else: the benchmark's yardstick."""
    base = allowed_roots()[0] if allowed_roots() else Path(settings.BASE_DIR)
    return HTML(
        string=html, base_url=base.as_uri() + "/", url_fetcher=LocalOnlyFetcher()
    ).write_pdf()
