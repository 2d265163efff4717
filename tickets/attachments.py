"""Files attached to a ticket, from every channel: their checks, the form field and the
form that carry them, the upload limits of the views that receive them, and their storage
(the `Attachment` rows of tickets.models).

The checks: size, count, and type judged by content. The extension a person sees must
agree with what the bytes are: an executable renamed "factura.pdf" is refused. The
client's file name is only ever a display name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import wraps
from pathlib import PurePosixPath

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from helpdesk.validation import TextField

from .models import Attachment, Message, Ticket

MAX_FILES = 10
HEADER_BYTES = 8192
TEXT_EXTENSIONS = {"txt": "text/plain", "log": "text/plain", "csv": "text/csv"}
OFFICE_ZIP_EXTENSIONS = {"docx", "xlsx", "pptx"}

# extension → the MIME types filetype may detect for it, and how to name it in an error.
ALLOWED_TYPES = {
    "png": ({"image/png"}, gettext_lazy("una imagen PNG válida")),
    "jpg": ({"image/jpeg"}, gettext_lazy("una imagen JPEG válida")),
    "jpeg": ({"image/jpeg"}, gettext_lazy("una imagen JPEG válida")),
    "gif": ({"image/gif"}, gettext_lazy("una imagen GIF válida")),
    "webp": ({"image/webp"}, gettext_lazy("una imagen WebP válida")),
    "pdf": ({"application/pdf"}, gettext_lazy("un PDF válido")),
    "docx": (
        {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
        gettext_lazy("un documento de Word válido"),
    ),
    "xlsx": (
        {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
        gettext_lazy("una hoja de Excel válida"),
    ),
    "pptx": (
        {"application/vnd.openxmlformats-officedocument.presentationml.presentation"},
        gettext_lazy("una presentación de PowerPoint válida"),
    ),
    "doc": ({"application/msword"}, gettext_lazy("un documento de Word válido")),
    "xls": ({"application/vnd.ms-excel", "application/msword"}, gettext_lazy("una hoja de Excel válida")),
    "zip": ({"application/zip"}, gettext_lazy("un archivo ZIP válido")),
    "mp4": ({"video/mp4"}, gettext_lazy("un vídeo MP4 válido")),
    "webm": ({"video/webm"}, gettext_lazy("un vídeo WebM válido")),
}
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in [*ALLOWED_TYPES, *TEXT_EXTENSIONS])


@dataclass(frozen=True)
class CheckedFile:
    upload: object  # the UploadedFile
    display_name: str
    content_type: str
    size: int


def display_name(raw: str | None) -> str:
    """The client's name reduced to something safe to show: its last path part, without
    control or direction-override characters, at most 255 characters, extension kept."""
    name = (raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")).strip()
    if not name.strip("."):
        name = "archivo"
    if len(name) > 255:
        suffix = PurePosixPath(name).suffix[:16]
        name = name[: 255 - len(suffix)] + suffix
    return name


def format_size(size: int) -> str:
    """Bytes as people read them in a message: "10 MB", "1,5 MB", "512 KB"."""
    if size >= 1024 * 1024:
        value, unit = size / (1024 * 1024), "MB"
    else:
        value, unit = size / 1024, "KB"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text.replace('.', ',')} {unit}"


def _read_head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(HEADER_BYTES)
    upload.seek(0)
    return head


def _is_text(upload) -> bool:
    """Plain text or a log: no NUL byte, and readable as UTF-8 or Latin-1."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - Latin-1 maps every byte
            return False
    return True


