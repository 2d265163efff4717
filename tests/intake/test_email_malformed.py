"""Malformed mail never crashes the email channel: the MTA command exits 0 (received, or
ignored with "Ignorado: <motivo>") or 75 (retry later), the webhook answers 2xx or 4xx, and
whatever reaches a ticket carries no NUL, control characters or lone surrogates, bounded."""

import base64
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from anymail.inbound import AnymailInboundMessage
from django.core.management import call_command
from django.db import OperationalError, transaction
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from customers.models import Contact
from intake import email as intake_email
from intake.email import NAME_MAX, SUBJECT_MAX, clean_text, email_receive
from intake.models import InboundEmail
from tests.intake.conftest import WEBHOOK_SECRET, basic_auth
from tests.intake.test_email import PNG
from tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SENDER = b"From: Luc\xc3\xada <lucia@cliente.example.mx>"
SURROGATE_OR_CONTROL = [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0)]]


def mime(*headers: bytes, body: bytes = b"Hola, no funciona.") -> bytes:
    return b"\r\n".join(headers) + b"\r\n\r\n" + body


def run_command(raw: bytes):
    """The command as the MTA runs it: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(raw))
    real_stdin, sys.stdin = sys.stdin, stdin
    try:
        call_command("receive_email", stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    finally:
        sys.stdin = real_stdin
    return code, out.getvalue(), err.getvalue()


def unsafe(text: str) -> bool:
    return any(ch in text for ch in SURROGATE_OR_CONTROL) or any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def assert_stored_text_is_clean():
    """Every text an email put in the database is storable on PostgreSQL and safe to show."""
    for ticket in Ticket.objects.all():
        assert not unsafe(ticket.subject) and "\n" not in ticket.subject and len(ticket.subject) <= SUBJECT_MAX
        assert not unsafe(ticket.description)
    for message in Message.objects.all():
        assert not unsafe(message.body)
    for contact in Contact.objects.all():
        assert not unsafe(contact.name) and "\n" not in contact.name and len(contact.name) <= NAME_MAX
        assert not unsafe(contact.email) and len(contact.email) <= 254
    for attachment in Attachment.objects.all():
        assert not unsafe(attachment.original_name) and "\n" not in attachment.original_name
    for receipt in InboundEmail.objects.all():
        assert not unsafe(receipt.message_id) and len(receipt.message_id) <= 255


# Specific cases -------------------------------------------------------------------


def test_an_encoded_line_break_in_the_sender_name_is_ignored_not_a_crash(requester):
    raw = mime(
        b"From: =?utf-8?q?Ana=0D=0ABcc:_x@evil.com?= <" + requester.email.encode() + b">",
        b"To: soporte@example.com",
        b"Subject: Ayuda",
    )
    code, out, err = run_command(raw)
    assert code == 0
    assert out.strip() == "Ignorado: el remitente (From) está mal formado"
    assert err == ""
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ((b"To: soporte@example.com", b"Subject: sin remitente"), "el correo no tiene remitente"),
        ((b"From:   ",), "el correo no tiene remitente"),
        ((b"From: undisclosed-recipients:;",), "el remitente (From) está mal formado"),
        ((b"From: =?x-bogus?q?abc?=<",), "el remitente (From) está mal formado"),
        ((b"From: " + b"(" * 3000 + b"ana@cliente.example.mx",), "el remitente (From) está mal formado"),
        ((b"From: " + b"(" * 5000 + b"ana@cliente.example.mx",), "el remitente (From) es demasiado largo"),
        ((b"From: " + b"=?utf-8?q?A?= " * 20_000 + b"<ana@cliente.example.mx>",), "el remitente (From) es demasiado largo"),
        ((b"From: ana@cliente.example.mx, beto@cliente.example.mx",), "el correo tiene varios remitentes"),
        ((b'From: "ana\x01x"@cliente.example.mx',), "el remitente (From) está mal formado"),
        ((b'From: "ana x"@cliente.example.mx',), 'el remitente «"ana x"@cliente.example.mx» no es una dirección válida'),
        ((b"From: " + b"a" * 250 + b"@cliente.example.mx",), "el remitente «" + "a" * 100 + "» no es una dirección válida"),
        ((b"From: Ana <ana@>",), "el remitente (From) está mal formado"),
        ((b"From: Ana <ana@cliente_mx>",), "el remitente «ana@cliente_mx» no es una dirección válida"),
        ((b"From: Ana <ana\xff\xfe@cliente.example.mx>",), "el remitente «ana\ufffd\ufffd@cliente.example.mx» no es una dirección válida"),
        ((SENDER, b"Auto-Submitted: auto-replied\x00\xff"), "respuesta automática (Auto-Submitted: auto-replied\ufffd)"),
    ],
    ids=[
        "no-from", "blank-from", "group", "bogus-charset-unterminated", "nested-comments", "deep-comments", "huge-encoded-name",
        "two-senders", "control-in-quoted-local-part", "space-in-quoted-local-part", "too-long", "no-domain", "underscore-in-domain", "8bit-address", "auto-submitted-nul",
    ],
)
def test_a_sender_that_cannot_be_read_is_ignored_with_its_reason(headers, reason):
    started = time.monotonic()
    code, out, err = run_command(mime(*headers, b"Subject: Ayuda"))
    assert (code, out.strip(), err) == (0, f"Ignorado: {reason}", "")
    assert not Ticket.objects.exists() and not Contact.objects.exists()
    assert time.monotonic() - started < 5  # the email package's parser is slow on huge headers; they are cut


@pytest.mark.parametrize(
    ("raw", "subject", "description"),
    [
        (mime(SENDER, b"Subject: =?utf-8?q?Factura=0D=0ABcc:_x@evil.com?="), "Factura Bcc: x@evil.com", "Hola, no funciona."),
        (mime(SENDER, b"Subject: =?utf-8?q?Error=00_en=07_timbrado?="), "Error en timbrado", "Hola, no funciona."),
        (mime(SENDER, b"Subject: =?x-desconocido?q?Hola?= mundo"), "Hola mundo", "Hola, no funciona."),
        (mime(SENDER, b"Subject: Se\xf1al \xff perdida"), "Se\ufffdal \ufffd perdida", "Hola, no funciona."),
        (mime(SENDER, b"Subject: =?utf-8?q?=E2=80=AEfdp.exe?="), "fdp.exe", "Hola, no funciona."),
        (mime(SENDER, b"Subject: " + b"largo " * 20_000), ("largo " * 40)[:SUBJECT_MAX].strip(), "Hola, no funciona."),
        (mime(SENDER, b"Subject: x", b"Content-Type: text/plain; charset=x-bogus"), "x", "Hola, no funciona."),
        (mime(SENDER, b"Subject: x", b"Content-Type: text/plain; charset=idna", body=b"caf\xc3\xa9"), "x", "café"),
        (mime(SENDER, b"Subject: x", b'Content-Type: text/plain; charset="utf\x00-8"', body=b"caf\xc3\xa9"), "x", "café"),
        (mime(SENDER, b"Subject: x", b"Content-Type: text/plain; charset=unknown-8bit", body=b"a\xffb"), "x", "a\ufffdb"),
        (mime(SENDER, b"Subject: x", body=b"con\x00 NUL\x01 y \x1b[31mcolor"), "x", "con NUL y [31mcolor"),
        (mime(SENDER, b"Subject: x", b"Content-Transfer-Encoding: base64", body=b"SG9sYQ"), "x", "Hola"),
        (mime(SENDER, b"Subject: x", b"Content-Type: text/html", body=b"<p>Hola\x00 <b>\xff</b></p>"), "x", "Hola \ufffd"),
        (mime(SENDER, b"Subject: x", b"Date: 31 feb 99999 25:61:00 +9999"), "x", "Hola, no funciona."),
        (mime(SENDER, b"Subject: x", b"Message-ID: <"), "x", "Hola, no funciona."),
        (mime(SENDER, b"Subject: x", b"Message-ID: <\xff\x00@cliente.example.mx>"), "x", "Hola, no funciona."),
        (mime(SENDER, b"Subject: x", b"Message-ID: <" + b"m" * 10_000 + b"@cliente.example.mx>"), "x", "Hola, no funciona."),
    ],
    ids=[
        "crlf-in-subject", "nul-in-subject", "unknown-charset-word", "8bit-subject", "bidi-override", "huge-subject",
        "unknown-body-charset", "codec-refusing-replace", "nul-in-charset", "unknown-8bit", "control-chars-in-body",
        "unpadded-base64", "html-with-nul", "invalid-date", "unparsable-message-id", "nul-in-message-id", "huge-message-id",
    ],
)
def test_malformed_parts_of_a_readable_message_are_cleaned(raw, subject, description):
    code, out, err = run_command(raw)
    assert (code, err) == (0, "")
    ticket = Ticket.objects.get()
    assert out.strip() == ticket.reference
    assert (ticket.subject, ticket.description) == (subject, description)
    assert ticket.requester.name == "Lucía"
    assert_stored_text_is_clean()


def test_the_sender_name_loses_control_characters_and_is_bounded():
    code, out, _err = run_command(mime(b"From: =?utf-8?q?Ana=00=1B_L=C3=B3pez?= <ana@cliente.example.mx>", b"Subject: x"))
    assert code == 0
    assert Contact.objects.get().name == "Ana López"
    run_command(mime(b"From: " + b"N" * 3000 + b" <beto@cliente.example.mx>", b"Subject: x"))
    assert Contact.objects.get(email="beto@cliente.example.mx").name == "N" * NAME_MAX


def test_attachment_names_and_broken_attachments(requester):
    boundary = b"limite"
    parts = [
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nAdjunto la captura.",
        # NUL, a line break and bytes that are not UTF-8 in the name.
        b'Content-Type: image/png\r\nContent-Disposition: attachment; filename="cap\x00tu\r\n ra\xff.png"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(PNG),
        # An RFC 2231 name in an unknown charset.
        b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename*=x-bogus''f%00%FF.pdf\r\n\r\nno es un PDF",
        # An attached message that is not one.
        b"Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename=reenviado.eml\r\n\r\n",
    ]
    body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts) + b"--" + boundary + b"--\r\n"
    raw = mime(
        b"From: " + requester.email.encode(),
        b"Subject: Captura",
        b'Content-Type: multipart/mixed; boundary="limite"',
        body=body,
    )
    code, out, err = run_command(raw)
    assert (code, err) == (0, "")
    ticket = Ticket.objects.get()
    assert ticket.description == "Adjunto la captura."
    attachment = Attachment.objects.get()
    assert attachment.original_name == "captu ra\ufffd.png"
    assert attachment.file.read() == PNG
    note = ticket.messages.get(kind=Message.Kind.INTERNAL_NOTE)
    assert "reenviado.eml" in note.body
    assert_stored_text_is_clean()


@pytest.mark.parametrize(
    ("filename", "stored"),
    # In a MIME quoted string a backslash is written twice.
    [(b"..", "adjunto.png"), (b".", "adjunto.png"), (b"carpeta/", "adjunto.png"), (b"../..", "adjunto.png"),
     (b"..\\\\..\\\\captura.png", "captura.png"), (b"/etc/captura.png", "captura.png")],
)
def test_an_attachment_name_that_is_no_file_name_gets_a_generic_one(requester, filename, stored):
    part = (
        b'Content-Type: image/png\r\nContent-Disposition: attachment; filename="' + filename + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(PNG)
    )
    raw = mime(
        b"From: " + requester.email.encode(),
        b"Subject: Captura",
        b"Content-Type: multipart/mixed; boundary=b",
        body=b"--b\r\nContent-Type: text/plain\r\n\r\nVea la captura.\r\n--b\r\n" + part + b"\r\n--b--\r\n",
    )
    code, out, err = run_command(raw)
    assert (code, err) == (0, "")
    assert Attachment.objects.get().original_name == stored


def test_a_ticket_from_a_malformed_email_shows_on_every_page(client, requester, agent, coordinator):
    """What an email stored never breaks a page later: queue, search, ticket page, admin."""
    raw = mime(
        b"From: =?utf-8?q?Luc=C3=ADa=00=E2=80=AE_<b>H</b>?= <" + requester.email.encode() + b">",
        b"Subject: =?utf-8?q?Timbrado=0D=0Aroto=00_=ED=A0=80?= \xff",
        b"Message-ID: <\xff\x00@cliente.example.mx>",
        b"Content-Type: multipart/mixed; boundary=b",
        body=b"--b\r\nContent-Type: text/plain; charset=x-bogus\r\n\r\n<script>alert(1)</script>\x00 fin\r\n"
        b'--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename="cap\x00\xfftura.png"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(PNG) + b"\r\n--b--\r\n",
    )
    code, out, _err = run_command(raw)
    assert code == 0
    ticket = Ticket.objects.get()
    assert ticket.subject == "Timbrado roto \ufffd\ufffd\ufffd \ufffd"
    assert ticket.description == "<script>alert(1)</script> fin"
    assert_stored_text_is_clean()

    client.force_login(agent)
    for url, params in [
        (reverse("workspace:queue"), {"vista": "todos"}),
        (reverse("workspace:queue"), {"vista": "todos", "q": "Timbrado roto"}),
        (reverse("workspace:ticket", args=[ticket.pk]), {}),
    ]:
        response = client.get(url, params)
        assert response.status_code == 200, url
        assert "Timbrado roto" in response.content.decode()
    page = client.get(reverse("workspace:ticket", args=[ticket.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert Attachment.objects.get().original_name == "cap\ufffdtura.png"
    assert "cap\ufffdtura.png" in page
    client.force_login(coordinator)
    assert client.get(reverse("admin:tickets_ticket_changelist")).status_code == 200
    assert client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).status_code == 200


def test_mime_parts_nested_beyond_pythons_stack_are_ignored():
    depth = 3000
    body = b"".join(b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1) for i in range(depth))
    raw = mime(SENDER, b"Subject: x", b"Content-Type: multipart/mixed; boundary=b0", body=body + b"--b%d\r\n\r\nhola\r\n" % depth)
    code, out, err = run_command(raw)
    assert (code, err) == (0, "")
    assert out.strip() == "Ignorado: el correo no se puede leer (estructura MIME mal formada)"


def test_very_many_parts_are_read_up_to_a_bound():
    body = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nparte %d\r\n" % i for i in range(5000)) + b"--b--\r\n"
    started = time.monotonic()
    code, out, _err = run_command(mime(SENDER, b"Subject: x", b"Content-Type: multipart/mixed; boundary=b", body=body))
    assert code == 0
    assert Ticket.objects.get().description == "parte 0"
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    "raw",
    [b"", b"\x00" * 100, b"\xff\xfe\xfd" * 1000, b"no es un correo", b"From", b":\r\n:\r\n\r\n", b"\r\n\r\n\r\n"],
)
def test_what_is_not_an_email_at_all_is_ignored(raw):
    code, out, err = run_command(raw)
    assert (code, err) == (0, "")
    assert out.startswith("Ignorado: ")
    assert not Ticket.objects.exists()


def test_a_database_failure_asks_the_mta_to_retry(monkeypatch):
    def database_down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(intake_email, "email_receive", database_down)
    code, out, err = run_command(mime(SENDER, b"Subject: x"))
    assert code == 75
    assert err.strip() == "Error al recibir el correo; se reintentará."


def test_control_characters_in_a_message_built_by_a_webhook_are_removed():
    """A message an ESP's webhook built from JSON fields carries what the JSON said."""
    message = AnymailInboundMessage.construct(
        from_email="Ana\x00 <ana@cliente.example.mx>", subject="Reporte \x00urgente", text="texto\x00 con\x1b NUL"
    )
    ticket = email_receive(message=message)
    assert (ticket.subject, ticket.description, ticket.requester.name) == ("Reporte urgente", "texto con NUL", "Ana")


