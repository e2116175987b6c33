"""Forms of the review workflow: the source picker and the version a catalog form was rendered from."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.core import signing
from django.db import models

from catalog.models import Source
from catalog.review.models import ChangeItem, ChangeSet
from catalog.review.services import editable_fields, live_json, row_changes_since, value_from_json

RENDERED_FIELDS = ("rendered_version", "rendered_values")
_SALT = "catalog.review.rendered-values"


class SourceChoiceMixin(forms.Form):
    """Pick an existing source, or give a new URL + title (created on save)."""

    proposal_source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        label="Source",
        help_text="The page that backs this change. Every change needs a source before it can be submitted.",
        widget=AutocompleteSelect(ChangeItem._meta.get_field("source"), admin.site),
    )
    proposal_source_url = forms.URLField(required=False, max_length=500, label="…or a new source URL")
    proposal_source_title = forms.CharField(required=False, max_length=300, label="New source title")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        url = cleaned.get("proposal_source_url")
        if url and cleaned.get("proposal_source"):
            self.add_error("proposal_source_url", "Pick an existing source or enter a new URL, not both.")
        elif url and not cleaned.get("proposal_source_title") and not Source.objects.filter(url=url).exists():
            self.add_error("proposal_source_title", "Give the new source a title.")
        return cleaned

    def chosen_source(self) -> Source | None:
        if self.cleaned_data.get("proposal_source"):
            return self.cleaned_data["proposal_source"]
        url = self.cleaned_data.get("proposal_source_url")
        if not url:
            return None
        source, _ = Source.objects.get_or_create(
            url=url,
            defaults={"title": self.cleaned_data["proposal_source_title"], "retrieved_on": datetime.date.today()},
        )
        return source


class RenderedVersionMixin(forms.ModelForm):
    """A catalog form that remembers the row version and values it was rendered with.

    Changes are computed against those values, not the live row at POST time, so a field the editor did
    not touch never becomes a proposal. If the row moved meanwhile, saving is refused with a message naming
    what changed and who approved it; the editor's own edits stay in the form, redrafted onto the new values.
    """

    rendered_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    rendered_values = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.moved_message = ""
        self.rendered_missing = False
        instance = self.instance
        if instance.pk is None or not hasattr(instance, "version") or instance._state.adding:
            return
        names = self._tracked_fields()
        if not self.is_bound:
            self.initial["rendered_version"] = instance.version
            self.initial["rendered_values"] = self._sign(instance, names)
            return
        try:
            version = int(self.data.get(self.add_prefix("rendered_version"), ""))
            rendered = signing.loads(self.data.get(self.add_prefix("rendered_values"), ""), salt=_SALT)
        except (ValueError, signing.BadSignature):
            self.rendered_missing = True
            return
        for name, value in rendered.items():
            if name in names:
                self.initial[name] = value_from_json(names[name], value)
        if version == instance.version:
            return
        moved = {name for name in names if name in rendered and live_json(instance, names[name]) != rendered[name]}
        if moved:
            self._refuse(instance, names, rendered, moved, version)

    def _tracked_fields(self) -> dict[str, models.Field]:
        return {f.name: f for f in editable_fields(type(self.instance)) if f.name in self.fields}

    def _sign(self, instance: models.Model, names: dict[str, models.Field]) -> str:
        return signing.dumps({name: live_json(instance, f) for name, f in names.items()}, salt=_SALT)

    def _refuse(self, instance, names, rendered, moved, version) -> None:
        """Name what moved; keep the editor's edits, put the live value in every field they did not edit."""
        edited = {name for name in self.changed_data if name in names}
        by = row_changes_since(obj=instance, version=version)
        parts = []
        for name in sorted(moved, key=list(names).index):
            f = names[name]
            who = next((cs.describe_decision() for cs, fields in by if name in fields), "")
            clash = " (you edited it too: your value is kept, check it)" if name in edited else ""
            parts.append(
                f"{f.verbose_name}: {_shown(rendered[name])} → {_shown(live_json(instance, f))}"
                + (f" by {who}" if who else "")
                + clash
            )
        self.moved_message = (
            f"“{instance}” changed while you were editing it: {'; '.join(parts)}. Nothing was proposed. "
            "The form now shows the live values with your edits on top: check them and save again."
        )
        data = self.data.copy()
        for name in moved - edited:
            _put(data, self.add_prefix(name), self.fields[name], names[name].value_from_object(instance))
            self.initial[name] = names[name].value_from_object(instance)
        data[self.add_prefix("rendered_version")] = str(instance.version)
        data[self.add_prefix("rendered_values")] = self._sign(instance, names)
        self.data = data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.rendered_missing:
            raise forms.ValidationError(
                "This form does not say which version of the row it was opened on: reload the page and edit again."
            )
        if self.moved_message:
            raise forms.ValidationError(self.moved_message, code="stale")
        return cleaned


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    return str(value)


def _put(data, key: str, formfield: forms.Field, value: Any) -> None:
    """Write a Python value into form data the way the field's widget reads it back."""
    widget = formfield.widget
    if isinstance(widget, forms.CheckboxSelectMultiple | forms.SelectMultiple):
        data.setlist(key, [str(v) for v in (value or [])])
    elif isinstance(widget, forms.NullBooleanSelect):
        data[key] = {True: "true", False: "false"}.get(value, "unknown")
    elif isinstance(widget, forms.CheckboxInput):
        if value:
            data[key] = "on"
        else:
            data.pop(key, None)
    elif value is None:
        data[key] = ""
    else:
        prepared = formfield.prepare_value(value)
        if isinstance(prepared, list):
            prepared = json.dumps(prepared)
        data[key] = str(prepared)


class ModalitiesField(forms.MultipleChoiceField):
    """Checkboxes over the modality vocabulary; none ticked means "not yet sourced" (NULL)."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, vocabulary: tuple[str, ...], **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        super().__init__(choices=[(m, m) for m in vocabulary], required=False, **kwargs)
        self.vocabulary = vocabulary

    def prepare_value(self, value: Any) -> Any:
        return value or []

    def clean(self, value: Any) -> list[str] | None:
        chosen = super().clean(value)
        return [m for m in self.vocabulary if m in chosen] or None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return sorted(initial or []) != sorted(data or [])


class DraftChoiceMixin(forms.Form):
    """Which of the editor's named drafts a save goes into (the admin sets the queryset per user)."""

    proposal_draft = forms.ModelChoiceField(
        queryset=ChangeSet.objects.none(),
        required=False,
        label="Draft",
        empty_label="My newest draft (or a new one)",
        help_text="Keep unrelated work apart: each draft is reviewed on its own.",
    )
    proposal_new_draft = forms.CharField(required=False, max_length=120, label="…or start a new draft named")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("proposal_draft") and cleaned.get("proposal_new_draft"):
            self.add_error("proposal_new_draft", "Pick a draft or name a new one, not both.")
        return cleaned


class ProposalForm(RenderedVersionMixin, DraftChoiceMixin, SourceChoiceMixin, forms.ModelForm):
    pass


class VersionedInlineForm(RenderedVersionMixin, forms.ModelForm):
    pass


class CiteSourceForm(SourceChoiceMixin):
    pass
