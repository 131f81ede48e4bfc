"""The standard-setting pages through the test client: who may open what, the booklet, the
bookmark form and its errors, results before and after a round closes, adoption.

Until the workspace's URLs are included in the site's, this module is its own URLconf: the
site's patterns plus the workspace's (the browser test uses it too)."""

from __future__ import annotations

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, reverse

from palier import urls as site_urls
from palier.psychometrics.models import Bookmark, BookmarkStudy
from palier.psychometrics.standard_setting import close_round, place_bookmarks
from tests.factories import make_user
from tests.psychometrics import test_standard_setting as shared
from tests.psychometrics.test_standard_setting import PAGES, bookmark_all

# The service tests' fixtures, shared.
area, bank, calibration = shared.area, shared.bank, shared.calibration
panellists, psychometrician, study = shared.panellists, shared.psychometrician, shared.study


def _includes(patterns, namespace: str) -> bool:
    return any(
        getattr(pattern, "namespace", None) == namespace
        or _includes(getattr(pattern, "url_patterns", []), namespace)
        for pattern in patterns
    )


urlpatterns = list(site_urls.urlpatterns)
if not _includes(urlpatterns, "standard_setting"):
    urlpatterns += i18n_patterns(
        path("psychometrie/seuils/", include("palier.psychometrics.standard_setting_urls")),
        prefix_default_language=False,
    )

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def study_pages(study_id: int) -> list[str]:
    return [
        reverse("standard_setting:study", args=[study_id]),
        reverse("standard_setting:booklet", args=[study_id]),
        reverse("standard_setting:page", args=[study_id, 1]),
        reverse("standard_setting:bookmarks", args=[study_id]),
        reverse("standard_setting:results", args=[study_id]),
        reverse("standard_setting:adopt", args=[study_id]),
    ]


def test_people_outside_the_study_get_403_and_anonymous_visitors_the_login_page(
    client, study, panellists
):
    for url in study_pages(study.pk):
        assert client.get(url).status_code == 302, url
    client.force_login(make_user())
    for url in study_pages(study.pk):
        assert client.get(url).status_code == 403, url
    for name in ("round_close", "study_close", "panel_add", "adopt"):
        url = reverse(f"standard_setting:{name}", args=[study.pk])
        assert client.post(url, {"email": "x@example.org"}).status_code == 403, name
    assert client.get(reverse("standard_setting:new")).status_code == 403
    assert "Seuils D2 2027" not in client.get(reverse("standard_setting:list")).content.decode()


def test_panellists_cannot_run_the_study(client, study, panellists):
    client.force_login(panellists[0])
    assert client.get(reverse("standard_setting:adopt", args=[study.pk])).status_code == 403
    for name in ("round_close", "study_close"):
        url = reverse(f"standard_setting:{name}", args=[study.pk])
        assert client.post(url).status_code == 403
    remove = reverse("standard_setting:panel_remove", args=[study.pk, panellists[1].pk])
    assert client.post(remove).status_code == 403
    assert study.panellists.count() == 3


