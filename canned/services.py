"""The canned replies' use cases: create, change and archive (docs/workspace.md, «Canned
replies»). Coordinators manage them: `canned.add_cannedreply` to create,
`canned.change_cannedreply` to change or archive (accounts/roles.py gives both to the
Coordinador role); agents only read and insert them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import BODY_MAX_LENGTH, TITLE_MAX_LENGTH, CannedReply
from .placeholders import unknown_placeholders

ADD_PERMISSION = "canned.add_cannedreply"
CHANGE_PERMISSION = "canned.change_cannedreply"
# What anyone else is told.
REFUSAL = gettext_lazy("Solo los coordinadores administran las respuestas predefinidas.")


def may_manage(user) -> bool:
    """Whether `user` may create, change and archive canned replies."""
    return bool(
        user is not None
        and user.is_active
        and user.has_perm(ADD_PERMISSION)
        and user.has_perm(CHANGE_PERMISSION)
    )


def _require(user, permission: str) -> None:
    if user is None or not user.is_active or not user.has_perm(permission):
        raise PermissionDenied(REFUSAL)


def _checked(title: str, body: str) -> tuple[str, str]:
    """The title and body to save, stripped, the body's line breaks as "\n" (a browser
    sends "\r\n"); ValidationError (by field) when one is empty, too long, or the body
    names a placeholder that does not exist."""
    title, body = title.strip(), body.replace("\r\n", "\n").replace("\r", "\n").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Escriba un título.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [_("El título admite hasta %(n)s caracteres.") % {"n": TITLE_MAX_LENGTH}]
    if not body:
        errors["body"] = [_("Escriba el texto de la respuesta.")]
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = [_("El texto admite hasta %(n)s caracteres.") % {"n": BODY_MAX_LENGTH}]
    elif unknown := unknown_placeholders(body):
        errors["body"] = [
            _(
                "No existe el marcador %(names)s: use {nombre}, {referencia}, {agente}, {modulo} o {asunto}, "
                "o quite las llaves."
            )
            % {"names": ", ".join(unknown)}
        ]
    if errors:
        raise ValidationError(errors)
    return title, body


def canned_create(*, by, title: str, body: str, module=None) -> CannedReply:
    """A new active reply, global when `module` is None."""
    _require(by, ADD_PERMISSION)
    title, body = _checked(title, body)
    return CannedReply.objects.create(title=title, body=body, module=module, created_by=by, updated_by=by)


def canned_update(*, reply: CannedReply, by, title: str, body: str, module=None) -> CannedReply:
    """Change a reply's title, text and module (the last save wins: few people edit them)."""
    _require(by, CHANGE_PERMISSION)
    title, body = _checked(title, body)
    with transaction.atomic():
        current = CannedReply.objects.select_for_update().get(pk=reply.pk)
        current.title, current.body, current.module, current.updated_by = title, body, module, by
        current.save(update_fields=["title", "body", "module", "updated_by", "updated_at"])
    return current


def canned_archive(*, reply: CannedReply, by) -> CannedReply:
    """Stop offering a reply; it stays in the list's «Archivadas» and can be restored."""
    return _set_active(reply, by, active=False)


def canned_restore(*, reply: CannedReply, by) -> CannedReply:
    """Offer an archived reply again."""
    return _set_active(reply, by, active=True)


def _set_active(reply: CannedReply, by, *, active: bool) -> CannedReply:
    _require(by, CHANGE_PERMISSION)
    with transaction.atomic():
        current = CannedReply.objects.select_for_update().get(pk=reply.pk)
        if current.is_active == active:
            raise ValidationError(
                _("La respuesta ya estaba activa.") if active else _("La respuesta ya estaba archivada.")
            )
        current.is_active, current.updated_by = active, by
        current.save(update_fields=["is_active", "updated_by", "updated_at"])
    return current
