"""Making a report's PDF: WeasyPrint on the report's HTML, its images handed over from memory.

A local protection plan has two images per analysed space (about a hundred on Helsinki). Written
into the HTML as base64 `data:` URIs they made it 14 MB for WeasyPrint to parse and decode; here
each image is named by a short URL (`report-image:N`, `ReportImages`) and given to WeasyPrint by
`_ReportFetcher`, which fetches nothing else: a report never reaches the network or the disk,
whatever its text holds. `data:` URIs (an investment plan's frontier chart) are still read.

Making a report allocates millions of short-lived objects (the analyses' JSON, the figures, the
boxes of the layout) while keeping many alive; `fewer_collections` spaces out the automatic
garbage collections meanwhile, which walked all of them again and again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

IMAGE_SCHEME = "report-image"
# Thresholds of the garbage collector while a report is made (CPython's default is 700, 10, 10): a
# collection of the youngest objects every 100,000 allocations instead of 700. Measured on Helsinki
# (53 spaces), the collector took about a fifth of the time to build the HTML. Reference cycles, the
# figures' among them, are still collected: the peak memory of that plan did not grow (460 MB).
REPORT_GC_THRESHOLDS = (100_000, 50, 100)


@dataclass
class ReportImages:
    """The PNG images of one report, by the URL its HTML names them with."""

    pngs: dict[str, bytes] = field(default_factory=dict)
    _urls: dict[bytes, str] = field(default_factory=dict)

    def add(self, png: bytes) -> str:
        """The URL of the image `png`: the same for the same image, which the PDF then holds once."""
        url = self._urls.get(png)
        if url is None:
            url = self._urls[png] = f"{IMAGE_SCHEME}:{len(self.pngs)}"
            self.pngs[url] = png
        return url


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the block with the collector's thresholds at `REPORT_GC_THRESHOLDS`, then put them back."""
    before = gc.get_threshold()
    gc.set_threshold(*REPORT_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _fetcher(images: ReportImages) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _ReportFetcher(URLFetcher):  # type: ignore[misc]
        """The report's own images and `data:` URIs; any other URL is refused (WeasyPrint logs it)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            png = images.pngs.get(url)
            if png is not None:
                return URLFetcherResponse(url, png, {"Content-Type": "image/png"})
            if url.startswith("data:"):
                return super().fetch(url, headers)
            msg = f"a report reads only its own images, not {url[:80]!r}"
            raise ValueError(msg)

    return _ReportFetcher()


@dataclass(frozen=True)
class MadePdf:
    content: bytes
    pages: int


def pdf_of(html: str, images: ReportImages | None = None) -> MadePdf:
    """The PDF WeasyPrint makes of a report's HTML and its images, and how many pages it has."""
    from weasyprint import HTML

    with fewer_collections():
        document = HTML(string=html, url_fetcher=_fetcher(images or ReportImages())).render()
        content: bytes = document.write_pdf()
    return MadePdf(content=content, pages=len(document.pages))
