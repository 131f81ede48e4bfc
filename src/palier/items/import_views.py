"""The authoring site's import page (/auteur/import/): send a JSON, CSV or QTI file, read
the report (items imported, drafts to complete and why, items skipped and why). A dry run,
checked by default, writes nothing; the same file is sent again to import it."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from palier.items.transfer import MAX_IMPORT_BYTES, read_and_import

KIND_CHOICES = (
    ("qti", _("Paquet QTI 3.0 (.zip)")),
    ("json", _("Document JSON de Palier")),
    ("csv", _("Tableau CSV de Palier")),
)


class BankImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier à importer"),
        help_text=_("20 Mo au plus. Un paquet QTI peut venir d'un autre outil."),
    )
    kind = forms.ChoiceField(label=_("Type de fichier"), choices=KIND_CHOICES, initial="qti")
    dry_run = forms.BooleanField(
        label=_("Simulation : vérifier le fichier sans rien enregistrer"),
        required=False,
        initial=True,
    )
    strict = forms.BooleanField(
        label=_("Tout ou rien : refuser le paquet QTI si un item n'est pas importable"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Fichier trop volumineux (20 Mo au plus)."))
        return upload


def import_view(site, request: HttpRequest) -> TemplateResponse:
    """The page; the authoring site's `admin_view` has checked the author's role."""
    form = BankImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = read_and_import(
            data["file"].read(),
            data["kind"],
            request.user,
            dry_run=data["dry_run"],
            strict=data["strict"],
        )
        status = 200 if report.ok else 422
    elif request.method == "POST":
        status = 422
    context = {
        **site.each_context(request),
        "title": _("Importer des items"),
        "form": form,
        "report": report,
    }
    return TemplateResponse(request, "items/import.html", context, status=status)