def _detect(upload, name: str, extension: str) -> str:
    """The content type by content, or ValidationError when it is not allowed or
    does not match the extension."""
    if extension in TEXT_EXTENSIONS:
        # A known binary signature disguised as text is refused before decoding.
        if filetype.guess(_read_head(upload)) is None and _is_text(upload):
            return TEXT_EXTENSIONS[extension]
        raise ValidationError(
            _("El archivo «%(name)s» no es un archivo de texto válido.") % {"name": name}, code="bad_content"
        )
    expected, kind = ALLOWED_TYPES[extension]
    guess = filetype.guess(_read_head(upload))
    detected = guess.mime if guess else None
    if detected in expected:
        return detected
    # Office documents are ZIP archives; some generators confuse filetype's sniffing.
    if extension in OFFICE_ZIP_EXTENSIONS and detected == "application/zip":
        return next(iter(expected))
    raise ValidationError(
        _("El archivo «%(name)s» no es %(kind)s.") % {"name": name, "kind": kind}, code="bad_content"
    )


def check_files(uploads) -> list[CheckedFile]:
    """Check every file; raise one ValidationError listing every problem found."""
    uploads = list(uploads)
    max_file = settings.HELPDESK_MAX_ATTACHMENT_BYTES
    max_total = settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES
    errors: list[ValidationError] = []
    if len(uploads) > MAX_FILES:
        raise ValidationError(
            _("Puede adjuntar como máximo %(max)d archivos; eligió %(count)d.") % {"max": MAX_FILES, "count": len(uploads)},
            code="too_many",
        )
    checked = []
    for upload in uploads:
        name = display_name(getattr(upload, "name", ""))
        extension = PurePosixPath(name).suffix.lower().lstrip(".")
        if upload.size == 0:
            errors.append(ValidationError(_("El archivo «%(name)s» está vacío.") % {"name": name}, code="empty"))
            continue
        if upload.size > max_file:
            errors.append(
                ValidationError(
                    _("El archivo «%(name)s» pesa %(size)s; el máximo por archivo es %(max)s.")
                    % {"name": name, "size": format_size(upload.size), "max": format_size(max_file)},
                    code="too_big",
                )
            )
            continue
        if extension not in ALLOWED_TYPES and extension not in TEXT_EXTENSIONS:
            errors.append(
                ValidationError(
                    _(
                        "No se aceptan archivos como «%(name)s». Puede adjuntar imágenes (PNG, JPG, GIF, WebP), "
                        "PDF, Word, Excel, PowerPoint, ZIP, vídeo (MP4, WebM) y texto (TXT, LOG, CSV)."
                    )
                    % {"name": name},
                    code="type_not_allowed",
                )
            )
            continue
        try:
            content_type = _detect(upload, name, extension)
        except ValidationError as error:
            errors.append(error)
            continue
        checked.append(CheckedFile(upload=upload, display_name=name, content_type=content_type, size=upload.size))
    total = sum(upload.size for upload in uploads)
    if total > max_total:
        errors.append(
            ValidationError(
                _("Los archivos suman %(size)s; el máximo por reporte es %(max)s.")
                % {"size": format_size(total), "max": format_size(max_total)},
                code="total_too_big",
            )
        )
    if errors:
        raise ValidationError(errors)
    return checked


# Room for the text fields that travel with the files in one multipart body.
FORM_FIELDS_ALLOWANCE = 1024 * 1024


def upload_body_limit() -> int:
    """The largest multipart body a form with attachments may send, in bytes."""
    return settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES + FORM_FIELDS_ALLOWANCE


