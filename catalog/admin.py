"""Catalog admin: one ModelAdmin per catalog entity. Editors' saves become proposals (see catalog.review.admin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.text import capfirst

from catalog.models import (
    MODALITIES,
    Benchmark,
    BenchmarkResult,
    ExternalId,
    LanguageModel,
    License,
    Offering,
    Organization,
    Price,
    Provenance,
    Provider,
    Source,
    price_row_errors,
)
from catalog.review.admin import ProposeChangesAdmin
from catalog.review.forms import RENDERED_FIELDS, ModalitiesField, VersionedInlineForm


@admin.register(Source)
class SourceAdmin(ProposeChangesAdmin):
    """A new or not yet cited source is saved at once; once cited, an edit is a proposal reviewed like any row."""

    list_display = ["title", "publisher", "url", "retrieved_on", "version"]
    list_filter = ["publisher", "retrieved_on"]
    search_fields = ["title", "url", "publisher"]
    date_hierarchy = "retrieved_on"
    delete_confirmation_template = None

    def _cited(self, request: HttpRequest, obj: Source | None) -> bool:
        if obj is None or obj.pk is None:
            return False
        cache = request.__dict__.setdefault("_cited_sources", {})
        if obj.pk not in cache:
            cache[obj.pk] = obj.is_cited()
        return cache[obj.pk]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if self._cited(request, obj) else fieldsets[:-1]

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._cited(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["cited"] = self._cited(request, obj)
            context["citing_changesets"] = obj.citing_changesets()
            context["backed_facts"] = obj.backed_facts()
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def save_model(self, request, obj, form, change):
        if change and self._cited(request, Source.objects.get(pk=obj.pk)):
            if not form.chosen_source():  # the page itself is the evidence for its new URL or title
                form.cleaned_data["proposal_source"] = Source.objects.get(pk=obj.pk)
            return super().save_model(request, obj, form, change)
        request._saved_directly = True
        if change:
            obj.version += 1  # an open form on the old version must not save over this edit
        obj.save()

    def save_related(self, request, form, formsets, change):
        if not getattr(request, "_saved_directly", False):
            super().save_related(request, form, formsets, change)

    def response_add(self, request, obj, post_url_continue=None):
        return admin.ModelAdmin.response_add(self, request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "_saved_directly", False):
            return admin.ModelAdmin.response_change(self, request, obj)
        return super().response_change(request, obj)

    def delete_model(self, request, obj):
        obj.delete()  # only uncited sources can be deleted (has_delete_permission)

    def response_delete(self, request, obj_display, obj_id):
        return admin.ModelAdmin.response_delete(self, request, obj_display, obj_id)

    def get_deleted_objects(self, objs, request):
        return admin.ModelAdmin.get_deleted_objects(self, objs, request)


@admin.register(Organization)
class OrganizationAdmin(ProposeChangesAdmin):
    list_display = ["name", "display_name", "slug", "website", "version"]
    search_fields = ["name", "display_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(License)
class LicenseAdmin(ProposeChangesAdmin):
    list_display = ["name", "kind", "slug", "url", "version"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class OfferingInline(admin.TabularInline):
    """Offerings on the model page; their saves are proposals too (see ProposeChangesAdmin.save_related)."""

    model = Offering
    form = VersionedInlineForm
    extra = 0
    fields = [*RENDERED_FIELDS, "provider", "provider_model_id", "status", "context_window", "max_output_tokens"]
    show_change_link = True  # prices are edited on the offering's own page

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Each inline row would otherwise query the provider choices again: share them per request.
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "provider":
            if not hasattr(request, "_offering_provider_choices"):
                request._offering_provider_choices = list(formfield.choices)
            formfield.choices = request._offering_provider_choices
        return formfield


@admin.register(LanguageModel)
class LanguageModelAdmin(ProposeChangesAdmin):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("input_modalities", "output_modalities"):
            return ModalitiesField(
                vocabulary=MODALITIES,
                label=capfirst(db_field.verbose_name),
                help_text="Tick each one the model accepts (input) or produces (output); none ticked: not yet sourced.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    list_display = ["name", "organization", "release_date", "context_window", "license", "status", "version"]
    list_filter = ["status", "organization", "license__kind", "reasoning", "vision", "function_calling"]
    list_select_related = ["organization", "license"]
    search_fields = ["name", "slug", "family", "organization__name"]
    autocomplete_fields = ["organization", "license", "successor"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "release_date"
    inlines = [OfferingInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "organization", "family", "description", "status"]}),
        (
            "Specs",
            {
                "fields": [
                    "release_date",
                    "context_window",
                    "max_output_tokens",
                    "parameter_count",
                    "active_parameter_count",
                    "architecture",
                    "license",
                    ("knowledge_cutoff", "knowledge_cutoff_precision"),
                    "input_modalities",
                    "output_modalities",
                ]
            },
        ),
        (
            "Capabilities (leave unknown when not sourced)",
            {
                "fields": [
                    "vision",
                    "multimodal",
                    "reasoning",
                    "function_calling",
                    "tool_use",
                    "structured_outputs",
                    "code_execution",
                ]
            },
        ),
        ("Lifecycle", {"fields": ["deprecation_date", "successor"]}),
    ]


@admin.register(Provider)
class ProviderAdmin(ProposeChangesAdmin):
    list_display = ["name", "kind", "slug", "website", "version"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class PriceInlineFormSet(forms.BaseInlineFormSet):
    """Checks the offering's price rows together (cached above input, batch above standard, tier thresholds
    beyond the context window), so an error names the row and field at fault before anything is proposed."""

    def clean(self) -> None:
        super().clean()
        offering = self.instance
        context_window = None
        if offering is not None:
            context_window = offering.context_window or (offering.model.context_window if offering.model_id else None)
        rows = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            data = form.cleaned_data
            if data.get("dimension") is None:
                continue
            key = (data["dimension"], data.get("tier") or "standard", data.get("context_threshold") or 0)
            rows.append((form, (*key, data.get("usd_per_million"))))
        seen: set[tuple] = set()
        for form, row in rows:
            if row[:3] in seen:
                form.add_error("dimension", "This offering already has a price for this dimension, tier and threshold.")
            seen.add(row[:3])
            siblings = [other for other_form, other in rows if other_form is not form]
            for name, message in price_row_errors(row, siblings, context_window).items():
                form.add_error(name, message)


class PriceInline(admin.TabularInline):
    """An offering's prices, one row per (dimension, tier, context tier); saves are proposals."""

    model = Price
    form = VersionedInlineForm
    formset = PriceInlineFormSet
    extra = 1
    fields = [*RENDERED_FIELDS, "dimension", "tier", "context_threshold", "usd_per_million"]

    def get_queryset(self, request):
        return super().get_queryset(request).in_display_order()


