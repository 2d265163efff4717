"""The email channel, the desk's official one (docs/process.md, «Intake and gatekeeping»).

An inbound message becomes a ticket, or a line in the conversation of the ticket it
answers. Headers never control the desk: From can be forged and references are
sequential, so a message joins a ticket only through something we issued and nobody can
guess (the ticket's reply address among its recipients, or the Message-ID of an email we
sent about the ticket to that sender in In-Reply-To/References), and only when it comes
from the ticket's requester. A reference in the subject alone opens a new ticket, linked to the
one it names by an internal note on each. Nothing from the message is ever reused in an
outgoing header. Auto-replies, bounces and our own mail are ignored, so the
acknowledgement can never start a loop.

Mail is hostile input, and Python's email package raises assorted exceptions (ValueError,
IndexError, AttributeError, LookupError, RecursionError…) on malformed headers, charsets
and structures, and slows down badly on huge headers. So every read of the message goes
through the helpers below: a header too long is cut before it is parsed, a header that
cannot be parsed is read raw or counts as missing, an unknown charset is read as UTF-8,
and every text that reaches a ticket loses NUL and other control characters and lone
surrogates, and is bounded. A message that cannot be read at all is ignored with a reason,
never a crash (an MTA would bounce it, an ESP would retry it forever).
"""

from __future__ import annotations

import dataclasses
import html
import logging
import mimetypes
import re
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses

import nh3
from anymail.inbound import AnymailInboundMessage
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from notifications.replies import sent_email_quoted, ticket_id_from_reply_address
from tickets.attachments import MAX_FILES, CheckedFile, attachments_store, check_files, format_size
from tickets.models import Message, Ticket
from tickets.references import references_in
from tickets.services import ticket_add_message, ticket_open

from .models import InboundEmail
from .services import contact_for_report

logger = logging.getLogger(__name__)

SUBJECT_MAX = 200
NAME_MAX = 200
BODY_MAX_CHARS = 100_000
ADDRESS_MAX = 254  # Contact.email
# Longer header values are cut before parsing: the email package's parser grows much
# slower than linearly (a 64 KB From takes seconds). References keeps its end, where the
# latest message of a thread is named.
HEADER_MAX_CHARS = 4000
REFERENCES_MAX_CHARS = 16000
MAX_PARTS = 200  # MIME parts read from one message

