"""The result as a PDF: the page's own content rendered by WeasyPrint, offline.

The renderer reads files from the package's static folder and nothing else: a firm's
name or any other answer reaches the template escaped, and even a URL that got into the
HTML some other way is refused here rather than fetched (no request ever leaves the
server while a PDF is drawn, and no local file outside static/ is read). The fonts are
the package's own DejaVu Sans (static/fonts/), so Vietnamese renders the same on every
server whatever fonts it has installed.
"""

from __future__ import annotations

import logging
import mimetypes
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)


class StaticOnly(URLFetcher):
    """Serves ``file:`` URLs inside ``root`` and refuses every other URL."""

    def __init__(self, root: Path):
        super().__init__(allowed_protocols=("file",))
        self.root = root.resolve()
        #: What was served (paths relative to ``root``) and refused, for the logs and tests.
        self.served: list[str] = []
        self.refused: list[str] = []

    def _path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    def fetch(self, url, headers=None):
        path = self._path(url)
        if path is None:
            self.refused.append(url)
            # WeasyPrint catches this, logs it and leaves the resource out.
            raise ValueError(f"not fetched: only the package's static files are ({url[:200]})")
        self.served.append(path.relative_to(self.root).as_posix())
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})


def render(html: str, static_folder: str | Path) -> tuple[bytes, StaticOnly]:
    """(PDF bytes, the fetcher that served it) of ``html``, whose relative URLs are files
    in ``static_folder``."""
    root = Path(static_folder).resolve()
    fetcher = StaticOnly(root)
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=fetcher)
    pdf = document.write_pdf()
    if fetcher.refused:
        log.warning("result PDF: refused to fetch %d URL(s)", len(fetcher.refused))
    return pdf, fetcher


def file_name(firm_name: str | None, wave_year: int | None = None) -> str:
    """A download name safe on every system: the firm's name in ASCII letters, digits and
    hyphens (Vietnamese letters without their marks, đ as d), at most 60 characters."""
    text = (firm_name or "").replace("đ", "d").replace("Đ", "D")
    ascii_name = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].rstrip("-")
    parts = ["ket-qua", slug or "doanh-nghiep"]
    if wave_year:
        parts.append(str(wave_year))
    return "-".join(parts) + ".pdf"
