"""The campaigns API: organisation tokens, staff operations and their isolation, joining and
sharing for learners."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from palier.assessments.services import record_answer
from palier.campaigns import services
from palier.campaigns.generate import generate_participants
from palier.campaigns.models import Campaign, Participation, SharedLevel
from palier.organisations.models import OrganisationToken
from palier.organisations.tokens import create_token
from tests.assessments.conftest import right_answer, seeded  # noqa: F401  (fixture)
from tests.factories import make_user

pytestmark = pytest.mark.django_db
API = "/api/v1"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def post_json(client, path: str, body: dict, **kwargs):
    return client.post(path, body, content_type="application/json", **kwargs)


def new_campaign_body(**overrides) -> dict:
    today = timezone.localdate()
    body = {
        "name": "Promotion 2027",
        "purpose": "Situer la promotion en début d'année.",
        "kind": "assessment",
        "areas": ["D1", "D3"],
        "target_population": "soins-infirmiers",
        "populations": ["soins-infirmiers"],
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=60)).isoformat(),
        "external_id_label": "Numéro étudiant",
        "sharing": "consent",
    }
    body.update(overrides)
    return body


@pytest.fixture
def token(org, org_admin):
    """An active token of `org`: (row, secret)."""
    return create_token(org, org_admin, "Scolarité")


@pytest.fixture
def other_campaign(outsider, make_campaign):
    organisation = outsider.memberships.get().organisation
    return make_campaign(organisation=organisation, name="Campagne voisine")


# --- tokens -----------------------------------------------------------------------------


def test_an_admin_creates_a_token_shown_once_and_stored_only_as_its_digest(client, org, org_admin):
    client.force_login(org_admin)
    page = client.post(reverse("organisations:tokens", args=[org.slug]), {"name": "Scolarité"})
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    secret = page.context["secret"]
    assert secret.startswith("plr_") and len(secret) > 40
    assert secret in page.content.decode()
    stored = OrganisationToken.objects.get(organisation=org)
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(stored.prefix) and len(stored.prefix) < 16
    # Neither the row nor the session holds the token itself.
    row = OrganisationToken.objects.filter(pk=stored.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    assert not any(secret in str(s.get_decoded()) for s in Session.objects.all())
    # Shown once: the list shows only its beginning.
    again = client.get(reverse("organisations:tokens", args=[org.slug])).content.decode()
    assert secret not in again and stored.prefix in again
    # It works on the API.
    response = client.get(f"{API}/organisations", headers=bearer(secret))
    assert response.json()[0]["slug"] == org.slug


def test_an_empty_token_name_is_a_form_error_and_creates_nothing(client, org, org_admin):
    client.force_login(org_admin)
    response = client.post(reverse("organisations:tokens", args=[org.slug]), {"name": "  "})
    assert response.status_code == 422 and response.context["form"].errors["name"]
    assert not OrganisationToken.objects.exists()


def test_members_cannot_manage_tokens_and_outsiders_do_not_see_the_page(
    client, org, org_member, outsider, token
):
    url = reverse("organisations:tokens", args=[org.slug])
    revoke = reverse("organisations:token_revoke", args=[org.slug, token[0].pk])
    client.force_login(org_member)
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "x"}).status_code == 403
    assert client.post(revoke).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(revoke).status_code == 404
    assert OrganisationToken.objects.count() == 1
    assert OrganisationToken.objects.get().revoked_at is None


def test_a_revoked_token_stops_working_at_once(client, org, org_admin, token):
    row, secret = token
    assert client.get(f"{API}/organisations", headers=bearer(secret)).status_code == 200
    client.force_login(org_admin)
    response = client.post(reverse("organisations:token_revoke", args=[org.slug, row.pk]))
    assert response.status_code == 302
    client.logout()
    response = client.get(f"{API}/organisations", headers=bearer(secret))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_an_admin_cannot_revoke_another_organisations_token(client, outsider, org, token):
    other_slug = outsider.memberships.get().organisation.slug
    client.force_login(outsider)
    url = reverse("organisations:token_revoke", args=[other_slug, token[0].pk])
    assert client.post(url).status_code == 404
    assert OrganisationToken.objects.get().revoked_at is None


def test_a_token_records_its_last_use(client, token):
    row, secret = token
    assert row.last_used_at is None
    client.get(f"{API}/organisations", headers=bearer(secret))
    row.refresh_from_db()
    assert row.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer plr_not-a-real-token", "Bearer nonsense", "Bearer ", "bearer plr_x"],
)
def test_an_unknown_token_is_401_even_with_a_session(client, org_admin, header):
    client.force_login(org_admin)
    response = client.get(f"{API}/organisations", headers={"Authorization": header})
    assert response.status_code == 401


def test_a_token_cannot_use_the_learner_operations(client, token):
    _row, secret = token
    assert client.get(f"{API}/me/participations", headers=bearer(secret)).status_code == 401
    response = post_json(client, f"{API}/campaigns/join", {"code": "X"}, headers=bearer(secret))
    assert response.status_code == 401


# --- staff operations -------------------------------------------------------------------


def test_organisations_list_the_callers_memberships(client, org, org_member, outsider):
    client.force_login(org_member)
    assert client.get(f"{API}/organisations").json() == [
        {
            "slug": org.slug,
            "name": org.name,
            "type": org.type,
            "region": org.region,
            "role": "member",
        }
    ]
    client.force_login(make_user())
    assert client.get(f"{API}/organisations").json() == []


def test_an_admin_creates_a_campaign(client, org, org_admin):
    client.force_login(org_admin)
    response = post_json(client, f"{API}/organisations/{org.slug}/campaigns", new_campaign_body())
    assert response.status_code == 201, response.content
    body = response.json()
    campaign = Campaign.objects.get(pk=body["id"])
    assert campaign.organisation == org and campaign.created_by == org_admin
    assert body["areas"] == ["D1", "D3"]
    assert body["populations"] == ["soins-infirmiers"]
    assert body["target_population"] == "soins-infirmiers"
    assert body["code"] == campaign.code and body["state"] == "open"
    assert body["join_url"].endswith(f"/campagnes/rejoindre/{campaign.code}/")
    listed = client.get(f"{API}/organisations/{org.slug}/campaigns").json()
    assert [c["id"] for c in listed] == [campaign.pk]


def test_a_token_creates_a_campaign_for_its_organisation(client, org, token):
    _row, secret = token
    body = new_campaign_body(target_population=None, populations=[], external_id_label="")
    response = post_json(
        client, f"{API}/organisations/{org.slug}/campaigns", body, headers=bearer(secret)
    )
    assert response.status_code == 201, response.content
    campaign = Campaign.objects.get()
    assert campaign.organisation == org and campaign.target_population is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closes_on": "2020-01-01"}, "closes_on"),
        ({"areas": ["D1", "D9"]}, "areas"),
        ({"areas": []}, "areas"),
        ({"populations": ["astronautes"]}, "populations"),
        ({"target_population": "astronautes"}, "target_population"),
        ({"name": "x" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"purpose": "p" * 2001}, "purpose"),
        ({"kind": "survey"}, "kind"),
        ({"sharing": "always"}, "sharing"),
        ({"opens_on": "not a date"}, "opens_on"),
        ({"external_id_label": "n" * 81}, "external_id_label"),
    ],
)
def test_bad_campaign_input_is_422_with_the_field_and_stores_nothing(
    client, org, org_admin, overrides, field
):
    client.force_login(org_admin)
    response = post_json(
        client, f"{API}/organisations/{org.slug}/campaigns", new_campaign_body(**overrides)
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert field in error["fields"], error
    assert not Campaign.objects.exists()


def test_dates_out_of_order_are_refused_with_a_clear_message(client, org, org_admin):
    client.force_login(org_admin)
    today = timezone.localdate()
    body = new_campaign_body(
        opens_on=(today + timedelta(days=10)).isoformat(),
        closes_on=(today + timedelta(days=5)).isoformat(),
    )
    response = post_json(client, f"{API}/organisations/{org.slug}/campaigns", body)
    assert response.json()["error"]["fields"] == {
        "closes_on": ["La clôture doit suivre l'ouverture."]
    }


def test_a_campaign_reads_with_its_counts(client, org_member, campaign):
    generate_participants(campaign, 30, seed=3)
    client.force_login(org_member)
    body = client.get(f"{API}/campaigns/{campaign.pk}").json()
    assert body["id"] == campaign.pk and body["display_code"] == campaign.display_code
    by_status = dict(
        (status, campaign.participations.filter(status=status).count())
        for status in Participation.Status.values
    )
    assert body["participations"] == by_status
    assert sum(by_status.values()) == 30


def test_participants_show_levels_only_once_shared(client, org_member, campaign):
    generate_participants(campaign, 40, seed=5)
    client.force_login(org_member)
    rows = client.get(f"{API}/campaigns/{campaign.pk}/participants?limit=1000").json()
    assert len(rows) == 40
    shared = {row["id"]: row for row in rows if row["status"] == "shared"}
    assert shared and len(shared) < 40
    for row in rows:
        if row["status"] != "shared":
            assert row["levels"] is None
    for participation_id, row in shared.items():
        expected = dict(
            SharedLevel.objects.filter(participation_id=participation_id).values_list(
                "area", "level"
            )
        )
        assert row["levels"] == expected and set(expected) == set(campaign.areas)
    assert {row["email"] for row in rows} == set(
        campaign.participations.values_list("user__email", flat=True)
    )
    only_joined = client.get(f"{API}/campaigns/{campaign.pk}/participants?status=joined").json()
    assert {row["status"] for row in only_joined} <= {"joined"}
    page = client.get(f"{API}/campaigns/{campaign.pk}/participants?limit=10&offset=35").json()
    assert [row["id"] for row in page] == [row["id"] for row in rows[35:]]


def test_participants_are_read_in_a_fixed_number_of_queries(
    client, org_member, campaign, django_assert_max_num_queries
):
    generate_participants(campaign, 200, seed=8)
    client.force_login(org_member)
    with django_assert_max_num_queries(10):
        response = client.get(f"{API}/campaigns/{campaign.pk}/participants?limit=1000")
    assert len(response.json()) == 200


def test_results_are_the_shared_snapshots_only(client, org, campaign, token):
    generate_participants(campaign, 25, seed=2)
    _row, secret = token
    rows = client.get(f"{API}/campaigns/{campaign.pk}/results", headers=bearer(secret)).json()
    shared = campaign.participations.filter(status="shared")
    assert sorted(row["participant"] for row in rows) == sorted(shared.values_list("pk", flat=True))
    one = shared.first()
    row = next(row for row in rows if row["participant"] == one.pk)
    assert row["areas"]["D1"]["level"] == one.snapshot["areas"]["D1"]["level"]
    assert row["competences"] == one.snapshot["competences"]


def test_the_export_streams_csv_with_levels_only_for_shared_results(client, campaign, token):
    generate_participants(campaign, 12, seed=4)
    _row, secret = token
    response = client.get(f"{API}/campaigns/{campaign.pk}/export?sep=;", headers=bearer(secret))
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.removeprefix("\ufeff").splitlines()
    header = lines[0].split(";")
    assert len(lines) == 1 + 12
    first_level = header.index("Données de santé (D1) : niveau")
    emails = {line.split(";")[2]: line.split(";") for line in lines[1:]}
    for participation in campaign.participations.select_related("user"):
        cells = emails[participation.user.email]
        if participation.status == "shared":
            level = participation.snapshot["areas"]["D1"]["level"]
            assert cells[first_level].startswith(f"{level} \N{EN DASH} ")
        else:
            assert cells[first_level] == ""


def test_the_export_also_comes_as_xlsx(client, org_member, campaign):
    from io import BytesIO

    from openpyxl import load_workbook

    generate_participants(campaign, 5, seed=6)
    client.force_login(org_member)
    response = client.get(f"{API}/campaigns/{campaign.pk}/export?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 1 + 5


@pytest.mark.parametrize("query", ["sep=|", "format=pdf"])
def test_an_unknown_export_option_is_422(client, org_member, campaign, query):
    client.force_login(org_member)
    response = client.get(f"{API}/campaigns/{campaign.pk}/export?{query}")
    assert response.status_code == 422


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=100000", "offset=-1", "status=lost", "limit=abc"]
)
def test_bad_paging_is_422(client, org_member, campaign, query):
    client.force_login(org_member)
    response = client.get(f"{API}/campaigns/{campaign.pk}/participants?{query}")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"


# --- isolation --------------------------------------------------------------------------

STAFF_OPERATIONS = [
    ("get", "/organisations/{slug}/campaigns"),
    ("post", "/organisations/{slug}/campaigns"),
    ("get", "/campaigns/{campaign}"),
    ("get", "/campaigns/{campaign}/participants"),
    ("get", "/campaigns/{campaign}/results"),
    ("get", "/campaigns/{campaign}/export"),
]


def call(client, method, template, campaign, **kwargs):
    path = API + template.format(slug=campaign.organisation.slug, campaign=campaign.pk)
    if method == "post":
        return post_json(client, path, new_campaign_body(), **kwargs)
    return client.get(path, **kwargs)


@pytest.mark.parametrize(("method", "template"), STAFF_OPERATIONS)
def test_every_staff_operation_is_closed_to_everyone_outside_the_organisation(
    client, campaign, other_campaign, org_member, outsider, method, template
):
    campaigns_before = Campaign.objects.count()
    # Anonymous: 401.
    response = call(client, method, template, campaign)
    assert response.status_code == 401
    # A learner and the staff of another organisation: 404, as for what does not exist.
    for person in (make_user(), outsider):
        client.force_login(person)
        response = call(client, method, template, campaign)
        assert response.status_code == 404, (person, response.content)
        assert response.json() == {
            "error": {"code": "not_found", "message": "Ressource introuvable.", "fields": {}}
        }
    # A token of another organisation: 404.
    client.logout()
    _row, other_secret = create_token(other_campaign.organisation, outsider, "Voisin")
    response = call(client, method, template, campaign, headers=bearer(other_secret))
    assert response.status_code == 404
    # A member reads but does not create.
    client.force_login(org_member)
    response = call(client, method, template, campaign)
    assert response.status_code == (403 if method == "post" else 200), response.content
    assert Campaign.objects.count() == campaigns_before


def test_a_campaign_of_another_organisation_looks_like_a_missing_one(
    client, org_admin, other_campaign, token
):
    client.force_login(org_admin)
    foreign = client.get(f"{API}/campaigns/{other_campaign.pk}")
    missing = client.get(f"{API}/campaigns/{other_campaign.pk + 1000}")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    client.logout()
    _row, secret = token
    foreign = client.get(f"{API}/campaigns/{other_campaign.pk}/results", headers=bearer(secret))
    assert foreign.status_code == 404


# --- learners ---------------------------------------------------------------------------


def test_a_learner_joins_with_the_code_and_sees_the_participation(client, make_campaign):
    campaign = make_campaign(external_id_label="Numéro étudiant")
    learner = make_user()
    client.force_login(learner)
    typed = f"{campaign.code[:3].lower()}-{campaign.code[3:]}"
    body = {"code": typed, "external_id": "2026-0042"}
    response = post_json(client, f"{API}/campaigns/join", body)
    assert response.status_code == 200, response.content
    joined = response.json()
    assert joined["status"] == "joined" and joined["organisation"] == campaign.organisation.name
    assert joined["external_id"] == "2026-0042"
    # Joining again is the same participation.
    assert post_json(client, f"{API}/campaigns/join", body).json()["id"] == joined["id"]
    mine = client.get(f"{API}/me/participations").json()
    assert [p["id"] for p in mine] == [joined["id"]]
    # Another learner does not see it.
    client.force_login(make_user())
    assert client.get(f"{API}/me/participations").json() == []


def test_join_errors_have_stable_codes_and_store_nothing(client, make_campaign):
    today = timezone.localdate()
    closed = make_campaign(opens_on=today - timedelta(days=20), closes_on=today - timedelta(days=1))
    asks_id = make_campaign(external_id_label="Numéro étudiant")
    client.force_login(make_user())
    cases = [
        ({"code": "ZZZZZZZZZ"}, 404, "unknown_code"),
        ({"code": closed.code}, 409, "campaign_closed"),
        ({"code": asks_id.code}, 422, "invalid_input"),
        ({"code": asks_id.code, "external_id": "x" * 65}, 422, "invalid_input"),
        ({"code": ""}, 422, "invalid_input"),
        ({}, 422, "invalid_input"),
    ]
    for body, status, code in cases:
        response = post_json(client, f"{API}/campaigns/join", body)
        assert response.status_code == status, (body, response.content)
        assert response.json()["error"]["code"] == code
    assert not Participation.objects.exists()
    assert client.post(
        f"{API}/campaigns/join", "{", content_type="application/json"
    ).status_code in (
        400,
        422,
    )


def test_the_eleventh_wrong_code_is_429_even_with_the_right_code(client, campaign):
    client.force_login(make_user())
    for _ in range(services.CODE_ATTEMPTS_LIMIT):
        response = post_json(
            client, f"{API}/campaigns/join", {"code": "ZZZZZZZZZ"}, REMOTE_ADDR="203.0.113.5"
        )
        assert response.status_code == 404
    response = post_json(
        client, f"{API}/campaigns/join", {"code": campaign.code}, REMOTE_ADDR="203.0.113.5"
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert not Participation.objects.exists()
    # Another account behind the same address is not locked by this one's typos.
    client.force_login(make_user())
    response = post_json(
        client, f"{API}/campaigns/join", {"code": campaign.code}, REMOTE_ADDR="203.0.113.5"
    )
    assert response.status_code == 200


def test_anonymous_learner_operations_are_401(client, campaign):
    assert post_json(client, f"{API}/campaigns/join", {"code": campaign.code}).status_code == 401
    assert client.get(f"{API}/me/participations").status_code == 401
    assert post_json(client, f"{API}/me/participations/1/share", {}).status_code == 401


def finish(attempt):
    while not attempt.is_finished:
        record_answer(attempt, attempt.current_position, right_answer(attempt.current_version))
        attempt.refresh_from_db()
    return attempt


def test_a_learner_shares_a_finished_result_through_the_api(
    client,
    seeded,  # noqa: F811
    make_campaign,
    org_member,
):
    campaign = make_campaign(areas=["D2"])
    learner = make_user()
    participation = services.join_campaign(learner, campaign)
    client.force_login(learner)
    url = f"{API}/me/participations/{participation.pk}/share"
    response = post_json(client, url, {"plan": True})
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_finished"
    finish(services.start_campaign_test(participation, "fr"))
    # Someone else cannot share it.
    client.force_login(make_user())
    assert post_json(client, url, {}).status_code == 404
    client.force_login(learner)
    response = post_json(client, url, {"plan": True})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "shared" and response.json()["plan_shared"] is True
    # The organisation now sees the level, from the snapshot.
    client.force_login(org_member)
    rows = client.get(f"{API}/campaigns/{campaign.pk}/participants").json()
    participation.refresh_from_db()
    assert rows[0]["levels"] == {"D2": participation.snapshot["areas"]["D2"]["level"]}