AUTOMATED_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTOMATED_LOCAL_PARTS = {"mailer-daemon", "postmaster"}
# "RE:", "Re:", "RV:" (reenviar), "FW:", "Fwd:", "RES:", "ENC:", "AW:", "TR:", repeated, with "[2]" counters.
SUBJECT_PREFIX_RE = re.compile(r"^\s*(?:(?:re|rv|fw|fwd|res|enc|aw|tr)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE)
FORWARD_PREFIX_RE = re.compile(r"^\s*(?:rv|fw|fwd|enc|tr)\s*:", re.IGNORECASE)

# Where the quoted history of a reply starts.
_ATTRIBUTION_RES = [
    # Gmail, Apple Mail, Thunderbird in Spanish: "El lun, 3 mar 2025 a las 10:00, Ana <a@b> escribió:"
    # (clients wrap long attributions over two lines).
    re.compile(r"^[ \t]*El\b[^\n]*(?:\n[^\n]*)?\bescribi[óo]:[ \t]*$", re.MULTILINE | re.IGNORECASE),
    re.compile(r"^[ \t]*On\b[^\n]*(?:\n[^\n]*)?\bwrote:[ \t]*$", re.MULTILINE),
    re.compile(r"^[ \t]*-{2,}\s*(?:Original Message|Mensaje original)\s*-{2,}[ \t]*$", re.MULTILINE | re.IGNORECASE),
    # Outlook: "De: …" followed within a few lines by "Enviado:/Fecha:/Para:/Asunto:" (or English),
    # so that a sentence starting with "De: lunes a viernes" is not taken for a quote.
    re.compile(
        r"^[ \t]*(?:De|From):[^\n]*\n(?:[^\n]*\n){0,3}?[ \t]*(?:Enviado|Fecha|Para|Asunto|Sent|Date|To|Subject):",
        re.MULTILINE,
    ),
]
_SEPARATOR_LINE_RE = re.compile(r"^[ \t]*[_\-=]{10,}[ \t]*$")
_BLOCK_END_RE = re.compile(r"<\s*(?:br|/p|/div|/li|/tr|/h[1-6]|/blockquote|/table)\b[^>]*>", re.IGNORECASE)
_HEAD_RE = re.compile(r"<\s*head\b.*?<\s*/\s*head\s*>", re.IGNORECASE | re.DOTALL)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Surrogates that surrogateescape did not make (those, \udc80-\udcff, are raw bytes).
_FOREIGN_SURROGATE_RE = re.compile(r"[\ud800-\udc7f\udd00-\udfff]")
# One-line fields also lose line breaks and the bidirectional overrides that make a name
# or subject read differently from what it is.
_ONE_LINE_BREAKS_RE = re.compile(r"[\r\n\x85\u2028\u2029]+")
_BIDI_CONTROL_RE = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


# Reading a message that may be malformed -----------------------------------------


class _BoundedHeaders(EmailPolicy):
    """email.policy.default, except that a header value is cut before it is parsed."""

    def header_fetch_parse(self, name, value):
        if not hasattr(value, "name"):
            if name.lower() == "references" and len(value) > REFERENCES_MAX_CHARS:
                value = value[-REFERENCES_MAX_CHARS:]
            elif len(value) > HEADER_MAX_CHARS:
                value = value[:HEADER_MAX_CHARS]
        return super().header_fetch_parse(name, value)


BOUNDED_POLICY = _BoundedHeaders()


def clean_text(text: str | None, *, one_line: bool = False) -> str:
    """Text that PostgreSQL stores and a page shows: bytes smuggled as surrogates decoded as
    UTF-8 (or U+FFFD), other lone surrogates replaced, NUL and control characters removed
    (tabs and line breaks kept, unless one line is asked for)."""
    text = _FOREIGN_SURROGATE_RE.sub("\ufffd", text or "")
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if one_line:
        text = _BIDI_CONTROL_RE.sub("", _ONE_LINE_BREAKS_RE.sub(" ", text)).replace("\t", " ")
    return _CONTROL_RE.sub("", text)


def _parts(message):
    """The message and its parts, depth first as `walk()` goes, without recursion (a deeply
    nested message would exhaust Python's stack) and at most MAX_PARTS of them."""
    stack, seen = [message], 0
    while stack and seen < MAX_PARTS:
        part = stack.pop()
        seen += 1
        part.policy = BOUNDED_POLICY  # also for messages parsed by anymail with the default policy
        yield part
        try:
            children = part.get_payload() if part.is_multipart() else None
        except Exception:  # an unreadable structure ends here
            children = None
        if isinstance(children, list):
            stack.extend(reversed(children))


def _raw_values(message, name: str) -> list[str]:
    """The header's values as they arrived, unparsed (folding removed)."""
    wanted = name.lower()
    return [re.sub(r"\r?\n", "", str(value)) for key, value in message.raw_items() if key.lower() == wanted]


def _header(message: AnymailInboundMessage, name: str) -> str:
    """The header's first value as one clean line; raw when it cannot be parsed; "" if absent."""
    message.policy = BOUNDED_POLICY
    try:
        value = message.get(name)
    except Exception:  # see the module's docstring
        raw = _raw_values(message, name)
        value = raw[0][:HEADER_MAX_CHARS] if raw else None
    return clean_text(str(value), one_line=True).strip() if value is not None else ""


def _content_type(part) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "text/plain"  # RFC 2045's default


def _is_attachment(part) -> bool:
    try:
        return part.is_attachment()
    except Exception:  # an unreadable Content-Disposition
        return False


def _part_text(part) -> str | None:
    """The part's text; an unknown or broken charset is read as UTF-8."""
    try:
        return part.get_content_text()
    except Exception:  # LookupError, a codec that refuses "replace"…
        pass
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return None
    return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None


def _body_content(message, content_type: str) -> str:
    """The first text/plain (or text/html) part that is not an attachment, as anymail's
    `message.text` / `message.html` choose it."""
    for part in _parts(message):
        if _content_type(part) == content_type and not _is_attachment(part):
            return clean_text(_part_text(part))
    return ""


def _attachment_parts(message) -> list:
    return [part for part in _parts(message) if _is_attachment(part)]


def email_parse(raw: bytes) -> AnymailInboundMessage:
    """A raw message (RFC 5322 bytes, e.g. from an MTA) as anymail's inbound message. Raises
    for a structure the parser cannot follow (e.g. MIME parts nested thousands deep)."""
    return BytesParser(AnymailInboundMessage, policy=BOUNDED_POLICY).parsebytes(raw)


# Who sent it, and whether to answer at all -------------------------------------


def _own_addresses() -> set[str]:
    values = [
        getattr(settings, "DEFAULT_FROM_EMAIL", ""),
        getattr(settings, "SERVER_EMAIL", ""),
        getattr(settings, "HELPDESK_SUPPORT_EMAIL", ""),
    ]
    return {address.strip().lower() for _name, address in getaddresses([v for v in values if v]) if address}


def _sender(message: AnymailInboundMessage):
    """The single From address (an anymail EmailAddress) or None: no From, several, or
    one that cannot be read."""
    message.policy = BOUNDED_POLICY
    try:
        sender = message.from_email
    except Exception:  # see the module's docstring
        return None
    if sender is None or isinstance(sender, list):
        return None
    return sender


def _sender_problem(message: AnymailInboundMessage) -> str | None:
    """Why the From header gives no single usable address (Spanish), or None."""
    raw = _raw_values(message, "From")
    if not "".join(raw).strip():
        return _("el correo no tiene remitente")
    if sum(len(value) for value in raw) > HEADER_MAX_CHARS:
        return _("el remitente (From) es demasiado largo")
    message.policy = BOUNDED_POLICY
    try:
        sender = message.from_email
    except Exception:  # e.g. an encoded name hiding a line break (header injection)
        return _("el remitente (From) está mal formado")
    if sender is None:
        return _("el correo no tiene remitente")
    if isinstance(sender, list):
        return _("el correo tiene varios remitentes")
    address = (sender.addr_spec or "").strip()
    shown = clean_text(address, one_line=True)[:100]
    if len(address) > ADDRESS_MAX or clean_text(address, one_line=True) != address or re.search(r"\s", address):
        return _("el remitente «%(address)s» no es una dirección válida") % {"address": shown}
    try:
        validate_email(address)
    except ValidationError:
        return _("el remitente «%(address)s» no es una dirección válida") % {"address": shown}
    return None


def email_ignore_reason(message: AnymailInboundMessage) -> str | None:
    """Why this message must not become a ticket (Spanish, for logs and the command's
    output), or None when it should be received."""
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return _("respuesta automática (Auto-Submitted: %(value)s)") % {"value": auto_submitted[:100]}
    precedence = _header(message, "Precedence").lower()
    if precedence in AUTOMATED_PRECEDENCE:
        return _("correo masivo o automático (Precedence: %(value)s)") % {"value": precedence}
    for name in ("X-Autoreply", "X-Autorespond"):
        if name in message:
            return _("respuesta automática (%(header)s)") % {"header": name}
    if _content_type(message) == "multipart/report" or _header(message, "Return-Path") == "<>":
        return _("aviso de entrega fallida (rebote)")
    if (getattr(message, "envelope_sender", None) or None) == "":
        return _("aviso de entrega fallida (rebote)")
    problem = _sender_problem(message)
    if problem is not None:
        return problem
    address = _sender(message).addr_spec.strip()
    local_part = address.rsplit("@", 1)[0].lower()
    if local_part in AUTOMATED_LOCAL_PARTS:
        return _("aviso del servidor de correo (%(address)s)") % {"address": address}
    if address.lower() in _own_addresses():
        return _("correo enviado por la propia mesa de ayuda (%(address)s)") % {"address": address}
    return None


# Text --------------------------------------------------------------------------


def html_to_text(markup: str) -> str:
    """Safe plain text from HTML: block ends become line breaks, every tag is removed
    (scripts and styles with their content), entities are unescaped."""
    markup = _HEAD_RE.sub("", markup)
    markup = _BLOCK_END_RE.sub("\n", markup)
    text = html.unescape(nh3.clean(markup, tags=set()))
    return collapse_whitespace(text)


def collapse_whitespace(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def trim_quoted(text: str) -> str:
    """The new part of a reply: cut at the attribution of the quoted history
    ("El … escribió:", "On … wrote:", "-----Original Message-----", Outlook's "De:"
    block) and drop lines quoted with ">". When nothing would be left, keep it all."""
    cut = len(text)
    for pattern in _ATTRIBUTION_RES:
        match = pattern.search(text)
        if match:
            cut = min(cut, match.start())
    lines = [line for line in text[:cut].split("\n") if not line.lstrip().startswith(">")]
    while lines and (not lines[-1].strip() or _SEPARATOR_LINE_RE.match(lines[-1])):
        lines.pop()
    trimmed = "\n".join(lines).strip()
    return trimmed or text.strip()


def _bounded_body(text: str) -> str:
    if len(text) > BODY_MAX_CHARS:
        text = text[:BODY_MAX_CHARS] + "\n[…] " + _("(texto recortado)")
    return text


def message_body(message: AnymailInboundMessage, *, trim: bool = True) -> str:
    """The text part, or the HTML part made plain text; quoted history trimmed; clean
    (no NUL, control characters or lone surrogates) and bounded."""
    text = _body_content(message, "text/plain")
    if not text.strip():
        markup = _body_content(message, "text/html")
        text = html_to_text(markup) if markup.strip() else ""
    # Far beyond what is kept: the rest is not worth searching for quoted history.
    text = text[: 4 * BODY_MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n").strip()
    if trim:
        text = trim_quoted(text)
    return _bounded_body(text).strip()


def message_subject(message: AnymailInboundMessage) -> str:
    """The Subject as one clean line, prefixes kept (threading and forwarding read them)."""
    return _header(message, "Subject")


def clean_subject(subject: str | None) -> str:
    """One line, no "RE:/RV:/Fwd:" prefixes, at most 200 characters, never empty."""
    subject = clean_text(subject, one_line=True)
    subject = SUBJECT_PREFIX_RE.sub("", subject)
    subject = re.sub(r"\s+", " ", subject).strip()
    return (subject or _("(sin asunto)"))[:SUBJECT_MAX]


def _sender_name(sender) -> str:
    name = re.sub(r"\s+", " ", clean_text(sender.display_name, one_line=True)).strip()
    return (name or sender.addr_spec.rsplit("@", 1)[0])[:NAME_MAX]


# Threading ---------------------------------------------------------------------

# Where a reply address may show: the headers the client writes and those the MTA adds
# (Postfix: Delivered-To, X-Original-To); an ESP's envelope recipient comes on its own.
RECIPIENT_HEADERS = ("To", "Cc", "Delivered-To", "X-Original-To")
MESSAGE_ID_RE = re.compile(r"<[^<>\s]{1,250}>")
MAX_QUOTED_MESSAGE_IDS = 50


@dataclasses.dataclass(frozen=True)
class Thread:
    """What a message answers: `ticket` when it joins that ticket's conversation;
    otherwise `mentions`, the ticket it claims to be about without proof (or with a
    proof held by someone who is not the requester), for a new ticket linked to it."""

    ticket: Ticket | None = None
    mentions: Ticket | None = None
    proven: bool = False


def _recipients(message: AnymailInboundMessage) -> list[str]:
    # Raw values: a malformed recipient header must not stop the message (see the module's docstring).
    values = [value[:HEADER_MAX_CHARS] for name in RECIPIENT_HEADERS for value in _raw_values(message, name)]
    envelope_recipient = getattr(message, "envelope_recipient", None)
    if envelope_recipient:
        values.append(str(envelope_recipient))
    return [address for _name, address in getaddresses(values) if address]


def _quoted_message_ids(message: AnymailInboundMessage) -> list[str]:
    """The Message-IDs this message answers: In-Reply-To first, then References newest first."""
    in_reply_to = MESSAGE_ID_RE.findall(_header(message, "In-Reply-To"))
    references = MESSAGE_ID_RE.findall(_header(message, "References"))[::-1]
    return (in_reply_to + references)[:MAX_QUOTED_MESSAGE_IDS]


def _issued_proof(message: AnymailInboundMessage) -> tuple[int | None, str | None]:
    """(ticket id, to whom we sent it) of what we issued that this message carries: a
    reply address among the recipients (the address the reply went to weighs most; it
    belongs to the ticket, not to a recipient: None), else a Message-ID we sent."""
    for address in _recipients(message):
        ticket_id = ticket_id_from_reply_address(address)
        if ticket_id is not None:
            return ticket_id, None
    quoted = sent_email_quoted(_quoted_message_ids(message))
    return quoted if quoted is not None else (None, None)


def _mentioned_ticket(subject: str) -> Ticket | None:
    for reference in references_in(subject):
        ticket = Ticket.objects.filter(reference=reference).first()
        if ticket is not None:
            return ticket
    return None


def _thread(message: AnymailInboundMessage, subject: str, sender_address: str) -> Thread:
    """Which ticket this message answers, decided only by what we issued: a reference in
    the subject, even one naming another ticket, never overrides it."""
    ticket_id, sent_to = _issued_proof(message)
    ticket = Ticket.objects.select_related("requester").filter(pk=ticket_id).first() if ticket_id else None
    if ticket is not None:
        sender = sender_address.lower()
        # A Message-ID counts from the address we sent that email to (not, say, from the
        # agent told of the ticket writing as its requester).
        if ticket.requester.email.strip().lower() == sender and (sent_to is None or sent_to.lower() == sender):
            return Thread(ticket=ticket)
        logger.warning(
            "Inbound email answers %s through its reply address or Message-ID, but not from the requester at the"
            " address we wrote to: a new ticket, linked",
            ticket.reference,
        )
        return Thread(mentions=ticket, proven=True)
    mentioned = _mentioned_ticket(subject)
    if mentioned is not None:
        logger.info("Inbound email names %s only in its subject: a new ticket, linked", mentioned.reference)
    return Thread(mentions=mentioned)


def _system_note(ticket: Ticket, body: str) -> None:
    # No tickets service adds a system note without a staff author, hence the row here.
    Message.objects.create(ticket=ticket, kind=Message.Kind.INTERNAL_NOTE, author=None, body=body)


def _link(new: Ticket, thread: Thread, sender_address: str) -> None:
    """Agents see the relation on both tickets; nothing joins the mentioned one's conversation."""
    old = thread.mentions
    values = {"old": old.reference, "new": new.reference, "sender": sender_address}
    if thread.proven:
        new_note = _(
            "Este correo responde a un mensaje del ticket %(old)s, pero no viene del solicitante desde la "
            "dirección a la que le escribimos (remitente: %(sender)s): se registró como ticket nuevo. Revise si "
            "se trata del mismo caso (posible duplicado)."
        )
        old_note = _(
            "Llegó una respuesta a un mensaje de este ticket que no viene del solicitante desde la dirección a la "
            "que le escribimos (remitente: %(sender)s). No se agregó a esta conversación: se registró como "
            "%(new)s (posible duplicado)."
        )
    else:
        new_note = _(
            "El asunto de este correo menciona el ticket %(old)s, pero el correo no responde a ninguno de "
            "nuestros mensajes de ese ticket: se registró como ticket nuevo. Revise si se trata del mismo caso "
            "(posible duplicado)."
        )
        old_note = _(
            "Llegó un correo de %(sender)s que menciona este ticket en el asunto sin responder a nuestros "
            "mensajes. No se agregó a esta conversación: se registró como %(new)s (posible duplicado)."
        )
    _system_note(new, new_note % values)
    _system_note(old, old_note % values)


# Attachments -------------------------------------------------------------------


def _as_upload(part) -> SimpleUploadedFile:
    try:
        name = part.get_filename()
    except Exception:  # an unreadable Content-Disposition or Content-Type
        name = None
    # Only the last path part; one made of dots names no file (Django refuses it).
    name = clean_text(name, one_line=True).replace("\\", "/").split("/")[-1]
    name = re.sub(r"\s+", " ", name).strip()
    content_type = _content_type(part)
    if not name.strip("."):
        name = "adjunto" + (mimetypes.guess_extension(content_type) or "")
    try:
        content = part.get_content_bytes() or b""
    except Exception:  # a multipart attachment, or a broken attached message
        content = b""  # refused as empty, and listed in the note
    return SimpleUploadedFile(name, content, content_type)


def check_email_attachments(parts) -> tuple[list[CheckedFile], list[str]]:
    """Each attachment checked on its own with the web form's rules (size, type by
    content), then the per-ticket limits in order of arrival. Returns the files to keep
    and, for every file left out, why (Spanish)."""
    accepted: list[CheckedFile] = []
    problems: list[str] = []
    total = 0
    max_total = settings.HELPDESK_MAX_TICKET_ATTACHMENT_BYTES
    for part in parts:
        upload = _as_upload(part)
        try:
            (checked,) = check_files([upload])
        except ValidationError as error:
            problems.extend(error.messages)
            continue
        if len(accepted) >= MAX_FILES:
            problems.append(
                _("El archivo «%(name)s» no se guardó: se admiten como máximo %(max)d archivos por correo.")
                % {"name": checked.display_name, "max": MAX_FILES}
            )
            continue
        if total + checked.size > max_total:
            problems.append(
                _("El archivo «%(name)s» no se guardó: los adjuntos superan el máximo de %(max)s por correo.")
                % {"name": checked.display_name, "max": format_size(max_total)}
            )
            continue
        total += checked.size
        accepted.append(checked)
    return accepted, problems


def _store_attachments(ticket: Ticket, message: Message | None, files: list[CheckedFile], problems: list[str]) -> None:
    attachments_store(ticket=ticket, files=files, message=message)
    if problems:
        # Nothing is lost silently: the agent sees what was left out and why.
        # (No tickets service adds a system note without a staff author, hence the row here.)
        Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.INTERNAL_NOTE,
            author=None,
            body=_("Adjuntos del correo que no se guardaron:")
            + "\n"
            + "\n".join(f"- {problem}" for problem in problems),
        )


# The service -------------------------------------------------------------------


def email_receive(*, message: AnymailInboundMessage) -> Ticket | None:
    """Receive one inbound email: None when ignored (auto-reply, bounce, our own mail);
    otherwise the ticket it joined or opened. All in one transaction."""
    reason = email_ignore_reason(message)
    if reason is not None:
        logger.info("Inbound email ignored: %s", reason)
        return None

    sender = _sender(message)
    address = sender.addr_spec.strip()
    raw_subject = message_subject(message)
    forwarded = bool(FORWARD_PREFIX_RE.match(raw_subject))
    files, problems = check_email_attachments(_attachment_parts(message))

    message_id = InboundEmail.normalize(_header(message, "Message-ID"))

    with transaction.atomic():
        receipt = None
        if message_id:
            receipt, created = InboundEmail.objects.get_or_create(
                key=InboundEmail.key_for(message_id), defaults={"message_id": message_id[:255]}
            )
            if not created:
                logger.info("Inbound email %s was already received: ignored", message_id)
                return receipt.ticket
        ticket = _receive(
            message=message,
            sender=sender,
            address=address,
            raw_subject=raw_subject,
            forwarded=forwarded,
            files=files,
            problems=problems,
        )
        if receipt is not None:
            receipt.ticket = ticket
            receipt.save(update_fields=["ticket"])
        return ticket


def _receive(*, message, sender, address: str, raw_subject: str, forwarded: bool, files, problems) -> Ticket:
    """Thread the message into the ticket it answers, or open a new one."""
    empty_body = _("(mensaje sin texto)")
    thread = _thread(message, raw_subject, address)
    target = thread.ticket
    if target is not None:
        body = message_body(message, trim=True) or empty_body
        try:
            with transaction.atomic():
                added = ticket_add_message(ticket=target, kind=Message.Kind.FROM_REQUESTER, body=body)
        except ValidationError as error:
            if getattr(error, "code", None) != "final":
                raise
            logger.info("Inbound email answers %s, which is final: a new ticket", target.reference)
        else:
            _store_attachments(target, added, files, problems)
            logger.info("Inbound email joined %s", target.reference)
            return Ticket.objects.get(pk=target.pk)
        description = (
            _("Respuesta por correo al ticket %(reference)s, que ya estaba %(state)s:")
            % {"reference": target.reference, "state": target.get_state_display().lower()}
            + "\n\n"
            + body
        )
    else:
        # A forwarded message is the report itself: keep what was forwarded.
        description = message_body(message, trim=not forwarded) or empty_body

    requester = contact_for_report(name=_sender_name(sender), email=address)
    ticket = ticket_open(
        requester=requester,
        subject=clean_subject(raw_subject),
        description=description,
        channel=Ticket.Channel.EMAIL,
    )
    _store_attachments(ticket, None, files, problems)
    if thread.mentions is not None:
        _link(ticket, thread, address)
    logger.info("Inbound email opened %s (%s)", ticket.reference, ticket.state)
    return ticket


@dataclass(frozen=True)
class Received:
    """What became of one raw message: its ticket, or why it was ignored (Spanish)."""

    ticket: Ticket | None
    ignored: str = ""


def email_receive_raw(*, raw: bytes) -> Received:
    """Receive one raw message (an MTA's pipe). A malformed message is ignored with its
    reason, never an exception; only a failure to store it (the database) raises."""
    try:
        message = email_parse(raw)
    except Exception:  # see the module's docstring
        reason = _("el correo no se puede leer (estructura MIME mal formada)")
    else:
        reason = email_ignore_reason(message)
    if reason is not None:
        logger.info("Inbound email ignored: %s", reason)
        return Received(ticket=None, ignored=reason)
    ticket = email_receive(message=message)
    if ticket is None:  # received before, and that delivery has not linked its ticket yet
        return Received(ticket=None, ignored=_("el correo ya se había recibido (mismo Message-ID)"))
    return Received(ticket=ticket)


def inbound_received(sender, event, esp_name=None, **kwargs) -> None:
    """anymail's `inbound` signal: one webhook event, one message. An error propagates,
    so the webhook answers 500 and the ESP retries later."""
    message = getattr(event, "message", None)
    if message is None:
        logger.warning("Inbound %s event without a message ignored", esp_name or "email")
        return
    email_receive(message=message)
