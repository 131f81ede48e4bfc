"""The sessions of a module, edited by the provider's admins on the module form."""

import re
from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from palier.organisations.choices import MembershipRole
from palier.training import services
from palier.training.forms import module_forms
from palier.training.models import Module, ModuleSession
from tests.factories import make_member
from tests.training.conftest import module_data

pytestmark = pytest.mark.django_db


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def session(start: int, end: int, place: str = "Rennes", region: str = "53", **extra) -> dict:
    return {"start": in_days(start), "end": in_days(end), "place": place, "region": region, **extra}


@pytest.fixture
def admin_client(client, catalogue):
    client.force_login(make_member(catalogue["university"], MembershipRole.ADMIN))
    return client


@pytest.fixture
def face_to_face(catalogue):
    """A university module taught in a room, with two stored sessions."""
    module = catalogue["students"]
    module.format = Module.Format.FACE_TO_FACE
    module.save()
    today = timezone.localdate()
    first, second = (
        ModuleSession.objects.create(
            module=module,
            start=today + timedelta(start),
            end=today + timedelta(end),
            place=place,
            region="53",
        )
        for start, end, place in [(10, 10, "Rennes"), (40, 41, "Brest")]
    )
    return module, first, second


def stored(module: Module) -> list[tuple]:
    return list(module.sessions.values_list("start", "end", "place", "region"))


def edit_url(module: Module) -> str:
    return reverse("training:module_edit", args=[module.provider.slug, module.code])


def test_a_new_module_is_saved_with_its_sessions(admin_client, catalogue):
    response = admin_client.post(
        reverse("training:module_new", args=["univ-test"]),
        module_data(
            session(30, 31),
            session(60, 60, place="Vannes"),
            {"start": "", "end": "", "place": "", "region": ""},  # an empty extra form
            format="face_to_face",
        ),
    )
    assert response.status_code == 302
    module = Module.objects.get(title_fr="Sécuriser son poste en stage")
    assert module.status == Module.Status.SUBMITTED
    today = timezone.localdate()
    assert stored(module) == [
        (today + timedelta(30), today + timedelta(31), "Rennes", "53"),
        (today + timedelta(60), today + timedelta(60), "Vannes", "53"),
    ]


def test_the_form_shows_each_session_in_its_own_fieldset(admin_client, face_to_face):
    module, first, _ = face_to_face
    page = admin_client.get(edit_url(module)).content.decode()
    # two stored sessions and two empty ones, each a fieldset with a legend
    assert page.count("<legend") == 4 + 3  # and the module's three checkbox lists
    assert "Session 1 (du" in page and "Session 3 : nouvelle session" in page
    assert f'value="{first.start.isoformat()}"' in page and 'type="date"' in page
    assert 'name="sessions-0-DELETE"' in page and 'name="sessions-2-DELETE"' not in page


def test_sessions_are_edited_added_and_deleted_together(admin_client, face_to_face):
    module, first, second = face_to_face
    response = admin_client.post(
        edit_url(module),
        module_data(
            session(10, 10, place="Saint-Malo", id=str(first.pk)),
            session(40, 41, place="Brest", id=str(second.pk), DELETE="on"),
            session(90, 92, place="Lorient"),
            initial=2,
            format="face_to_face",
        ),
    )
    assert response.status_code == 302
    today = timezone.localdate()
    assert stored(module) == [
        (today + timedelta(10), today + timedelta(10), "Saint-Malo", "53"),
        (today + timedelta(90), today + timedelta(92), "Lorient", "53"),
    ]
    assert not ModuleSession.objects.filter(pk=second.pk).exists()
    module.refresh_from_db()
    assert module.status == Module.Status.SUBMITTED  # back to moderation


def test_a_session_ending_before_it_starts_is_a_field_error_and_nothing_is_stored(
    admin_client, catalogue
):
    before = Module.objects.count()
    response = admin_client.post(
        reverse("training:module_new", args=["univ-test"]),
        module_data(session(30, 31), session(20, 19), format="face_to_face"),
    )
    assert response.status_code == 200
    sessions = response.context["sessions"]
    assert sessions.forms[0].errors == {}
    assert list(sessions.forms[1].errors) == ["end"]
    assert Module.objects.count() == before and ModuleSession.objects.count() == 0
    page = response.content.decode()
    assert 'role="alert"' in page and 'href="#id_sessions-1-end"' in page
    # the error is tied to its field
    assert re.search(
        r'id="id_sessions-1-end"[^>]*aria-describedby="[^"]*id_sessions-1-end-error"', page
    )
    assert 'id="id_sessions-1-end-error"' in page


def test_an_invalid_session_leaves_the_edited_module_unchanged(admin_client, face_to_face):
    module, first, second = face_to_face
    before = stored(module)
    response = admin_client.post(
        edit_url(module),
        module_data(
            session(10, 10, id=str(first.pk)),
            session(40, 41, place="Brest", id=str(second.pk), DELETE="on"),
            session(50, 45, place="Lorient"),
            initial=2,
            format="face_to_face",
            title_fr="Titre qui ne doit pas être enregistré",
        ),
    )
    assert response.status_code == 200 and "end" in response.context["sessions"].forms[2].errors
    module.refresh_from_db()
    assert module.title_fr == "Module cyber-etudiants" and module.status == "published"
    assert stored(module) == before


