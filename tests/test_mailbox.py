"""The local mailbox as staff read it: a subject per email, dates nobody misreads, names
as written (not as encoded in the header), and attachments to download (staff only)."""

import icalendar
import pytest
from django.urls import reverse

from alliance.core.outbox.models import OutgoingMessage
from alliance.core.outbox.services import Email, queue_email

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_pages")]

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
    "UID:x@test\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Assemblée\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def staff(convenor):
    convenor.is_staff = True
    convenor.save(update_fields=["is_staff"])
    return convenor


@pytest.fixture
def outgoing(db):
    queue_email(
        Email(
            key="test:mailbox-reading",
            to_email="amelie@kapchorwa.test",
            to_name="Amélie Okello",
            template="notice",
            language="fr",
            context={"subject": "Fini l'austérité", "text": "Bonjour."},
            attachments=[
                {
                    "filename": "invite.ics",
                    "mimetype": "text/calendar; method=REQUEST",
                    "content": CALENDAR,
                }
            ],
        )
    )
    return OutgoingMessage.objects.get(key="test:mailbox-reading")


def test_the_list_shows_subjects_unambiguous_dates_and_names_as_written(
    client_for, staff, outgoing
):
    page = client_for(staff).get(reverse("outbox:mailbox")).content.decode()

    assert "Fini l&#x27;austérité" in page  # the subject, escaped once for HTML
    assert "Amélie Okello &lt;amelie@kapchorwa.test&gt;" in page
    assert outgoing.created_at.strftime("%d %b %Y").lstrip("0") in page
    assert outgoing.created_at.strftime("%m/%d/%Y") not in page


def test_the_message_shows_the_recipient_decoded_and_links_its_attachments(
    client_for, staff, outgoing
):
    client = client_for(staff)
    page = client.get(reverse("outbox:message", args=[outgoing.pk])).content.decode()

    assert "=?utf-8?" not in page
    assert "Amélie Okello &lt;amelie@kapchorwa.test&gt;" in page
    download = reverse("outbox:attachment", args=[outgoing.pk, 0])
    assert f'href="{download}"' in page

    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert 'filename="invite.ics"' in response["Content-Disposition"]
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Assemblée"


def test_an_attachment_that_does_not_exist_is_not_found(client_for, staff, outgoing):
    response = client_for(staff).get(reverse("outbox:attachment", args=[outgoing.pk, 1]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "persona, status",
    [
        ("anonymous", 302),
        ("outsider", 403),
        ("representative", 403),
        ("uganda_coordinator", 403),
        ("brazil_coordinator", 403),
        ("convenor", 403),  # a convenor who is not staff
    ],
)
def test_attachments_are_for_staff_only(client_for, personas, persona, status, outgoing):
    response = client_for(personas[persona]).get(
        reverse("outbox:attachment", args=[outgoing.pk, 0])
    )
    assert response.status_code == status
    assert b"VCALENDAR" not in response.content
