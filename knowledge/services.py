"""The knowledge base's use cases: writing, publishing and archiving an article, restoring
a revision, and an agent's solution made into a draft. Each writes its revision row here,
explicitly."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed, has_transition_perm

from tickets.models import Ticket

from .models import Article, ArticleRevision, ArticleSuggestion, ArticleVote, Deflection

ADD_PERMISSION = "knowledge.add_article"
CHANGE_PERMISSION = "knowledge.change_article"

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number: seven or more digits with the usual separators, an optional country code;
# not a date (2026-11-23, 23/11/2026) nor a version (10.2.3).
PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d\s()-]{5,}\d(?![\w])")
DATE = re.compile(r"\d{1,4}[-/]\d{1,2}[-/]\d{1,4}")
PHONE_MIN_DIGITS = 7
REDACTED = "[…]"


def _write_revision(article: Article, by) -> ArticleRevision:
    last = article.revisions.aggregate(last=Max("number"))["last"] or 0
    return ArticleRevision.objects.create(
        article=article, number=last + 1, title=article.title, body=article.body, author=by
    )


def _require(user, permission: str) -> None:
    if user is None or not user.is_active or not user.has_perm(permission):
        raise PermissionDenied(_("No tiene permiso para escribir artículos."))


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update(no_key=True).get(pk=article.pk)


def article_create(
    *,
    by,
    title: str,
    body: str,
    keywords: str = "",
    visibility: str = Article.Visibility.INTERNAL,
    modules=(),
    source_ticket: Ticket | None = None,
) -> Article:
    """A new draft, with its first revision. Needs knowledge.add_article (agents and
    coordinators)."""
    _require(by, ADD_PERMISSION)
    if not title.strip() or not body.strip():
        raise ValidationError(_("El artículo necesita título y contenido."))
    with transaction.atomic():
        article = Article.objects.create(
            title=title.strip(),
            body=body.strip(),
            keywords=keywords.strip(),
            visibility=visibility,
            source_ticket=source_ticket,
            created_by=by,
            updated_by=by,
        )
        article.modules.set(modules)
        _write_revision(article, by)
        return article


def article_update(*, article: Article, by, **fields) -> Article:
    """Change any of title, body, keywords, visibility and modules; a change of title or
    body writes a revision. Needs knowledge.change_article."""
    _require(by, CHANGE_PERMISSION)
    allowed = {"title", "body", "keywords", "visibility", "modules"}
    if unknown := set(fields) - allowed:
        raise TypeError(f"article_update does not change {sorted(unknown)}")
    with transaction.atomic():
        locked = _locked(article)
        modules = fields.pop("modules", None)
        for name in ("title", "body", "keywords"):
            if name in fields:
                fields[name] = fields[name].strip()
        if ("title" in fields and not fields["title"]) or ("body" in fields and not fields["body"]):
            raise ValidationError(_("El artículo necesita título y contenido."))
        if fields.get("visibility", locked.visibility) not in Article.Visibility.values:
            raise ValidationError(_("Visibilidad desconocida."))
        text_changed = any(getattr(locked, name) != fields[name] for name in ("title", "body") if name in fields)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.updated_by = by
        locked.save()
        if modules is not None:
            locked.modules.set(modules)
        if text_changed:
            _write_revision(locked, by)
        return locked


def _transition(article: Article, name: str, user, **kwargs) -> Article:
    with transaction.atomic():
        locked = _locked(article)
        method = getattr(locked, name)
        if not can_proceed(method):
            raise ValidationError(
                _("Un artículo en estado %(state)s no admite ese cambio.") % {"state": locked.get_state_display()}
            )
        if not has_transition_perm(method, user):
            raise PermissionDenied(_("No tiene permiso para publicar ni archivar artículos."))
        method(**kwargs)
        locked.updated_by = user
        locked.save()
        return locked


def article_publish(*, article: Article, by) -> Article:
    """A draft made readable (by requesters too if it is public); who and when recorded.
    Needs knowledge.publish_article."""
    return _transition(article, "publish", by, by=by, at=timezone.now())


def article_archive(*, article: Article, by) -> Article:
    """Out of every search; needs knowledge.publish_article."""
    return _transition(article, "archive", by)


def article_unarchive(*, article: Article, by) -> Article:
    """An archived article back to a draft, to be edited; needs knowledge.change_article."""
    _require(by, CHANGE_PERMISSION)
    return _transition(article, "unarchive", by)


def article_restore_revision(*, revision: ArticleRevision, by) -> Article:
    """The article's title and body as the revision had them, written as a new revision.
    Needs knowledge.change_article."""
    _require(by, CHANGE_PERMISSION)
    with transaction.atomic():
        locked = _locked(revision.article)
        locked.restore_revision(revision)
        locked.updated_by = by
        locked.save()
        _write_revision(locked, by)
        return locked


def _redact_phone(match: re.Match) -> str:
    number = match.group(0)
    if DATE.fullmatch(number.strip()) or sum(c.isdigit() for c in number) < PHONE_MIN_DIGITS:
        return number
    return REDACTED


def without_requester(text: str, ticket: Ticket) -> str:
    """The text with no email address, phone number, nor the requester's or the
    organization's name (whole or each word of a person's name, in any case)."""
    text = EMAIL.sub(REDACTED, text)
    text = PHONE.sub(_redact_phone, text)
    names = []
    requester = ticket.requester
    if requester.name.strip():
        names.append(requester.name.strip())
        names.extend(part for part in requester.name.split() if len(part) >= 3)
    for organization in {ticket.organization, requester.organization} - {None}:
        names.append(organization.name.strip())
    for name in sorted(set(names), key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    return text


def solution_may_become_article(ticket: Ticket) -> bool:
    """Whether `article_from_ticket` accepts the ticket: solved or closed, with a solution."""
    return ticket.state in (Ticket.State.SOLVED, Ticket.State.CLOSED) and bool(ticket.solution.strip())


def article_from_ticket(*, ticket: Ticket, by) -> Article:
    """A draft from a solved or closed ticket's solution: its subject as title, its
    solution as body and its module, internal, nothing of the requester copied
    (without_requester). A coordinator reviews and publishes it."""
    if not solution_may_become_article(ticket):
        raise ValidationError(_("Solo la solución de un ticket solucionado o cerrado puede ser un artículo."))
    return article_create(
        by=by,
        title=without_requester(ticket.subject, ticket)[:200],
        body=without_requester(ticket.solution, ticket),
        visibility=Article.Visibility.INTERNAL,
        modules=[ticket.module] if ticket.module_id else [],
        source_ticket=ticket,
    )


# What requesters do with the public articles ------------------------------------------


def article_viewed(*, article: Article) -> None:
    """One more reading of a published article (one statement; neither a revision nor a
    change of `updated_at`)."""
    Article.objects.published().filter(pk=article.pk).update(views=F("views") + 1)


def article_vote(*, article: Article, browser: str, helpful: bool) -> bool:
    """This browser's "¿Le sirvió?" on a public article, once: False (nothing changes)
    when it had voted on it already. `browser`: a digest identifying the browser."""
    if not article.is_public:
        raise ValidationError(_("Solo se vota por un artículo publicado para todos."))
    with transaction.atomic():
        _vote, created = ArticleVote.objects.get_or_create(
            article=article, browser=browser[:64], defaults={"helpful": helpful}
        )
        if not created:
            return False
        counter = "helpful_yes" if helpful else "helpful_no"
        Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    return True


def deflection_record(*, article: Article) -> Deflection:
    """A requester who read a suggested public article instead of sending their report."""
    if not article.is_public:
        raise ValidationError(_("Solo un artículo publicado para todos resuelve un reporte."))
    return Deflection.objects.create(article=article)


def suggestions_record(*, ticket: Ticket, article_ids) -> int:
    """The public articles suggested beside the report form before `ticket` was sent
    anyway; ids of articles that are no longer public are ignored. How many were kept."""
    ids = {int(pk) for pk in article_ids if str(pk).isdigit()}
    if not ids:
        return 0
    public = Article.objects.public().filter(pk__in=ids).values_list("pk", flat=True)
    rows = [ArticleSuggestion(ticket=ticket, article_id=pk, at=ticket.created_at) for pk in public]
    ArticleSuggestion.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