@admin.register(Offering)
class OfferingAdmin(ProposeChangesAdmin):
    list_display = ["model", "provider", "status", "provider_model_id", "version"]
    list_filter = ["status", "provider", "provider__kind"]
    list_select_related = ["model", "provider"]
    search_fields = ["model__name", "provider__name", "provider_model_id"]
    autocomplete_fields = ["model", "provider"]
    inlines = [PriceInline]


@admin.register(Benchmark)
class BenchmarkAdmin(ProposeChangesAdmin):
    list_display = ["name", "unit", "higher_is_better", "url", "version"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(BenchmarkResult)
class BenchmarkResultAdmin(ProposeChangesAdmin):
    list_display = ["model", "benchmark", "variant", "score", "measured_on", "self_reported", "version"]
    list_filter = ["benchmark", "self_reported"]
    list_select_related = ["model", "benchmark"]
    search_fields = ["model__name", "benchmark__name", "variant"]
    autocomplete_fields = ["model", "benchmark", "source"]


@admin.register(ExternalId)
class ExternalIdAdmin(ProposeChangesAdmin):
    """The crosswalk: an editor maps an unmatched listing by proposing a row here (reviewed like any other)."""

    list_display = ("external_id", "source", "model", "offering")
    list_filter = ("source",)
    search_fields = ("external_id",)
    autocomplete_fields = ("model",)
    raw_id_fields = ("offering",)


@admin.register(Provenance)
class ProvenanceAdmin(admin.ModelAdmin):
    list_display = ["content_type", "object_id", "field", "source", "reviewed_at", "approval"]
    list_filter = ["content_type", "field"]
    list_select_related = ["content_type", "source"]
    search_fields = ["field", "source__title", "source__url"]

    # Provenance is written only by applying a reviewed change set.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