class AttachmentLimitUploadHandler(FileUploadHandler):
    """Stops a multipart body that cannot fit the attachment limits before it is read.

    A declared Content-Length above the limit is refused at the first file, so the text
    fields that precede the files are kept and nothing of the files is read; a body that
    lies about its length is stopped as soon as its files pass the limit. The request is
    marked (``request.upload_too_large``) for the view, which answers 413 with the form.
    Each file's own limit and the total are then checked by `check_files` with names.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = upload_body_limit()
        self.received = 0
        self.too_large = False

    def _refuse(self):
        self.too_large = True
        if self.request is not None:
            self.request.upload_too_large = True
        raise StopUpload(connection_reset=True)

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.too_large = content_length > self.limit
        if self.too_large and self.request is not None:
            self.request.upload_too_large = True
        return None  # the ordinary parser goes on with the text fields

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        if self.too_large:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._refuse()
        return raw_data  # the next handler stores it

    def file_complete(self, file_size):
        return None  # the next handler makes the file


def attachment_limits() -> dict:
    """The limits as people read them, for help texts and error messages."""
    return {
        "file": format_size(settings.HELPDESK_MAX_ATTACHMENT_BYTES),
        "total": format_size(settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES),
        "count": MAX_FILES,
    }


def limit_uploads(view):
    """Decorate a view that receives attachments so that oversized bodies stop early.

    Upload handlers must be in place before anything reads ``request.POST``, and the CSRF
    middleware reads it before the view: so the view is exempted there and protected here,
    after the handler is installed (Django's "Modifying upload handlers on the fly").
    """
    protected = csrf_protect(view)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.upload_too_large = False
        request.upload_handlers.insert(0, AttachmentLimitUploadHandler(request))
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapped)


# Forms -------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    """Several files; the limits travel as data attributes so that the browser can refuse
    an oversized choice before sending it (static/js/uploads.js). The server checks anyway."""

    allow_multiple_selected = True

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        limits = attachment_limits()
        context["widget"]["attrs"].update(
            {
                "data-max-file-bytes": settings.HELPDESK_MAX_ATTACHMENT_BYTES,
                "data-max-total-bytes": settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES,
                "data-max-count": limits["count"],
                "data-file-too-big": _("El archivo «{name}» pesa más de %(file)s, el máximo por archivo.") % limits,
                "data-total-too-big": _("Los archivos elegidos suman más de %(total)s, el máximo permitido.") % limits,
                "data-too-many": _("Puede adjuntar como máximo %(count)d archivos.") % limits,
            }
        )
        return context


class MultipleFileField(forms.FileField):
    """Several files in one field; each is checked by `check_files`, not only the last."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [file for file in files if file]


class TicketMessageForm(forms.Form):
    """A message on a ticket and, optionally, files checked exactly as the report form's
    (every file, by content) and against what the ticket already carries. The requester's
    answer on their page (intake) and the agents' replies and notes (workspace) are this
    form with their own labels."""

    body = TextField(
        label=_("Su mensaje"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Escriba su mensaje.")},
    )
    files = MultipleFileField(
        label=_("Archivos"),
        required=False,
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.fields["files"].help_text = _(
            "Opcional. Capturas de pantalla, documentos o registros: hasta %(count)d archivos, "
            "de %(file)s cada uno como máximo y %(total)s por ticket."
        ) % attachment_limits()

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Escriba su mensaje."), code="required")
        return body

    def clean_files(self):
        checked = check_files(self.cleaned_data["files"])
        if checked:
            # The per-ticket limit counts what the ticket already carries.
            limit = settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES
            stored = self.ticket.attachments.aggregate(total=Sum("size"))["total"] or 0
            total = stored + sum(file.size for file in checked)
            if total > limit:
                raise forms.ValidationError(
                    _("Con estos archivos el ticket sumaría %(size)s; el máximo por ticket es %(max)s.")
                    % {"size": format_size(total), "max": format_size(limit)},
                    code="ticket_too_big",
                )
        return checked


# Storage -----------------------------------------------------------------------------


def attachments_store(
    *, ticket: Ticket, files: list[CheckedFile], message: Message | None = None, is_internal: bool = False
) -> list[Attachment]:
    """Save checked files on a ticket (and the message they came with); internal ones never
    reach the requester. Call inside the caller's transaction. The stored name comes from
    the model's upload_to; the client's name is kept for display only."""
    stored = []
    for checked in files:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            original_name=checked.display_name,
            content_type=checked.content_type,
            size=checked.size,
            is_internal=is_internal,
        )
        attachment.file.save(checked.display_name, checked.upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
