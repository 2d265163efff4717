"""Files the tests upload: a valid one-pixel PNG, and a Windows executable that the desk's
checks must refuse whatever name or type it claims; `upload` posts one as a browser
does, `make_attachment` stores one on a ticket as an upload would have."""

import base64

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.models import Attachment

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode."


def upload(name, content, content_type="application/octet-stream") -> SimpleUploadedFile:
    """A file as a browser posts it."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_attachment(ticket, *, name="pantalla.png", content=PNG, message=None, is_internal=False) -> Attachment:
    """A PNG attachment of `ticket` (of `message` if given), its file in the storage."""
    attachment = Attachment(
        ticket=ticket,
        message=message,
        original_name=name,
        content_type="image/png",
        size=len(content),
        is_internal=is_internal,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment
