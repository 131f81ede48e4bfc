"""Forms of the certification centres' staff: a session, a candidate, a file of candidates."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.accounts.models import User
from palier.certification.centre_services import INVIGILATOR_PASSWORD_MIN_LENGTH, SESSION_FIELDS
from palier.certification.enrolment import MAX_EXTRA_TIME_PERCENT
from palier.certification.models import ADDRESS_MAX_LENGTH, ROOM_MAX_LENGTH, Session

# A session lasts at most this long (minutes), and gathers at most this many candidates.
MAX_DURATION_MINUTES = 240
MAX_EXPECTED_CANDIDATES = 1000
MAX_INVIGILATORS = 20
_EMAIL_SEPARATORS = re.compile(r"[\s,;]+")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class SessionForm(forms.Form):
    """A session's details, its invigilators (by e-mail) and their password."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Heure de début"), widget=TimeInput())
    room = forms.CharField(label=_("Salle"), max_length=ROOM_MAX_LENGTH)
    address = forms.CharField(
        label=_("Adresse"),
        max_length=ADDRESS_MAX_LENGTH,
        help_text=_("Adresse postale complète du lieu de l'épreuve."),
    )
    expected_candidates = forms.IntegerField(
        label=_("Nombre de candidats attendus"), min_value=1, max_value=MAX_EXPECTED_CANDIDATES
    )
    duration_minutes = forms.IntegerField(
        label=_("Durée de l'épreuve (minutes)"),
        min_value=10,
        max_value=MAX_DURATION_MINUTES,
        initial=45,
        help_text=_(
            "45 minutes en général ; le temps supplémentaire de chaque candidat s'y ajoute."
        ),
    )
    invigilator_emails = forms.CharField(
        label=_("Surveillants (adresses e-mail)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Une adresse par ligne : des surveillants de certification de la plateforme ou des "
            "membres de votre organisme."
        ),
    )
    invigilator_password = forms.CharField(
        label=_("Mot de passe de la page de surveillance"),
        required=False,
        min_length=INVIGILATOR_PASSWORD_MIN_LENGTH,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, session: Session | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session
        password = self.fields["invigilator_password"]
        if session is None:
            password.required = True
            password.help_text = _(
                "Au moins %(min)d caractères ; les surveillants le saisissent pour ouvrir la "
                "page de surveillance."
            ) % {"min": INVIGILATOR_PASSWORD_MIN_LENGTH}
        else:
            password.help_text = _("Laissez vide pour garder le mot de passe actuel.")
            if not self.is_bound:
                self.initial.update({name: getattr(session, name) for name in SESSION_FIELDS})
                self.initial["invigilator_emails"] = "\n".join(
                    session.invigilators.order_by("email").values_list("email", flat=True)
                )
            if session.status == Session.Status.OPEN:
                # Only the room and address still change on exam day.
                for name in ("date", "start_time", "expected_candidates", "duration_minutes"):
                    del self.fields[name]

    def clean_invigilator_emails(self) -> list[User]:
        emails = sorted(
            {
                e.lower()
                for e in _EMAIL_SEPARATORS.split(self.cleaned_data["invigilator_emails"])
                if e
            }
        )
        if len(emails) > MAX_INVIGILATORS:
            raise forms.ValidationError(
                _("%(max)d surveillants au plus.") % {"max": MAX_INVIGILATORS}
            )
        users = list(User.objects.filter(email__in=emails, is_active=True))
        unknown = sorted(set(emails) - {user.email for user in users})
        if unknown:
            raise forms.ValidationError(
                _("Aucun compte Palier pour : %(emails)s.") % {"emails": ", ".join(unknown)}
            )
        return users

    def session_values(self) -> dict[str, Any]:
        """The cleaned details for centre_services.create_session / update_session."""
        return {name: self.cleaned_data[name] for name in SESSION_FIELDS if name in self.fields}


class EnrolForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail du candidat"),
        help_text=_("L'adresse de son compte Palier, confirmée."),
    )
    extra_time_percent = forms.IntegerField(
        label=_("Temps supplémentaire (%)"),
        min_value=0,
        max_value=MAX_EXTRA_TIME_PERCENT,
        initial=0,
        help_text=_("Par exemple 33 pour un tiers-temps ; 0 sans aménagement."),
    )
    screen_reader = forms.BooleanField(
        label=_("Utilise un lecteur d'écran (questions compatibles uniquement)"), required=False
    )
    override_reason = forms.CharField(
        label=_("Motif de dérogation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seulement pour un candidat déjà certifié il y a moins de 12 mois."),
    )


class CandidateImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV des candidats"),
        help_text=_(
            "Une ligne par candidat, séparateur virgule ou point-virgule, encodage UTF-8 "
            "(ou Windows-1252) : voir le fichier attendu plus bas."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Simulation : vérifier le fichier sans rien enregistrer"),
        required=False,
        initial=True,
    )


class ConfirmImportForm(forms.Form):
    token = forms.CharField(max_length=200_000, widget=forms.HiddenInput)
