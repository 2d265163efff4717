"""`{{ ticket|label:"state" }}`: what `ticket.get_state_display` shows, from the field's
choices read once per language. Django's get_FOO_display() rebuilds and translates every
choice of the field on each call: several milliseconds a page where every message and
history row shows one. `choice_labels` gives the same labels to Python code."""

from functools import lru_cache

from django import template
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=512)
def _labels(field, language: str | None) -> dict:
    return {value: str(text) for value, text in field.flatchoices}


def choice_labels(model, field_name: str) -> dict:
    """{value: label} of a choice field, in the active language."""
    return _labels(model._meta.get_field(field_name), get_language())


@register.filter
def label(instance, field_name: str):
    value = getattr(instance, instance._meta.get_field(field_name).attname)
    return choice_labels(instance, field_name).get(value, value)
