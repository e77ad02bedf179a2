"""Downloading PDFs from arXiv, politely: one request at a time, arxiv_delay seconds apart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from papercli.core.listing import Outcome
from papercli.core.session import Session
from papercli.errors import SourceError, UpstreamError
from papercli.models import file_stem
from papercli.store.files import file_mode, set_mode

PDF_LIMIT = 200 * 1024 * 1024  # the largest PDF download accepted


def pdf_path(directory: Path, paper_id: str) -> Path:
    """Where ``download`` saves a paper: ``2606.13392.pdf``, ``hep-th_9901001.pdf``."""
    return directory / f"{file_stem(paper_id)}.pdf"


def download(session: Session, ids: Sequence[str], directory: Path, *, force: bool) -> Outcome:
    """Save PDFs from arXiv, one request at a time and arxiv_delay apart, as arXiv asks."""
    outcome = Outcome()
    base = session.settings["network.arxiv_pdf_url"]
    for number, paper_id in enumerate(ids, 1):
        target = pdf_path(directory, paper_id)
        if target.exists() and not force:
            session.info(f"{target} exists; skipped (--force to download again)")
            continue
        url = f"{base}/pdf/{paper_id}"
        mode = file_mode(target, private=False)  # before the download replaces it
        try:
            session.client().download(
                url,
                target,
                source="arXiv PDF",
                max_bytes=PDF_LIMIT,
                pace="arxiv",
                progress=lambda done, total, n=number: session.progress(
                    f"PDF {n}/{len(ids)}", done, total or done
                ),
            )
        except SourceError as exc:
            outcome.failures.append(exc)
            session.warn(str(exc))
            continue
        with target.open("rb") as handle:
            is_pdf = handle.read(5) == b"%PDF-"
        if not is_pdf:
            target.unlink()
            error = UpstreamError(
                f"arXiv sent something that is not a PDF for {paper_id} (not available yet?)",
                source="arXiv PDF",
                url=url,
            )
            outcome.failures.append(error)
            session.warn(str(error))
            continue
        set_mode(target, mode)  # the client writes 0600 temp files; a PDF is no secret
        session.info(f"saved {target}")
    return outcome
