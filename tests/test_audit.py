from django.db import transaction

from alliance.core.audit.models import AuditEntry
from alliance.core.audit.services import diff, record, snapshot
from tests.factories import OrganisationFactory


def test_diff_lists_only_the_fields_that_changed(db):
    organisation = OrganisationFactory(name="Old name", city="Kampala")
    before = snapshot(organisation, ["name", "city", "kind"])
    organisation.name = "New name"
    assert diff(before, organisation) == {"name": ["Old name", "New name"]}


def test_record_keeps_who_did_what_to_which_object(convenor):
    organisation = OrganisationFactory(name="Kenya Land Alliance", country="KE")
    entry = record(
        actor=convenor,
        action="organisation.changed",
        target=organisation,
        changes={"city": ["", "Nairobi"]},
    )
    assert entry.actor == convenor
    assert entry.actor_label == "Clara Convenor"
    assert entry.target == organisation
    assert entry.object_repr == "Kenya Land Alliance"
    assert list(AuditEntry.objects.for_object(organisation)) == [entry]


def test_record_from_a_task_or_partner_names_the_actor_without_a_user(db):
    organisation = OrganisationFactory()
    entry = record(actor_label="partner key ab12", action="signature.recorded", target=organisation)
    assert entry.actor is None
    assert str(entry).startswith("partner key ab12 signature.recorded")


def test_an_entry_exists_only_if_its_change_committed(db):
    organisation = OrganisationFactory()
    try:
        with transaction.atomic():
            record(action="organisation.changed", target=organisation)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert not AuditEntry.objects.for_object(organisation).exists()
