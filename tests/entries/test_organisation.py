"""Her business, cooperative or group: typed in the entry form, kept, compared and exported."""

from portal.entries import listing, services
from portal.extensions import db
from tests.conftest import login
from tests.entries.test_views import applicant, competition, form, frozen, start, text  # noqa: F401


def test_she_names_her_cooperative_and_organisers_see_it(client, applicant, competition):  # noqa: F811
    login(client, applicant)
    entry = start(client, competition)
    page = text(client.get(f"/entries/{entry.id}/edit"))
    assert 'name="organisation"' in page
    response = client.post_form(
        f"/entries/{entry.id}/edit",
        form(competition, entry, organisation="  HTX Rượu men lá Mường Phăng ", save="1"),
    )
    assert response.status_code == 302
    db.session.refresh(entry)
    assert entry.organisation == "HTX Rượu men lá Mường Phăng"
    assert services.snapshot(entry)["organisation"] == "HTX Rượu men lá Mường Phăng"
    assert "organisation" in services.VERSION_LABELS
    assert "organisation" in [name for name, _ in listing.EXPORT_COLUMNS]
    assert "HTX Rượu men lá Mường Phăng" in listing._row(entry)


def test_a_too_long_organisation_is_refused_with_what_she_typed(client, applicant, competition):  # noqa: F811
    login(client, applicant)
    entry = start(client, competition)
    response = client.post_form(
        f"/entries/{entry.id}/edit", form(competition, entry, organisation="x" * 201, save="1")
    )
    assert response.status_code == 422
    assert "x" * 201 in text(response)
