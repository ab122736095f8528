"""The OSDI payload format of webhook subscriptions: the body is an array of OSDI
resources, as Action Network posts them. It rewrites what the API's event payload says
(already cut to what the subscription's key may learn) and never adds to it: a
signature whose organisation the key may not learn stays without one."""

from django.conf import settings

from osdi.hal import Base, identifiers, link
from osdi.resources import ATTENDANCE_STATUS, NS


def osdi_payload(event: str, payload: dict) -> list[dict]:
    base = Base(settings.SITE_URL)
    if "signature" in payload:
        signature = payload["signature"]
        resource = {
            "identifiers": identifiers(signature["id"]),
            NS + "event": event,
            "_links": {
                "self": link(
                    base("petitions", signature["statement"], "signatures", signature["id"])
                ),
                "osdi:petition": link(base("petitions", signature["statement"])),
            },
        }
        if signature.get("organisation") is not None:
            resource[NS + "organisation"] = identifiers(signature["organisation"])[0]
            resource[NS + "listed_publicly"] = signature["listed_publicly"]
        return [{"osdi:signature": resource}]
    if "invitation" in payload:
        invitation = payload["invitation"]
        return [
            {
                "osdi:attendance": {
                    "identifiers": identifiers(invitation["id"]),
                    "status": ATTENDANCE_STATUS[invitation["answer"]],
                    NS + "event": event,
                    NS + "organisation": identifiers(invitation["organisation"])[0],
                    "_links": {"osdi:event": link(base("events", invitation["convening"]))},
                }
            }
        ]
    # Events OSDI has no resource for (a statement published, a membership approved, a
    # convening changed): the API's payload under the event's name.
    return [{NS + event: payload}]
