"""What the public signing path does more cheaply than Django's defaults, and must still do
exactly as they would: the INSERT written without the ORM's compiler, the form's fields
shared by its instances, the kind of organisation checked against a set."""

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from members.models import Organisation
from statements import services
from statements.forms import PublicSignatureForm
from statements.models import PublicSubmission
from tests.statements.test_public_signing import PUBLIC_SIGNATURE

pytestmark = pytest.mark.django_db


def submission_of(statement, **changes) -> PublicSubmission:
    values = {
        "statement": statement,
        "organisation_name": "Lagos Tax Justice Network",
        "country": "NG",
        "kind": Organisation.Kind.NETWORK,
        "signatory_name": "Chioma Eze",
        "signatory_title": "",
        "email": "chioma@lagostax.example",
        "listed_publicly": False,
        "language": "fr",
        "suspicion": "a field for bots was filled",
        "created_at": timezone.now() - dt.timedelta(minutes=5),
    }
    return PublicSubmission(**{**values, **changes})


def stored(submission: PublicSubmission) -> dict:
    row = model_to_dict(PublicSubmission.objects.get(pk=submission.pk))
    del row["id"]
    return row


def test_the_submission_insert_writes_the_row_the_orm_would_write(open_statement):
    by_the_orm = submission_of(open_statement)
    by_the_orm.save()
    by_the_insert = submission_of(open_statement, created_at=by_the_orm.created_at)

    services._insert_submission(by_the_insert)

    assert by_the_insert.pk not in (None, by_the_orm.pk)
    assert not by_the_insert._state.adding
    assert stored(by_the_insert) == stored(by_the_orm)
    # The column defaults (status, no signature yet) as the model declares them.
    assert stored(by_the_insert)["status"] == PublicSubmission.Status.RECEIVED
    assert stored(by_the_insert)["signature"] is None


def test_the_submission_insert_fills_in_the_defaults_of_the_model(open_statement):
    before = timezone.now()
    submission = PublicSubmission(
        statement=open_statement,
        organisation_name="Red de Justicia Fiscal",
        country="PE",
        kind=Organisation.Kind.NETWORK,
        signatory_name="Ana",
        email="ana@example.org",
    )

    services._insert_submission(submission)

    row = PublicSubmission.objects.get(pk=submission.pk)
    assert row.listed_publicly is True
    assert row.language == "en"
    assert row.status == PublicSubmission.Status.RECEIVED
    assert before <= row.created_at <= timezone.now()


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