def test_a_panellist_reads_the_booklet_page_by_page(client, study, panellists):
    client.force_login(panellists[0])
    body = client.get(reverse("standard_setting:booklet", args=[study.pk])).content.decode()
    positions = [body.index(code) for code in ("T-0004", "T-0002", "T-0001", "T-0006")]
    assert positions == sorted(positions)
    page = client.get(reverse("standard_setting:page", args=[study.pk, 1]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "T-0004" in body and "Délai de notification" in body  # the stem, as learners see it
    assert "Niveau visé par les auteurs : 3" in body
    assert 'rel="next"' in body and 'rel="prev"' not in body
    assert client.get(reverse("standard_setting:page", args=[study.pk, 8])).status_code == 404


def test_the_bookmark_form_explains_pages_that_do_not_increase_and_stores_nothing(
    client, study, panellists
):
    client.force_login(panellists[0])
    url = reverse("standard_setting:bookmarks", args=[study.pk])
    page = client.post(url, {"level_2": 3, "level_3": 2, "level_4": 5, "level_5": 6})
    body = page.content.decode()
    assert page.status_code == 200
    assert "Le formulaire contient une erreur" in body
    assert "doivent avancer d&#x27;un seuil au suivant" in body
    assert not Bookmark.objects.exists()
    page = client.post(url, {"level_2": "", "level_3": 2, "level_4": 5, "level_5": 99})
    assert "Ce champ est obligatoire" in page.content.decode()
    assert not Bookmark.objects.exists()
    page = client.post(url, {"level_2": 2, "level_3": 3, "level_4": 5, "level_5": 7})
    assert page.status_code == 302
    assert dict(Bookmark.objects.values_list("level", "page")) == PAGES[0]


def test_a_panellist_sees_only_their_own_bookmarks_until_the_round_closes(
    client, study, panellists, psychometrician
):
    bookmark_all(study, panellists)
    client.force_login(panellists[0])
    url = reverse("standard_setting:results", args=[study.pk])
    body = client.get(url).content.decode()
    assert "Aucun tour n'est encore clôturé" in body
    assert reverse("standard_setting:bookmarks", args=[study.pk]) in body  # the panellist's link
    assert "panel2@example.org" not in body
    close_round(study, psychometrician)
    body = client.get(url).content.decode()
    assert "Tour 1" in body and "<svg" in body
    assert "panel1@example.org" in body and "panel2@example.org" not in body
    # The form of round 2 starts from the panellist's bookmarks of round 1.
    form = client.get(reverse("standard_setting:bookmarks", args=[study.pk])).content.decode()
    assert 'name="level_4"' in form and 'value="5"' in form


def test_the_psychometrician_runs_a_study_from_creation_to_adoption(
    client, psychometrician, area, calibration, panellists
):
    client.force_login(psychometrician)
    page = client.post(
        reverse("standard_setting:new"),
        {
            "name": "Seuils D2",
            "area": area.pk,
            "calibration": calibration.pk,
            "response_probability": "0.67",
        },
    )
    created = BookmarkStudy.objects.get()
    assert page["Location"] == reverse("standard_setting:study", args=[created.pk])
    assert created.booklet and created.created_by == psychometrician
    for person in panellists:
        client.post(
            reverse("standard_setting:panel_add", args=[created.pk]), {"email": person.email}
        )
    assert created.panellists.count() == 3
    for person, pages in zip(panellists, PAGES, strict=True):
        place_bookmarks(created, person, pages)
    # The round in progress is visible to the psychometrician, named panellist by panellist.
    body = client.get(reverse("standard_setting:results", args=[created.pk])).content.decode()
    assert "panel2@example.org" in body and "en cours" in body
    client.post(reverse("standard_setting:round_close", args=[created.pk]))
    adopt = reverse("standard_setting:adopt", args=[created.pk])
    page = client.post(adopt, {"version": "2027-D2", "reason": ""})
    assert page.status_code == 200 and "Motif de l&#x27;adoption" in page.content.decode()
    created.refresh_from_db()
    assert created.status == BookmarkStudy.Status.OPEN
    page = client.post(adopt, {"version": "2027-D2", "reason": "Panel du 7 décembre"})
    assert page.status_code == 302
    created.refresh_from_db()
    assert created.status == BookmarkStudy.Status.ADOPTED
    assert created.adopted_framework.version == "2027-D2"
    body = client.get(reverse("standard_setting:study", args=[created.pk])).content.decode()
    assert "Seuils adoptés" in body and "2027-D2" in body


def test_the_results_page_reads_in_a_bounded_number_of_queries(
    client, study, panellists, psychometrician, django_assert_max_num_queries
):
    bookmark_all(study, panellists)
    close_round(study, psychometrician)
    place_bookmarks(study, panellists[0], PAGES[0])
    client.force_login(psychometrician)
    url = reverse("standard_setting:results", args=[study.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