@pytest.mark.parametrize(
    ("text", "one_line", "expected"),
    [
        ("a\x00b\x07c", False, "abc"),
        ("a\td\ne", False, "a\td\ne"),
        ("a\td\r\ne\u2028f", True, "a d e f"),
        ("solo \ud800 y \udfff", False, "solo \ufffd y \ufffd"),
        ("Luc\udcc3\udcada", False, "Lucía"),  # raw UTF-8 bytes kept by surrogateescape
        ("roto \udcff", False, "roto \ufffd"),
        ("\u202eexe.pdf", True, "exe.pdf"),
        ("\u202eexe.pdf", False, "\u202eexe.pdf"),
        ("c1 \x85\x9b", False, "c1 "),
        (None, False, ""),
    ],
)
def test_clean_text(text, one_line, expected):
    assert clean_text(text, one_line=one_line) == expected


def test_the_command_in_a_real_process_prints_no_traceback(tmp_path):
    """Outside pytest: the MTA sees the exit code and what is printed, nothing else."""
    path = tmp_path / "malo.eml"
    path.write_bytes(
        mime(b"From: =?utf-8?q?Ana=0D=0ABcc:_x@evil.com?= <ana@example.com>", b"Subject: =?utf-8?q?\xed\xa0\x80?=")
    )
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")}
    # A database that does not exist: ignoring a message must not need one.
    env.update({"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'no-existe' / 'db.sqlite3'}"})
    result = subprocess.run(
        [sys.executable, "manage.py", "receive_email", str(path)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Ignorado: el remitente (From) está mal formado"
    assert "Traceback" not in result.stderr and "Logging error" not in result.stderr


# Generated malformed mail ----------------------------------------------------------


@pytest.fixture
def postmark(inbound_esp):
    inbound_esp("postmark", WEBHOOK_SECRET=WEBHOOK_SECRET)


HEADER_NAMES = [
    b"From", b"Subject", b"Message-ID", b"Date", b"Content-Type", b"Content-Disposition",
    b"Content-Transfer-Encoding", b"MIME-Version", b"Auto-Submitted", b"Precedence", b"Return-Path",
    b"To", b"Reply-To", b"In-Reply-To", b"References", b"X-Autoreply",
]
CHARSETS = [b"utf-8", b"iso-8859-1", b"x-bogus", b"unknown-8bit", b"utf-16", b"idna", b"base64", b"utf\x00-8", b""]
SEPARATORS = [b"\r\n", b"=0D=0A", b"=00", b"\x00", b":", b";", b",", b"<", b">", b'"', b"(", b")", b"=?", b"?=", b"@", b"\\"]


@st.composite
def encoded_words(draw):
    charset = draw(st.sampled_from(CHARSETS))
    text = draw(st.binary(max_size=20)).hex().upper()
    quoted = b"".join(b"=" + text[i : i + 2].encode() for i in range(0, len(text), 2))
    return b"=?" + charset + b"?q?" + draw(st.sampled_from([b"", b"Ana_"])) + quoted + b"?="


header_values = st.lists(
    st.one_of(
        encoded_words(),
        st.binary(max_size=30),
        st.sampled_from(SEPARATORS),
        st.sampled_from([b"Ana <ana@cliente.example.mx>", b"ana@cliente.example.mx", b"31 Feb 2025 99:99 +9999"]),
        st.text(max_size=20).map(lambda text: text.encode("utf-8", "surrogatepass")),
    ),
    max_size=8,
).map(b" ".join)


@st.composite
def raw_messages(draw):
    """Mostly messages a parser would get far into (a usable From, so a ticket is opened and
    its text stored), with malformed headers, charsets, encodings, parts; or any bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=500))
    headers = []
    if draw(st.booleans()):
        name = draw(st.sampled_from([b"", b"Ana ", b"=?utf-8?q?Ana=00=FF?= ", b"=?x-bogus?q?A?= "]))
        headers.append(b"From: " + name + b"<ana@cliente.example.mx>")
    for _ in range(draw(st.integers(0, 6))):
        headers.append(draw(st.sampled_from(HEADER_NAMES)) + b": " + draw(header_values))
    if draw(st.booleans()):
        headers.append(b"Subject: " + draw(header_values) * draw(st.sampled_from([1, 1, 200])))
    boundary = b"b0"
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        content_type = draw(st.sampled_from([b"text/plain", b"text/html", b"image/png", b"application/pdf", b"message/rfc822", b"multipart/mixed"]))
        charset = draw(st.sampled_from(CHARSETS))
        disposition = draw(
            st.sampled_from([b"", b"attachment; filename=", b"attachment; filename*=x-bogus''", b"inline; filename="])
        )
        encoding = draw(st.sampled_from([b"7bit", b"8bit", b"base64", b"quoted-printable", b"x-uuencode", b"bogus"]))
        part = b"Content-Type: " + content_type + b"; charset=" + charset + b"\r\nContent-Transfer-Encoding: " + encoding
        if disposition:
            names = st.sampled_from([b"..", b'"."', b"carpeta/", b'"..\\\\x.png"', b"captura.png"])
            part += b"\r\nContent-Disposition: " + disposition + draw(st.one_of(names, header_values))
        parts.append(part + b"\r\n\r\n" + draw(st.binary(max_size=200)))
    if parts:
        headers.append(b"Content-Type: multipart/mixed; boundary=" + boundary)
        body = b"".join(b"--" + boundary + b"\r\n" + part + b"\r\n" for part in parts)
        body += draw(st.sampled_from([b"--" + boundary + b"--\r\n", b""]))
    else:
        body = draw(st.binary(max_size=300))
    return b"\r\n".join(headers) + b"\r\n\r\n" + body


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=raw_messages())
def test_the_command_never_crashes_on_malformed_mail(raw):
    with transaction.atomic():
        code, out, err = run_command(raw)
        # The database is up, so a malformed message is received or ignored, never deferred.
        assert code == 0, err
        assert err == ""
        assert out.startswith("Ignorado: ") or out.strip().startswith(("INC-", "REQ-"))
        event(out.split(" (")[0].strip() if out.startswith("Ignorado") else "ticket")  # --hypothesis-show-statistics
        assert_stored_text_is_clean()
        transaction.set_rollback(True)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=raw_messages(), decoding=st.sampled_from(["latin-1", "surrogateescape"]))
def test_the_webhook_answers_malformed_mail_with_2xx_or_4xx(client, postmark, raw, decoding):
    text = raw.decode("latin-1") if decoding == "latin-1" else raw.decode("utf-8", "surrogateescape")
    body = json.dumps({"RawEmail": text, "MessageID": "m1", "Headers": []})
    with transaction.atomic():
        # The test client raises what a 500 would hide; the status is checked as well.
        response = client.post("/anymail/postmark/inbound/", body, content_type="application/json", **basic_auth())
        assert response.status_code in (200, 400)
        event(f"{response.status_code}, {Ticket.objects.count()} ticket")
        assert_stored_text_is_clean()
        transaction.set_rollback(True)