@pytest.mark.parametrize(
    ("module_format", "errors"),
    [("face_to_face", ["place", "region"]), ("simulation", ["place", "region"]), ("elearning", [])],
)
def test_in_person_sessions_need_a_place_and_a_region(
    admin_client, catalogue, module_format, errors
):
    response = admin_client.post(
        reverse("training:module_new", args=["univ-test"]),
        module_data(session(30, 30, place="", region=""), format=module_format),
    )
    if errors:
        assert sorted(response.context["sessions"].forms[0].errors) == errors
        assert ModuleSession.objects.count() == 0
    else:
        assert response.status_code == 302 and ModuleSession.objects.count() == 1


def test_a_new_session_cannot_start_in_the_past_but_past_sessions_are_kept(
    admin_client, face_to_face
):
    module, first, second = face_to_face
    ModuleSession.objects.filter(pk=first.pk).update(start=date(2020, 3, 2), end=date(2020, 3, 3))
    past = {"start": "2020-03-02", "end": "2020-03-03", "place": "Rennes", "region": "53"}
    response = admin_client.post(
        edit_url(module),
        module_data(
            {**past, "id": str(first.pk)},
            session(40, 41, place="Brest", id=str(second.pk)),
            session(-2, 1),
            initial=2,
            format="face_to_face",
        ),
    )
    forms = response.context["sessions"].forms
    assert forms[0].errors == {} and list(forms[2].errors) == ["start"]
    # the same stored past session, re-sent unchanged, is accepted
    response = admin_client.post(
        edit_url(module),
        module_data(
            {**past, "id": str(first.pk)},
            session(40, 41, place="Brest", id=str(second.pk)),
            initial=2,
            format="face_to_face",
        ),
    )
    assert response.status_code == 302 and module.sessions.count() == 2


def test_a_session_marked_for_deletion_is_not_validated(admin_client, face_to_face):
    module, first, second = face_to_face
    response = admin_client.post(
        edit_url(module),
        module_data(
            session(10, 10, id=str(first.pk)),
            session(40, 20, place="", id=str(second.pk), DELETE="on"),
            initial=2,
            format="face_to_face",
        ),
    )
    assert response.status_code == 302
    assert list(module.sessions.values_list("pk", flat=True)) == [first.pk]


def test_staff_of_another_organisation_or_members_cannot_edit_sessions(client, face_to_face):
    module, first, _ = face_to_face
    before = stored(module)
    data = module_data(session(10, 10, place="Ailleurs", id=str(first.pk)), initial=1)
    client.force_login(make_member(module.provider, MembershipRole.MEMBER))
    assert client.post(edit_url(module), data).status_code == 403
    other = make_member(type(module.provider).objects.get(slug="fc-test"), MembershipRole.ADMIN)
    client.force_login(other)
    assert client.post(edit_url(module), data).status_code == 404
    crossed = reverse("training:module_edit", args=["fc-test", module.code])
    assert client.post(crossed, data).status_code == 404
    assert stored(module) == before


def test_a_session_id_from_another_module_changes_nothing(admin_client, catalogue, face_to_face):
    module, *_ = face_to_face
    before = stored(module)
    foreign = ModuleSession.objects.create(
        module=catalogue["telehealth"], start=date(2030, 1, 1), end=date(2030, 1, 1)
    )
    response = admin_client.post(
        edit_url(module), module_data(session(10, 10, id=str(foreign.pk)), initial=1)
    )
    # Django's formset ignores a stored id it did not list: the form is neither saved nor
    # moved to this module.
    assert response.status_code in {200, 302}
    foreign.refresh_from_db()
    assert foreign.module == catalogue["telehealth"] and foreign.place == ""
    assert stored(module) == before


def test_saving_is_all_or_nothing_even_when_the_database_refuses(catalogue):
    form, sessions = module_forms(module_data(session(30, 31)), None)
    assert form.is_valid() and sessions.is_valid()
    # past validation, the database's own check (end >= start) refuses the session
    sessions.forms[0].instance.end = date(2020, 1, 1)
    with pytest.raises(IntegrityError):
        services.save_module(catalogue["university"], form, sessions)
    assert not Module.objects.filter(title_fr="Sécuriser son poste en stage").exists()


def test_published_sessions_show_on_the_public_module_page(client, face_to_face):
    module, *_ = face_to_face
    ModuleSession.objects.create(
        module=module, start=date(2020, 3, 2), end=date(2020, 3, 2), place="Quimper"
    )
    page = client.get(reverse("training:module", args=[module.code])).content.decode()
    assert "Rennes (Bretagne)" in page and "Brest (Bretagne)" in page
    assert "Quimper" not in page  # past sessions are not offered


def test_the_api_lists_upcoming_sessions_only(client, catalogue):
    from datetime import timedelta

    from django.utils import timezone

    from palier.training.models import Module, ModuleSession

    module = Module.objects.filter(status=Module.Status.PUBLISHED).first()
    today = timezone.localdate()
    ModuleSession.objects.create(
        module=module, start=today - timedelta(days=30), end=today - timedelta(days=29)
    )
    ModuleSession.objects.create(
        module=module,
        start=today + timedelta(days=10),
        end=today + timedelta(days=11),
        place="Lyon",
        region="84",
    )
    body = client.get(f"/api/v1/training/modules/{module.code}").json()
    assert body["sessions"] == [
        {
            "start": (today + timedelta(days=10)).isoformat(),
            "end": (today + timedelta(days=11)).isoformat(),
            "place": "Lyon",
            "region": "84",
        }
    ]
    listed = client.get("/api/v1/training/modules").json()
    assert next(m for m in listed if m["code"] == module.code)["sessions"] == body["sessions"]
