"""`{{ event|sla_event_sentence }}`: an SLA event's sentence (sla.display) in a template."""

from django import template

from sla.display import sla_event_sentence as _sentence

register = template.Library()


@register.filter
def sla_event_sentence(event) -> str:
    return _sentence(event)
