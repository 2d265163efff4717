"""How every form of the project draws a field: one template, templates/forms/field.html.

`{{ form.field.as_field_group }}` (and `form.as_div`) render it through this renderer,
so the label, the required mark, the help text the widget points at with
aria-describedby, and the errors are written once for every page."""

from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    # Through settings.TEMPLATES, so the project's templates/ folder is searched; Django's
    # own widget templates come from the "django.forms" app.
    field_template_name = "forms/field.html"
