"""The public signing form: each instance with fields of its own (a plain Django form),
its own data and errors, and every kind of organisation accepted."""

import pytest

from members.models import Organisation
from statements.forms import PublicSignatureForm
from tests.statements.test_public_signing import PUBLIC_SIGNATURE

pytestmark = pytest.mark.django_db


def test_each_public_form_has_fields_of_its_own_to_add_and_remove():
    first, second = PublicSignatureForm(), PublicSignatureForm()
    del first.fields["website_url"]

    assert "website_url" in second.fields
    assert "website_url" in PublicSignatureForm().fields
    assert list(second.fields)[:3] == ["organisation_name", "country", "kind"]


def test_forms_sharing_fields_keep_their_own_data_and_errors():
    invalid = PublicSignatureForm({**PUBLIC_SIGNATURE, "email": "not an address", "kind": ""})
    valid = PublicSignatureForm(PUBLIC_SIGNATURE)

    assert not invalid.is_valid()
    assert valid.is_valid(), valid.errors
    assert set(invalid.errors) == {"email", "kind"}
    assert valid.cleaned_data["email"] == PUBLIC_SIGNATURE["email"]
    assert 'value="Chioma Eze"' in str(valid["signatory_name"])
    assert 'value="Chioma Eze"' in str(invalid["signatory_name"])


@pytest.mark.parametrize("kind", Organisation.Kind.values)
def test_every_kind_of_organisation_is_accepted(kind):
    assert PublicSignatureForm({**PUBLIC_SIGNATURE, "kind": kind}).is_valid()


@pytest.mark.parametrize("kind", ["", "charity", "Network", "grassroots group"])
def test_a_kind_that_is_not_one_of_the_organisation_kinds_is_refused(kind):
    form = PublicSignatureForm({**PUBLIC_SIGNATURE, "kind": kind})

    assert not form.is_valid()
    assert list(form.errors) == ["kind"]


def test_the_kinds_are_offered_in_the_visitors_language():
    from django.utils import translation

    with translation.override("fr"):
        page = str(PublicSignatureForm()["kind"])

    assert '<option value="union">syndicat</option>' in page


def test_no_kind_is_chosen_for_the_signer_by_default():
    html = str(PublicSignatureForm()["kind"])

    assert '<option value="" selected>' in html
