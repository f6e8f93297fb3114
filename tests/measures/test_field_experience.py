"""Field experience: installed measures with their real cost and supplier, feedback with photos kept
private to the city, and shared records giving the catalogue the network's recorded costs —
anonymised to the city's size band and the space's kind when the city chose so."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from pactesur.audit.models import AuditAction, AuditEvent
from pactesur.measures.actions import do_add_feedback, do_record_installation
from pactesur.measures.models import InstalledMeasure, MeasureFeedback, MeasureType
from tests.measures.helpers import photo_bytes, photo_upload
from tests.spaces.helpers import make_space

pytestmark = pytest.mark.django_db


def _install(
    city: Any, space: Any, *, code: str = "planter_rated", total: int, quantity: float, **kw: Any
) -> Any:
    return do_record_installation(
        city,
        acting_user=None,
        space=space,
        measure_type=MeasureType.objects.get(code=code),
        quantity=quantity,
        installed_on=kw.pop("installed_on", datetime.date(2025, 11, 20)),
        total_cost_eur=total,
        supplier_kind=kw.pop("supplier_kind", "installer"),
        **kw,
    )


def test_a_planner_records_an_installation_with_its_real_cost(client, planner, city) -> None:  # type: ignore[no-untyped-def]
    space = make_space(city, None)
    client.force_login(planner)
    planter = MeasureType.objects.get(code="planter_rated")

    response = client.post(
        "/measures/installed/new/",
        {
            "space": space.pk,
            "measure_type": planter.pk,
            "quantity": "6",
            "installed_on": "2025-11-20",
            "total_cost_eur": "51000",
            "supplier_kind": "installer",
            "rating": "V/7200[N2A]/48/90",
            "certificate": "IWA 14-1 test report 4471, TRL",
        },
    )

    installed = InstalledMeasure.objects.get()
    assert response.status_code == 302
    assert installed.unit_cost_eur == 8500
    assert installed.shared is False
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_id=str(installed.pk)).exists()
    page = client.get(f"/measures/installed/{installed.pk}/").content.decode()
    assert "8,500 € per element" in page
    assert "IWA 14-1 test report 4471" in page
    listing = client.get("/measures/installed/").content.decode()
    assert "Rated planters" in listing
    assert "51,000" in listing


def test_a_space_or_a_type_of_another_city_is_no_choice(client, planner, city, other_city) -> None:  # type: ignore[no-untyped-def]
    liege = make_space(other_city, None, name="Saint-Lambert")
    theirs = MeasureType.objects.create(
        code="liege-own", city=other_city, family="vehicle", name="Liège type"
    )
    client.force_login(planner)
    response = client.post(
        "/measures/installed/new/",
        {
            "space": liege.pk,
            "measure_type": theirs.pk,
            "quantity": "1",
            "installed_on": "2025-11-20",
            "total_cost_eur": "100",
            "supplier_kind": "other",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Select a valid choice" in str(errors["space"])
    assert "Select a valid choice" in str(errors["measure_type"])
    assert not InstalledMeasure.objects.exists()


def test_feedback_keeps_a_photo_private_to_the_city(client, planner, other_city_admin, city) -> None:  # type: ignore[no-untyped-def]
    installed = _install(city, make_space(city, None), total=32000, quantity=4)
    client.force_login(planner)

    response = client.post(
        f"/measures/installed/{installed.pk}/",
        {
            "kind": "incident",
            "happened_on": "2026-06-01",
            "text": "A delivery van hit the second planter at low speed; it held.",
            "photo": photo_upload("IMG_0042 Promenade.png"),
        },
    )

    assert response.status_code == 302
    feedback = MeasureFeedback.objects.get()
    assert "IMG_0042" not in feedback.photo.name  # a random name, not the uploader's
    assert feedback.photo.name.endswith(".png")
    assert Path(settings.MEDIA_ROOT, feedback.photo.name).is_file()
    photo = client.get(f"/measures/feedback/{feedback.pk}/photo/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png"
    assert photo.content == photo_bytes()
    assert "private" in photo["Cache-Control"]
    client.force_login(other_city_admin)
    assert client.get(f"/measures/feedback/{feedback.pk}/photo/").status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"GIF89a not really", "not a photo PACTESUR can read"),
        (b"%PDF-1.7 a document", "not a photo PACTESUR can read"),
        (photo_bytes("GIF"), "not a photo PACTESUR can read"),
    ],
)
def test_a_file_that_is_no_photo_is_refused_and_nothing_is_kept(
    client, planner, city, upload, message
) -> None:  # type: ignore[no-untyped-def]
    installed = _install(city, make_space(city, None), total=32000, quantity=4)
    client.force_login(planner)

    response = client.post(
        f"/measures/installed/{installed.pk}/",
        {
            "kind": "maintenance",
            "happened_on": "2026-06-01",
            "text": "Repainted.",
            "photo": photo_upload("x.png", upload),
        },
    )

    assert response.status_code == 400
    assert message in str(response.context["form"].errors)
    assert (
        'value="maintenance" selected' in response.content.decode()
        or "Repainted." in response.content.decode()
    )
    assert not MeasureFeedback.objects.exists()
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_a_photo_over_5_mb_is_refused(city) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    installed = _install(city, make_space(city, None), total=32000, quantity=4)
    big = photo_upload("big.png", photo_bytes() + b"\0" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError, match="5 MB at most"):
        do_add_feedback(
            installed,
            acting_user=None,
            kind="other",
            happened_on=datetime.date(2026, 1, 1),
            text="x",
            photo=big,
        )


def test_shared_records_give_the_network_costs_and_anonymise_as_chosen(
    client, planner, city, other_city
) -> None:  # type: ignore[no-untyped-def]
    other_city.population = 190_000
    other_city.save()
    nice_space = make_space(city, None, name="Place Masséna")
    liege_space = make_space(other_city, None, name="Place Saint-Lambert", kind="market")
    _install(city, nice_space, total=40000, quantity=4, shared=True, anonymised=False)  # 10,000 each
    _install(other_city, liege_space, total=36000, quantity=6, shared=True, anonymised=True)  # 6,000
    _install(other_city, liege_space, total=1000, quantity=1, shared=False)  # not shared: not counted
    done = _install(city, nice_space, total=24000, quantity=4, shared=True, anonymised=False)  # 6,000
    do_add_feedback(
        done,
        acting_user=None,
        kind="acceptance",
        happened_on=datetime.date(2026, 1, 5),
        text="ok",
        acceptance=4,
    )

    client.force_login(planner)
    catalogue = client.get("/measures/").content.decode()
    row = catalogue[catalogue.index('data-code="planter_rated"') :]
    row = row[: row.index("</tr>")]
    assert "median 6,000 € (6,000–10,000 €, 3 records)" in row

    page = client.get(f"/measures/{MeasureType.objects.get(code='planter_rated').pk}/").content.decode()
    records = page[page.index('id="type-shared-records"') :]
    assert "a city of 50,000 to 250,000 inhabitants" in records
    assert "Market" in records
    assert "Saint-Lambert" not in records
    assert "Liège" not in records
    assert "Place Masséna" in records  # Nice shared by name
    assert "1,000" not in records


def test_a_city_admin_sets_the_population_that_anonymised_records_tell(client, city_admin, city) -> None:  # type: ignore[no-untyped-def]
    from tests.auth_support import confirm_password

    client.force_login(city_admin)
    confirm_password(client)
    response = client.post(reverse("cities:settings"), {"population": "342000"})

    assert response.status_code == 302
    city.refresh_from_db()
    assert city.population == 342000
    assert city.size_band == "large"
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__fields=["population"]).exists()
