"""Assemble the report's pages into one PDF in memory, with fixed metadata (reproducible bytes)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

#: fixed CreationDate / ModDate: the same configuration and seed give the same metadata
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def render_pdf(pages: Sequence[Figure], *, title: str, subject: str) -> bytes:
    """The PDF (as bytes) with one page per figure, page numbers in the footer.

    The document information dictionary is fixed (title, subject, creator, creation and
    modification dates), so the bytes depend only on the pages' content.
    """
    buffer = io.BytesIO()
    metadata = {
        "Title": title,
        "Subject": subject,
        "Author": "ltadmm-verify",
        "Creator": "ltadmm-verify report",
        "CreationDate": FIXED_DATE,
        "ModDate": FIXED_DATE,
    }
    with PdfPages(buffer, metadata=metadata) as pdf:
        for number, fig in enumerate(pages, start=1):
            fig.text(0.5, 0.018, f"{number} / {len(pages)}", ha="center", fontsize=8,
                     color="#555555")
            pdf.savefig(fig)
    return buffer.getvalue()
