"""The forms of the knowledge base's pages for agents: the article's editor and the list's
filters. Saving goes through knowledge.services; these only read what was typed."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import Module
from knowledge.models import Article

# The longest body the editor and its preview accept (a long article is ~20 000 characters).
BODY_MAX_LENGTH = 100_000


def article_version(article: Article) -> str:
    """What the editor remembers of the article it opened: its last change's moment, which
    every save and every change of state moves (views and votes do not)."""
    return article.updated_at.isoformat()


class ArticleForm(forms.Form):
    """Title, Markdown body, keywords, visibility and modules. Editing an article also
    carries `version` (article_version when the form was opened), to refuse a save over
    somebody else's newer change (is_stale)."""

    title = forms.CharField(label=_("Título"), max_length=200)
    body = forms.CharField(
        label=_("Contenido"),
        max_length=BODY_MAX_LENGTH,
        help_text=_("En Markdown: **negrita**, *cursiva*, listas con «-», enlaces [texto](https://…)."),
        widget=forms.Textarea(attrs={"rows": 16, "class": "article-body-input"}),
    )
    keywords = forms.CharField(
        label=_("Palabras clave"),
        max_length=300,
        required=False,
        help_text=_("Otras palabras con que se busca el artículo, separadas por comas."),
    )
    visibility = forms.ChoiceField(
        label=_("Visibilidad"),
        choices=Article.Visibility.choices,
        initial=Article.Visibility.INTERNAL,
        widget=forms.RadioSelect,
        help_text=_("«Público»: los solicitantes lo leen en la ayuda una vez publicado."),
    )
    modules = forms.ModelMultipleChoiceField(
        label=_("Módulos"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, article: Article | None = None, **kwargs):
        self.article = article
        if article is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": article.title,
                "body": article.body,
                "keywords": article.keywords,
                "visibility": article.visibility,
                "modules": list(article.modules.all()),
                "version": article_version(article),
            }
        super().__init__(*args, **kwargs)
        # The active modules, and those the article already has though no longer active
        # (so that saving does not drop them).
        chosen = Q(is_active=True)
        if article is not None:
            chosen |= Q(articles=article)
        self.fields["modules"].queryset = Module.objects.filter(chosen).distinct().order_by("name")
        # The live preview: the body posted (with the form) while typing, after a pause.
        self.fields["body"].widget.attrs.update(
            {
                "hx-post": reverse("workspace:article-preview"),
                "hx-trigger": "input changed delay:500ms",
                "hx-target": "#article-preview",
                "hx-sync": "this:replace",
            }
        )

    def service_fields(self) -> dict:
        """What article_create and article_update take, from the valid form."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body": data["body"],
            "keywords": data["keywords"],
            "visibility": data["visibility"],
            "modules": list(data["modules"]),
        }

    def is_stale(self, current: Article) -> bool:
        """True when `current` (read under lock) changed since this form was opened."""
        return self.cleaned_data.get("version") != article_version(current)

    def renew_version(self, current: Article) -> None:
        """After a refused stale save: what was typed stays, and saving again (once the
        user has read the newer version) writes over it."""
        self.data = self.data.copy()
        self.data["version"] = article_version(current)


class ArticleListForm(forms.Form):
    """The list's filters (GET). Every one is optional; an unknown value is reported."""

    STATES = [("", _("Todos")), *Article.State.choices]

    estado = forms.ChoiceField(label=_("Estado"), choices=STATES, required=False)
    visibilidad = forms.ChoiceField(
        label=_("Visibilidad"), choices=[("", _("Cualquiera")), *Article.Visibility.choices], required=False
    )
    modulo = forms.ModelChoiceField(
        label=_("Módulo"), queryset=Module.objects.order_by("name"), required=False, empty_label=_("Cualquiera")
    )
    q = forms.CharField(
        label=_("Palabras"),
        max_length=100,
        required=False,
        help_text=_("En el título o las palabras clave."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )

    def filtered(self, articles):
        """`articles` narrowed by the filters whose values are valid (an invalid one is
        left out, and reported by the page)."""
        self.is_valid()
        data = self.cleaned_data
        if state := data.get("estado"):
            articles = articles.filter(state=state)
        if visibility := data.get("visibilidad"):
            articles = articles.filter(visibility=visibility)
        if module := data.get("modulo"):
            articles = articles.filter(modules=module)
        if words := (data.get("q") or "").split():
            for word in words:
                articles = articles.filter(Q(title__icontains=word) | Q(keywords__icontains=word))
        return articles
