"""The names a person reads for a dimension's values: the rollup keeps ids and codes
(reports.facts.dimension_values), the pages, exports and emails show these. One query for
the values of a dimension that are rows of the database (module, agent, organization);
none for the others."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import SupportLevel
from catalog.models import Module
from customers.models import Organization
from tickets.models import Priority, Ticket

from .models import Dimension

# A ticket without a module, an agent or an organization counts under "".
NONE_LABELS = {
    Dimension.MODULE: _("Sin módulo"),
    Dimension.AGENT: _("Sin asignar"),
    Dimension.ORGANIZATION: _("Sin organización"),
}

CHOICES = {
    Dimension.LEVEL: {str(value): label for value, label in SupportLevel.choices},
    Dimension.PRIORITY: {str(value): label for value, label in Priority.choices},
    Dimension.CHANNEL: dict(Ticket.Channel.choices),
    Dimension.KIND: dict(Ticket.Kind.choices),
}


def labels(dimension: str, values) -> dict[str, str]:
    """value → its label, for `values` of `dimension`; a value that is no longer a row
    (a deleted module, say) reads as its id with a note."""
    values = [str(value) for value in values]
    dimension = Dimension(dimension)
    found: dict[str, str] = {}
    if dimension == Dimension.ALL:
        return {value: str(_("Toda la mesa")) for value in values}
    ids = [int(value) for value in values if value.isdigit()]
    if dimension == Dimension.MODULE:
        found = {str(pk): name for pk, name in Module.objects.filter(pk__in=ids).values_list("pk", "name")}
    elif dimension == Dimension.ORGANIZATION:
        found = {str(pk): name for pk, name in Organization.objects.filter(pk__in=ids).values_list("pk", "name")}
    elif dimension == Dimension.AGENT:
        users = get_user_model().objects.filter(pk__in=ids).only("pk", "first_name", "last_name", "username")
        found = {str(user.pk): str(user) for user in users}  # accounts.User: the full name or the username
    else:
        found = {value: str(label) for value, label in CHOICES[dimension].items()}
    result = {}
    for value in values:
        if value == "" and dimension in NONE_LABELS:
            result[value] = str(NONE_LABELS[dimension])
        elif value in found:
            result[value] = found[value]
        else:
            result[value] = str(_("%(value)s (ya no existe)") % {"value": value})
    return result


def label(dimension: str, value: str) -> str:
    return labels(dimension, [value])[str(value)]
