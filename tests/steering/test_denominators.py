"""An institution's enrolled learners (the table with totals, one figure on a form) and the
national totals entered by steering: replacement, bad input refused with nothing stored,
and who may see what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from palier.accounts.roles import Role
from palier.frameworks.models import Population
from palier.steering.choices import DenominatorSource
from palier.steering.denominator_services import (
    DenominatorError,
    EnrolmentCell,
    save_national_total,
    set_enrolments,
)
from palier.steering.models import Enrolment, NationalTotal
from palier.steering.years import academic_year
from tests.factories import make_user

pytestmark = [pytest.mark.django_db]


def population(code: str) -> Population:
    return Population.objects.get(code=code)


def page(name: str, *args: object) -> str:
    return reverse(f"steering_denominators:{name}", args=args)


@pytest.fixture
def steering(framework):
    return make_user("pilotage@example.org", roles=(Role.STEERING,))


# --- an institution's figures -------------------------------------------------------------


def test_the_table_shows_each_year_with_totals_by_year_of_study_and_population(
    client, org, org_admin
):
    nursing, medicine = population("soins-infirmiers"), population("medecine")
    set_enrolments(
        org,
        org_admin,
        [
            EnrolmentCell(nursing, 1, 2025, 1200),
            EnrolmentCell(nursing, 2, 2025, 95),
            EnrolmentCell(medicine, 1, 2025, 300),
            EnrolmentCell(nursing, 1, 2024, 101),
        ],
        DenominatorSource.FORM,
    )
    client.force_login(org_admin)
    response = client.get(page("organisation", org.slug))
    assert response.status_code == 200
    first, second = response.context["tables"]
    assert (first.label, second.label) == ("2025-2026", "2024-2025")
    assert first.column_totals == [1500, 95] and first.total == 1595
    assert [(row[0].code, row[1], row[2]) for row in first.rows] == [
        ("medecine", [300, None], 300),
        ("soins-infirmiers", [1200, 95], 1295),
    ]
    content = response.content.decode()
    assert "1\u00a0595" in content or "1 595" in content  # grouped the French way
    assert "Année universitaire 2024-2025" in content


def test_a_declared_figure_is_stored_then_replaced(client, org, org_admin):
    client.force_login(org_admin)
    year = academic_year(timezone.localdate())
    fields = {
        "population": population("soins-infirmiers").pk,
        "year_of_study": 2,
        "academic_year": year,
        "learners": 104,
    }
    response = client.post(page("declare", org.slug), fields)
    assert response.status_code == 302
    assert response["Location"] == page("organisation", org.slug)
    enrolment = Enrolment.objects.get(organisation=org)
    assert (enrolment.learners, enrolment.source) == (104, DenominatorSource.FORM)
    client.post(page("declare", org.slug), {**fields, "learners": 110})
    replaced = Enrolment.objects.get(organisation=org)
    assert replaced.pk == enrolment.pk and replaced.learners == 110
    assert replaced.declared_at >= enrolment.declared_at


@pytest.mark.parametrize(
    "change",
    [
        {"learners": -1},
        {"learners": "douze"},
        {"year_of_study": 7},
        {"academic_year": 2019},
        {"population": 999_999},
    ],
)
def test_a_bad_figure_gets_a_form_error_and_stores_nothing(client, org, org_admin, change):
    client.force_login(org_admin)
    fields = {
        "population": population("soins-infirmiers").pk,
        "year_of_study": 1,
        "academic_year": academic_year(timezone.localdate()),
        "learners": 10,
        **change,
    }
    response = client.post(page("declare", org.slug), fields)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "Le formulaire contient une erreur." in response.content.decode()
    assert Enrolment.objects.count() == 0


def test_the_service_refuses_a_cell_out_of_range_and_writes_nothing(org):
    nursing = population("soins-infirmiers")
    cells = [EnrolmentCell(nursing, 1, 2025, 10), EnrolmentCell(nursing, 1, 2025, 12)]
    with pytest.raises(DenominatorError) as caught:
        set_enrolments(org, None, cells, DenominatorSource.FORM)
    assert caught.value.code == "duplicate_cell"
    with pytest.raises(DenominatorError):
        set_enrolments(
            org,
            None,
            [EnrolmentCell(nursing, 1, 2025, 5), EnrolmentCell(nursing, 0, 2025, 1)],
            DenominatorSource.FORM,
        )
    assert Enrolment.objects.count() == 0


@pytest.mark.parametrize("name", ["organisation", "declare"])
def test_another_organisations_admin_gets_404_and_a_member_403(
    client, org, org_member, outsider, name
):
    client.force_login(outsider)
    assert client.get(page(name, org.slug)).status_code == 404
    client.force_login(org_member)
    assert client.get(page(name, org.slug)).status_code == 403


def test_an_admin_sees_only_their_organisations_figures(client, org, org_admin, outsider):
    other = outsider.memberships.get().organisation
    nursing = population("soins-infirmiers")
    set_enrolments(other, None, [EnrolmentCell(nursing, 1, 2025, 4321)], DenominatorSource.FORM)
    client.force_login(org_admin)
    response = client.get(page("organisation", org.slug))
    assert response.context["tables"] == []
    assert "4321" not in response.content.decode().replace("\u202f", "").replace(" ", "")


# --- national totals ------------------------------------------------------------------------


def total_fields(**change):
    return {
        "population": population("soins-infirmiers").pk,
        "academic_year": 2025,
        "learners": 95000,
        "source": "Enquête annuelle sur les écoles de formation aux professions de santé",
        "source_date": "2026-06-30",
        **change,
    }


def test_steering_enters_then_replaces_a_national_total(client, steering):
    client.force_login(steering)
    response = client.post(page("national_form"), total_fields())
    assert response.status_code == 302
    total = NationalTotal.objects.get()
    assert (total.learners, total.source_date, total.entered_by) == (
        95000,
        dt.date(2026, 6, 30),
        steering,
    )
    client.post(page("national_form"), total_fields(learners=96500))
    assert NationalTotal.objects.get().learners == 96500
    response = client.get(page("national"))
    content = response.content.decode()
    assert "Enquête annuelle" in content and "2025-2026" in content
    # The "replace" link opens the form filled with the figure in force.
    response = client.get(page("national_form") + "?public=soins-infirmiers&annee=2025")
    assert response.context["form"].initial["learners"] == 96500


@pytest.mark.parametrize(
    "change",
    [
        {"learners": -5},
        {"source": ""},
        {"source_date": "2099-01-01"},
        {"academic_year": 1999},
    ],
)
def test_a_bad_national_total_is_refused_with_nothing_stored(client, steering, change):
    client.force_login(steering)
    response = client.post(page("national_form"), total_fields(**change))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert NationalTotal.objects.count() == 0


def test_the_service_refuses_a_source_date_to_come(framework):
    with pytest.raises(DenominatorError) as caught:
        save_national_total(
            None,
            population("medecine"),
            2025,
            10,
            "Source",
            timezone.localdate() + dt.timedelta(days=1),
        )
    assert caught.value.code == "future_source_date"
    assert NationalTotal.objects.count() == 0


@pytest.mark.parametrize("name", ["national", "national_form"])
def test_national_totals_are_for_steering_and_administrators(client, org_admin, name):
    assert client.get(page(name)).status_code == 302  # to the login page
    client.force_login(org_admin)
    assert client.get(page(name)).status_code == 403
    assert client.post(page(name), total_fields()).status_code in {403, 405}
    client.force_login(make_user(roles=(Role.ADMINISTRATOR,)))
    assert client.get(page(name)).status_code == 200
    assert NationalTotal.objects.count() == 0


def test_the_table_takes_the_same_few_queries_whatever_the_figures(
    client, org, org_admin, django_assert_max_num_queries
):
    client.force_login(org_admin)
    url = page("organisation", org.slug)
    client.get(url)  # warm the session and the translations
    with django_assert_max_num_queries(8):
        client.get(url)
    cells = [
        EnrolmentCell(population, year_of_study, year, 10 * year_of_study)
        for population in Population.objects.all()
        for year_of_study in range(1, 7)
        for year in (2024, 2025)
    ]
    set_enrolments(org, org_admin, cells, DenominatorSource.IMPORT)
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.context["tables"]) == 2
