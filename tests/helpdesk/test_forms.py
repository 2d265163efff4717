"""Every form field of the project is drawn by one template (helpdesk.forms.FormRenderer):
label, required mark, help text the widget points at, and errors."""

import re

from django import forms

from helpdesk.forms import FormRenderer


class SampleForm(forms.Form):
    name = forms.CharField(label="Nombre", help_text="Como aparece en la póliza.")
    note = forms.CharField(label="Nota", required=False)
    kind = forms.ChoiceField(label="Tipo", choices=[("a", "Uno"), ("b", "Dos")], widget=forms.RadioSelect)


def test_the_project_renders_fields_with_its_own_template():
    assert isinstance(SampleForm().renderer, FormRenderer)


def test_a_field_has_its_label_required_mark_and_described_help_text():
    html = SampleForm()["name"].as_field_group()

    assert '<label for="id_name">Nombre <span class="required" aria-hidden="true">*</span></label>' in html
    assert re.search(r'<input [^>]*aria-describedby="id_name_helptext"', html)
    assert '<p class="hint" id="id_name_helptext">Como aparece en la póliza.</p>' in html


def test_an_optional_field_has_no_required_mark_nor_help_text():
    html = SampleForm()["note"].as_field_group()

    assert '<label for="id_note">Nota</label>' in html
    assert "required" not in html and "hint" not in html


def test_a_field_with_errors_shows_them_under_it():
    form = SampleForm(data={})
    form.is_valid()

    html = form["name"].as_field_group()

    assert '<div class="field has-error">' in html
    assert '<p class="field-error">Este campo es obligatorio.</p>' in html


def test_a_field_with_errors_points_at_its_help_text_and_its_errors():
    form = SampleForm(data={})
    form.is_valid()

    html = form["name"].as_field_group()

    assert re.search(r'<input [^>]*aria-invalid="true"[^>]*aria-describedby="id_name_helptext id_name_error"', html)
    assert '<p class="hint" id="id_name_helptext">' in html
    assert '<div class="field-errors" id="id_name_error"><p class="field-error">Este campo es obligatorio.</p></div>' in html


def test_a_group_of_choices_with_errors_points_at_them_from_its_fieldset():
    form = SampleForm(data={})
    form.is_valid()

    html = form["kind"].as_field_group()

    assert html.startswith('<fieldset class="field choices has-error" aria-describedby="id_kind_error">')
    assert '<div class="field-errors" id="id_kind_error"><p class="field-error">Este campo es obligatorio.</p></div>' in html


def test_radio_choices_are_a_fieldset_with_a_legend():
    html = SampleForm()["kind"].as_field_group()

    assert html.startswith('<fieldset class="field choices">')
    assert "<legend>Tipo" in html
    assert '<label class="choice" for="id_kind_0"><input type="radio"' in html
