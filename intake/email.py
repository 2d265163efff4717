"""The email channel (seed 000: email is the official channel).

An inbound message becomes a ticket, or a line in the conversation of the ticket it
answers. Headers never control the desk: From can be forged and references are
sequential, so a message joins a ticket only through something we issued and nobody can
guess (the ticket's reply address among its recipients, or the Message-ID of an email we
sent about the ticket to that sender in In-Reply-To/References), and only when it comes
from the ticket's requester. A reference in the subject alone opens a new ticket, linked to the
one it names by an internal note on each. Nothing from the message is ever reused in an
outgoing header. Auto-replies, bounces and our own mail are ignored, so the
acknowledgement can never start a loop.
"""

from __future__ import annotations

import dataclasses
import html
import logging
import mimetypes
import re
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
from tickets.models import Message, Ticket
from tickets.services import ticket_add_message, ticket_open

from .models import InboundEmail
from .services import attachments_store, contact_for_report
from .uploads import MAX_FILES, CheckedFile, check_files, format_size

logger = logging.getLogger(__name__)

SUBJECT_MAX = 200
NAME_MAX = 200
BODY_MAX_CHARS = 100_000

AUTOMATED_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTOMATED_LOCAL_PARTS = {"mailer-daemon", "postmaster"}
REFERENCE_RE = re.compile(r"\b(INC|REQ)-(\d{6,})\b", re.IGNORECASE)
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
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Who sent it, and whether to answer at all -------------------------------------


def _own_addresses() -> set[str]:
    values = [
        getattr(settings, "DEFAULT_FROM_EMAIL", ""),
        getattr(settings, "SERVER_EMAIL", ""),
        getattr(settings, "HELPDESK_SUPPORT_EMAIL", ""),
    ]
    return {address.strip().lower() for _name, address in getaddresses([v for v in values if v]) if address}


def _sender(message: AnymailInboundMessage):
    """The single From address (an anymail EmailAddress) or None."""
    sender = message.from_email
    if sender is None or isinstance(sender, list):
        return None
    return sender


def _header(message: AnymailInboundMessage, name: str) -> str:
    value = message.get(name)
    return str(value).strip() if value is not None else ""


def email_ignore_reason(message: AnymailInboundMessage) -> str | None:
    """Why this message must not become a ticket (Spanish, for logs and the command's
    output), or None when it should be received."""
    auto_submitted = _header(message, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return _("respuesta automática (Auto-Submitted: %(value)s)") % {"value": auto_submitted}
    precedence = _header(message, "Precedence").lower()
    if precedence in AUTOMATED_PRECEDENCE:
        return _("correo masivo o automático (Precedence: %(value)s)") % {"value": precedence}
    for name in ("X-Autoreply", "X-Autorespond"):
        if message.get(name) is not None:
            return _("respuesta automática (%(header)s)") % {"header": name}
    if message.get_content_type() == "multipart/report" or _header(message, "Return-Path") == "<>":
        return _("aviso de entrega fallida (rebote)")
    if (getattr(message, "envelope_sender", None) or None) == "":
        return _("aviso de entrega fallida (rebote)")
    if message.from_email is None:
        return _("el correo no tiene remitente")
    sender = _sender(message)
    if sender is None:
        return _("el correo tiene varios remitentes")
    address = (sender.addr_spec or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        return _("el remitente «%(address)s» no es una dirección válida") % {"address": address[:100]}
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


def _clean_text(text: str) -> str:
    """No NUL or other control characters (PostgreSQL refuses NUL), bounded length."""
    text = _CONTROL_RE.sub("", text)
    if len(text) > BODY_MAX_CHARS:
        text = text[:BODY_MAX_CHARS] + "\n[…] " + _("(texto recortado)")
    return text


def message_body(message: AnymailInboundMessage, *, trim: bool = True) -> str:
    """The text part, or the HTML part made plain text; quoted history trimmed."""
    text = message.text or ""
    if not text.strip() and message.html:
        text = html_to_text(message.html)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if trim:
        text = trim_quoted(text)
    return _clean_text(text).strip()


def clean_subject(subject: str | None) -> str:
    """One line, no "RE:/RV:/Fwd:" prefixes, at most 200 characters, never empty."""
    subject = _CONTROL_RE.sub("", (subject or "").replace("\r", " ").replace("\n", " "))
    subject = SUBJECT_PREFIX_RE.sub("", subject)
    subject = re.sub(r"\s+", " ", subject).strip()
    return (subject or _("(sin asunto)"))[:SUBJECT_MAX]


def _sender_name(sender) -> str:
    name = re.sub(r"\s+", " ", _CONTROL_RE.sub("", sender.display_name or "")).strip()
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
    values = [str(value) for name in RECIPIENT_HEADERS for value in (message.get_all(name) or [])]
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
    for prefix, number in REFERENCE_RE.findall(subject or ""):
        ticket = Ticket.objects.filter(reference=f"{prefix.upper()}-{number}").first()
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
    name = part.get_filename()
    content_type = part.get_content_type()
    if not name:
        name = "adjunto" + (mimetypes.guess_extension(content_type) or "")
    try:
        content = part.get_content_bytes() or b""
    except ValueError:  # a multipart attachment: nothing to store as one file
        content = b""
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
    raw_subject = message.subject or ""
    forwarded = bool(FORWARD_PREFIX_RE.match(raw_subject))
    files, problems = check_email_attachments(message.attachments)

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


def inbound_received(sender, event, esp_name=None, **kwargs) -> None:
    """anymail's `inbound` signal: one webhook event, one message. An error propagates,
    so the webhook answers 500 and the ESP retries later."""
    message = getattr(event, "message", None)
    if message is None:
        logger.warning("Inbound %s event without a message ignored", esp_name or "email")
        return
    email_receive(message=message)
