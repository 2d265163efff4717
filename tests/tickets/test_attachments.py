"""The checks of attachments (tickets/attachments.py) on their own: what a file's content
may be, the name shown for it, and the upload handler that stops a body over the limit.
Through the report form: tests/intake/test_report_form.py."""

import io
import zipfile

import pytest
from django.core.files.uploadhandler import StopUpload
from django.test import RequestFactory
from django.test.client import BOUNDARY

from tests.files import upload
from tickets.attachments import AttachmentLimitUploadHandler, check_files, display_name


def test_office_documents_are_accepted_when_they_are_zip_archives(settings):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    checked = check_files([upload("informe.docx", buffer.getvalue()), upload("datos.csv", "año;niño\n".encode("latin-1"))])
    assert [c.content_type for c in checked] == [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/csv",
    ]


@pytest.mark.parametrize(
    "raw, shown",
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ana\\informe.pdf", "informe.pdf"),
        ("fac\x00tu\nra\u202etxt.exe.pdf", "facturatxt.exe.pdf"),
        ("..", "archivo"),
        ("", "archivo"),
        ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ],
)
def test_display_names_are_sanitised(raw, shown):
    assert display_name(raw) == shown


def test_the_upload_handler_stops_a_body_longer_than_it_declared(settings):
    settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES = 1024
    request = RequestFactory().post("/")
    handler = AttachmentLimitUploadHandler(request)
    assert handler.handle_raw_input(None, {}, 100, BOUNDARY) is None
    handler.new_file("files", "a.txt", "text/plain", None)
    assert handler.receive_data_chunk(b"a" * 1024, 0) == b"a" * 1024
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"a" * (1024 * 1024 + 1), 1024)
    assert request.upload_too_large
