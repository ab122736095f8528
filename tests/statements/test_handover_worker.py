"""A hand-over document above the size built while the reader waits: a real Celery
worker builds it, the reader's page follows its progress and then offers it; the same
statement state is never built twice."""

import re
import shutil
import time

import pytest
from django.utils import timezone

from statements import handover
from statements.models import HandoverDocument, Statement
from tests.factories import OrganisationFactory, SignatureFactory, StatementFactory

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_document_is_built_by_the_worker_and_then_offered(client, monkeypatch):
    monkeypatch.setattr(handover, "BUILD_WHILE_WAITING_UP_TO", 2)
    statement = StatementFactory(status=Statement.Status.PUBLISHED, published_at=timezone.now())
    for name in ["Accra Budget Watch", "Harare Residents Trust", "Lima Tax Justice"]:
        SignatureFactory(statement=statement, organisation=OrganisationFactory(name=name))
    url = f"/statements/{statement.slug}/handover.pdf"

    response = client.get(url, {"paper": "letter"})
    assert response.status_code == 302
    progress_url = response["Location"]
    assert re.fullmatch(rf"/statements/{statement.slug}/handover/\d+/", progress_url)

    deadline = time.monotonic() + 60
    while True:
        page = client.get(progress_url)
        assert page.status_code == 200
        if "The document is ready." in page.content.decode():
            break
        assert 'http-equiv="refresh"' in page.content.decode()
        assert time.monotonic() < deadline, page.content.decode()
        time.sleep(0.5)
    download = re.search(r'id="handover-download" href="([^"]+)"', page.content.decode())[1]
    pdf = client.get(download.replace("&amp;", "&"))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")

    document = HandoverDocument.objects.get()
    assert (document.status, document.progress, document.paper) == ("ready", 100, "letter")
    # Asked again, it is served as stored; run again, the task builds nothing.
    assert client.get(url, {"paper": "letter"}).content == pdf.content
    assert handover.build_document(document_id=document.pk) is False
    assert HandoverDocument.objects.count() == 1
