"""The organisation's edit page and the partner API change the same profile fields."""

from members.api.serializers import OrganisationProfileInputSerializer
from members.organisation_forms import OrganisationForm


def test_the_edit_page_and_the_api_offer_the_same_profile_fields():
    on_the_page = list(OrganisationForm().fields)

    assert list(OrganisationProfileInputSerializer().fields) == on_the_page


def test_only_the_page_offers_internal_notes_and_only_to_who_may_read_them():
    with_notes = OrganisationForm(with_internal_notes=True).fields

    assert set(with_notes) - set(OrganisationForm().fields) == {"internal_notes"}
    assert "internal_notes" not in OrganisationProfileInputSerializer().fields


def test_the_page_and_the_api_refuse_the_same_language_codes(db):
    form = OrganisationForm(data={"languages": "en, english"})
    api = OrganisationProfileInputSerializer(data={"languages": ["en", "english"]}, partial=True)

    assert not form.is_valid() and not api.is_valid()
    assert form.errors["languages"] == [str(message) for message in api.errors["languages"]]
