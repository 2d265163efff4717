"""The queue's bulk bar (docs/workspace.md, «Bulk actions»): the selected tickets, one
action with its argument, and the query string of the view to go back to.

The action is one list: "Tomar", then "Asignar a" each agent (coordinators), then
"Cambiar el módulo a" each active module; its value is the action's name, with the
argument's id after a colon ("assign:12"). The list shows what the user may choose; the
form accepts any action by name, so that an agent asking to assign is refused by the use
case (workspace.bulk, 403) rather than told the choice is unknown."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.roles import agents, watch_grants
from catalog.models import Module
from helpdesk.process_cache import ProcessCache
from helpdesk.validation import TextField, parse_integer
from tickets.models import Ticket

from .bulk import BULK_ACTIONS, BULK_LIMIT

ARGUMENTS = {
    "assignee": lambda: agents().order_by("first_name", "last_name", "username"),
    "module": lambda: Module.objects.active().order_by("name"),
}

# The bar's lists of agents and modules, drawn on every page of the queue: kept a few
# seconds in each process, forgotten when a module, a user, a group, a permission or a
# link between them changes (helpdesk/process_cache.py). What is posted is checked
# against the database (BulkForm.clean).
BAR_OPTIONS = ProcessCache("bulk_bar_options")
BAR_OPTIONS.watch(Module, get_user_model())
watch_grants(BAR_OPTIONS)


class TicketSelectionField(forms.Field):
    """The ids of the rows' checkboxes (name "tickets"): at least one, at most BULK_LIMIT,
    each an id; the form turns them into tickets."""

    widget = forms.MultipleHiddenInput  # never drawn: each row of the queue has its checkbox

    default_error_messages = {
        "required": _("Elija al menos un ticket de la cola."),
        "too_many": _("Elija como máximo %(limit)d tickets a la vez; eligió %(count)d."),
        "invalid": _("La selección de tickets no es válida: vuelva a la cola y elija de nuevo."),
    }

    def to_python(self, value):
        values = value if isinstance(value, list | tuple) else [value] if value else []
        ids = [parse_integer(str(item)) for item in values]
        if any(pk is None for pk in ids):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return list(dict.fromkeys(ids))  # each once, in the order posted

    def validate(self, value):
        super().validate(value)
        if len(value) > BULK_LIMIT:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": BULK_LIMIT, "count": len(value)}
            )


class BulkActionField(forms.ChoiceField):
    """The action list; accepts "<name>" or "<name>:<id>" of any bulk action (see the module)."""

    def valid_value(self, value):
        name, _sep, argument = str(value).partition(":")
        action = BULK_ACTIONS.get(name)
        if action is None:
            return False
        return parse_integer(argument) is not None if action.argument else not argument


class BulkForm(forms.Form):
    tickets = TicketSelectionField()
    action = BulkActionField(
        label=_("Acción"),
        error_messages={
            "required": _("Elija qué hacer con los tickets seleccionados."),
            "invalid_choice": _("Esa acción no existe: elija una de la lista."),
        },
    )
    # The query string of the queue's view, to go back to it (never an address: no redirect elsewhere).
    query = TextField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)
        self.user = user
        if not self.is_bound:
            self.fields["action"].choices = self.action_choices()

    def action_choices(self):
        """What the bar offers this user: the actions whose permission they hold, each
        argument under its action's name."""
        choices = [("", _("Elija una acción…"))]
        for action in BULK_ACTIONS.values():
            if not self.user.has_perm(action.permission):
                continue
            if not action.argument:
                choices.append((action.name, action.label))
                continue
            items = BAR_OPTIONS.get(action.argument, lambda a=action.argument: [(i.pk, str(i)) for i in ARGUMENTS[a]()])
            options = [(f"{action.name}:{pk}", label) for pk, label in items]
            if options:
                choices.append((action.label, options))
        return choices

    def drawn_action_choices(self):
        """The action list as the bar's template draws it, by hand (Django's widget templates
        cost a millisecond a page): (group label or "", [(value, label)]) in order."""
        drawn = []
        for value, label in self.fields["action"].choices:
            if isinstance(label, list | tuple):
                drawn.append((value, list(label)))
            else:
                drawn.append(("", [(value, label)]))
        return drawn

    def clean_tickets(self):
        ids = self.cleaned_data["tickets"]
        tickets = list(Ticket.objects.defer("search_vector").filter(pk__in=ids).order_by("pk"))
        if len(tickets) != len(ids):
            raise forms.ValidationError(
                _("Alguno de los tickets elegidos ya no existe. No se cambió ninguno: vuelva a la cola y elija de nuevo."),
                code="unknown",
            )
        return tickets

    def clean(self):
        """The chosen action, and its argument among those the bar offers (an agent, an active module)."""
        cleaned = super().clean()
        if "action" not in cleaned:
            return cleaned
        name, _sep, argument = cleaned["action"].partition(":")
        cleaned["action"] = action = BULK_ACTIONS[name]
        cleaned["target"] = None
        if action.argument:
            cleaned["target"] = ARGUMENTS[action.argument]().filter(pk=parse_integer(argument)).first()
            if cleaned["target"] is None:
                self.add_error("action", _("Ese agente o módulo ya no está en la lista: elija otro."))
        return cleaned
