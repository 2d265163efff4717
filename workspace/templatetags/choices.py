"""`{{ ticket|label:"state" }}`: what `ticket.get_state_display` shows, from the field's
choices read once per language. Django's get_FOO_display() rebuilds and translates every
choice of the field on each call, which on the ticket page (a label for each message and
history row) costs more than the rest of the timeline."""

from functools import lru_cache

from django import template
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=512)
def _labels(field, language: str | None) -> dict:
    return {value: str(text) for value, text in field.flatchoices}


@register.filter
def label(instance, field_name: str):
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return _labels(field, get_language()).get(value, value)
