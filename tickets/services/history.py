"""Ticket history rows: one per change, with the old and new values and how they read."""

from __future__ import annotations

from accounts.models import SupportLevel

from ..models import Impact, Priority, Ticket, TicketChange, Urgency


def _display(field: str, value) -> str:
    if value in (None, ""):
        return "—"
    labels = {
        TicketChange.Field.CREATED: Ticket.State,
        TicketChange.Field.STATE: Ticket.State,
        TicketChange.Field.URGENCY: Urgency,
        TicketChange.Field.IMPACT: Impact,
        TicketChange.Field.LEVEL: SupportLevel,
        TicketChange.Field.KIND: Ticket.Kind,
    }
    if field == TicketChange.Field.PRIORITY:
        return f"{value} · {Priority(value).label}"
    choices = labels.get(field)
    if choices is not None:
        return str(choices(value).label)
    return str(value)


def _raw(value) -> str:
    if value is None:
        return ""
    return str(getattr(value, "pk", value))


def record_change(*, ticket: Ticket, actor, field: str, old, new, note: str = "") -> TicketChange:
    """One history row. `old`/`new` are codes, numbers or model instances."""
    change = history_row(ticket=ticket, actor=actor, field=field, old=old, new=new, note=note)
    change.save(force_insert=True)
    return change


def history_row(*, ticket: Ticket, actor, field: str, old, new, note: str = "") -> TicketChange:
    """The history row `record_change` writes, not saved yet (for a bulk_create of several)."""
    return TicketChange(
        ticket=ticket,
        actor=actor,
        field=field,
        old_value=_raw(old),
        new_value=_raw(new),
        old_display=_display(field, old) if not hasattr(old, "pk") else str(old),
        new_display=_display(field, new) if not hasattr(new, "pk") else str(new),
        note=note,
    )
