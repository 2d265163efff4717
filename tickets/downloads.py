"""The one response that hands out an attachment, to agents and to requesters alike.

Each view checks first who may see which file (its own scope); this module only says how
a file leaves the desk: as a download the browser neither sniffs nor runs, nor caches."""

from __future__ import annotations

from django.http import FileResponse

from .models import Attachment

# Even if a browser renders the file instead of saving it, it runs nothing.
DOWNLOAD_CSP = "default-src 'none'; sandbox"


def attachment_download(attachment: Attachment) -> FileResponse | None:
    """The file as a download, or None when its stored file is gone (each side says
    "not found" in its own way)."""
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        return None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    # Private files: no shared cache keeps them, no browser stores them.
    response["Cache-Control"] = "no-store, private, max-age=0"
    return response
