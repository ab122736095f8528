"""/osdi/v1/: the Open Supporter Data Interface over the same querysets and services as
the pages and /api/v1/. Views parse, call, represent; every rule lives elsewhere."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from alliance.core.api.authentication import ApiKeyAuthentication
from alliance.core.api.exceptions import ApiError
from alliance.core.api.idempotency import idempotent
from alliance.core.api.permissions import HasScope, InsufficientScope
from alliance.core.api.scopes import Scope, acting_user, scopes_of
from alliance.core.api.throttling import ApiKeyRateThrottle
from campaigns import services as campaign_services
from members.models import FocusArea
from osdi import querysets, resources
from osdi.authentication import OsdiTokenAuthentication
from osdi.errors import exception_handler
from osdi.filters import apply_filter, date_property, email_property
from osdi.hal import (
    CURIES,
    MAX_PER_PAGE,
    Base,
    HalJsonParser,
    HalJsonRenderer,
    HalOnly,
    collection,
    link,
)
from osdi.schema import OsdiAutoSchema
from statements import services as statement_services
from statements.api import signing
from statements.models import Statement

MODIFIED = {
    "modified_date": date_property("updated_at"),
    "created_date": date_property("created_at"),
}


class OsdiView(APIView):
    # OSDI clients send the key as OSDI-API-Token; the API's header works too.
    authentication_classes = [OsdiTokenAuthentication, ApiKeyAuthentication]
    permission_classes = [HasScope]
    throttle_classes = [ApiKeyRateThrottle]
    renderer_classes = [HalJsonRenderer]
    parser_classes = [JSONParser, HalJsonParser]
    content_negotiation_class = HalOnly
    required_scopes = {"GET": Scope.READ}
    resource = "osdi:resource"
    schema = OsdiAutoSchema()

    def get_exception_handler(self):
        return exception_handler

    @property
    def base(self) -> Base:
        return Base.of(self.request)

    def has_scope(self, scope: str) -> bool:
        return scope in scopes_of(self.request)

    def require(self, scope: str) -> None:
        if not self.has_scope(scope):
            raise InsufficientScope(_("This API key lacks the scope %(scope)s.") % {"scope": scope})


class Collection(OsdiView):
    """A paged list: `rows()` the queryset, `represent(rows)` the page's resources."""

    name = ""
    filters: dict = {}
    paged = True

    def rows(self):
        raise NotImplementedError

    def represent(self, rows) -> list[dict]:
        raise NotImplementedError

    def get(self, request, **kwargs):
        unknown = sorted(set(request.query_params) - {"page", "per_page", "filter"})
        if unknown:
            message = _("Unknown query parameter. This list accepts: filter, page, per_page.")
            raise exceptions.ValidationError({name: [message] for name in unknown})
        queryset = apply_filter(self.rows(), request, self.filters)
        return Response(
            collection(request, name=self.name, queryset=queryset, represent=self.represent)
        )


class ItemOf:
    """The detail view of a collection: one of its rows, by identifier."""

    paged = False

    def get(self, request, pk, **kwargs):
        return Response(self.represent([get_object_or_404(self.rows(), pk=pk)])[0])


# --- Entry point -----------------------------------------------------------------------


class EntryPoint(OsdiView):
    authentication_classes = []
    permission_classes = [AllowAny]

    # Out of the OpenAPI document, as /api/v1/'s root: a list of links, described in
    # docs/osdi.md (and no input a fuzzer could vary).
    @extend_schema(exclude=True)
    def get(self, request):
        base = self.base
        titles = {
            "osdi:people": ("people", "Contacts of member organisations (read:contacts)"),
            "osdi:petitions": ("petitions", "Joint statements"),
            "osdi:events": ("events", "Convenings"),
            "osdi:tags": ("tags", "Focus areas"),
        }
        links = {"self": link(base() + "/", title="This API entry point"), "curies": CURIES}
        links.update({rel: link(base(path), title=title) for rel, (path, title) in titles.items()})
        return Response(
            {
                "motd": "Alliance Hub speaks the Open Supporter Data Interface. "
                "Send your API key in the OSDI-API-Token header.",
                "vendor_name": "Alliance Hub",
                "product_name": "Alliance Hub",
                "osdi_version": "1.2.0",
                "max_pagesize": MAX_PER_PAGE,
                "namespace": "alliance_hub",
                "_links": links,
            }
        )


# --- Petitions and signatures ------------------------------------------------------------


class Petitions(Collection):
    name = "osdi:petitions"
    resource = "osdi:petition"
    filters = MODIFIED

    def rows(self):
        return querysets.petitions(self)

    def represent(self, rows):
        return [resources.petition(self.base, statement) for statement in rows]


class SignatureMixin:
    name = "osdi:signatures"
    resource = "osdi:signature"
    filters = MODIFIED

    def represent(self, rows):
        with_email = self.has_scope(Scope.READ_CONTACTS)
        return [
            resources.signature(self.base, row, with_email=with_email, link_people=with_email)
            for row in rows
        ]


class PetitionSignatures(SignatureMixin, Collection):
    required_scopes = {"GET": Scope.READ, "POST": Scope.WRITE_SIGNATURES}

    def rows(self):
        statement = get_object_or_404(
            Statement.objects.visible_to(self.request.user), pk=self.kwargs["petition"]
        )
        return querysets.signatures(self.request).filter(statement=statement)

    @extend_schema(
        summary="Record a signature for a person's organisation",
        description="Scopes write:signatures and read:contacts. Body: `_links.osdi:person` "
        "(a person of /osdi/v1/people) or `person` with `email_addresses` (matched to "
        "exactly one contact), and optionally `alliance_hub:listed_publicly` (false: "
        "counted without the name). The same rules as /api/v1/statements/{id}/signatures/: "
        "201 signed, 202 waiting for the signatory to confirm their address (the same "
        "whether or not the organisation signed); 200 with the existing signature when "
        "the organisation's signature is one this key may see. `Idempotency-Key` works "
        "as on /api/v1/.",
    )
    @idempotent
    def post(self, request, petition):
        return record_signature(self, request, petition)


def person_from_body(view, data, people) -> object:
    """The contact a POST names: by `_links.osdi:person` (its identifier is the last
    segment) or by the one email address of an inline `person`, among `people`."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"person": [_("Send a JSON object.")]})
    links = data.get("_links") if isinstance(data.get("_links"), dict) else {}
    person_link = links.get("osdi:person")
    if isinstance(person_link, dict) and person_link.get("href"):
        identifier = str(person_link["href"]).rstrip("/").rsplit("/", 1)[-1].split(":")[-1]
        valid = identifier.isdigit() and int(identifier) < 2**31
        contact = people.filter(pk=int(identifier)).first() if valid else None
        if contact is None:
            raise ApiError(400, "person_not_found", _("There is no such person."))
        return contact
    person = data.get("person")
    addresses = person.get("email_addresses") if isinstance(person, dict) else None
    emails = [
        entry.get("address")
        for entry in addresses or []
        if isinstance(entry, dict) and isinstance(entry.get("address"), str)
    ]
    if len(emails) != 1:
        raise exceptions.ValidationError(
            {"person": [_("Send an osdi:person link, or a person with one email address.")]}
        )
    matches = list(people.filter(email__iexact=emails[0].strip())[:2])
    if not matches:
        raise ApiError(400, "person_not_found", _("No contact has this email address."))
    if len(matches) > 1:
        raise ApiError(
            400,
            "ambiguous_person",
            _("Several contacts have this email address: send an osdi:person link instead."),
        )
    return matches[0]


def record_signature(view, request, petition: int) -> Response:
    """POST .../signatures and .../record_signature_helper: the person's organisation
    signs through statements.api.signing, as on /api/v1/."""
    view.require(Scope.READ_CONTACTS)
    statement = signing.signable_statement(petition)
    contact = person_from_body(view, request.data, querysets.people(request))
    listed = request.data.get("alliance_hub:listed_publicly", True)
    if not isinstance(listed, bool):
        raise exceptions.ValidationError(
            {"alliance_hub:listed_publicly": [_("Must be true or false.")]}
        )
    organisation = signing.partner_organisation(request, contact.organisation_id)
    existing = querysets.signatures(request).filter(statement=statement, organisation=organisation)

    def answer(signature, status_code):
        return Response(view.represent([signature])[0], status=status_code)

    # A rerun for a signature this key can see anyway: the signature, nothing new.
    if (signature := existing.first()) is not None:
        return answer(signature, 200)
    signatory = statement_services.Signatory(
        name=contact.name, email=contact.email, title=contact.role, listed_publicly=listed
    )
    try:
        recorded = signing.record_partner_signature(
            request=request,
            statement=statement,
            organisation=organisation,
            signatory=signatory,
            language=contact.language,
        )
    except statement_services.AlreadySigned:
        # Only a key that speaks for the organisation gets here, as on /api/v1/.
        if (signature := existing.first()) is not None:
            return answer(signature, 200)
        raise ApiError(
            409, "already_signed", _("This organisation has signed this statement already.")
        ) from None
    return answer(recorded.signature, recorded.status_code)


class RecordSignatureHelper(SignatureMixin, OsdiView):
    required_scopes = {"POST": Scope.WRITE_SIGNATURES}

    @extend_schema(
        summary="Record Signature Helper",
        description="As POST /petitions/{id}/signatures, for a `person` given inline by "
        "email address: it must match exactly one contact (else 400 `person_not_found` "
        "or `ambiguous_person`).",
    )
    @idempotent
    def post(self, request, petition):
        return record_signature(self, request, petition)


class PersonSignatures(SignatureMixin, Collection):
    required_scopes = {"GET": Scope.READ_CONTACTS}

    def rows(self):
        contact = get_object_or_404(querysets.people(self.request), pk=self.kwargs["person"])
        return querysets.signatures(self.request).filter(contact=contact)


class SignatureItem(SignatureMixin, OsdiView):
    def get(self, request, petition, pk):
        statement = get_object_or_404(Statement.objects.visible_to(request.user), pk=petition)
        signature = get_object_or_404(
            querysets.signatures(request).filter(statement=statement), pk=pk
        )
        return Response(self.represent([signature])[0])


# --- People and tags ---------------------------------------------------------------------


class People(Collection):
    name = "osdi:people"
    resource = "osdi:person"
    required_scopes = {"GET": Scope.READ_CONTACTS}
    filters = {**MODIFIED, "email_address": email_property("email")}

    def rows(self):
        return querysets.people(self.request)

    def represent(self, rows):
        return [resources.person(self.base, contact) for contact in rows]


class Tags(Collection):
    name = "osdi:tags"
    resource = "osdi:tag"
    filters = {}

    def rows(self):
        return FocusArea.objects.order_by("id")

    def represent(self, rows):
        return [resources.tag(self.base, area) for area in rows]


# --- Events and attendances --------------------------------------------------------------


class Events(Collection):
    name = "osdi:events"
    resource = "osdi:event"
    filters = {
        "created_date": date_property("created_at"),
        "start_date": date_property("starts_at"),
    }

    def rows(self):
        return querysets.events(self.request)

    def represent(self, rows):
        return [resources.event(self.base, convening) for convening in rows]


class AttendanceMixin:
    name = "osdi:attendances"
    resource = "osdi:attendance"
    filters = {
        "created_date": date_property("invitation__created_at"),
        "modified_date": date_property("invitation__answered_at"),
    }

    def represent(self, rows):
        return [resources.attendance(self.base, row) for row in rows]


class EventAttendances(AttendanceMixin, Collection):
    required_scopes = {"GET": Scope.READ_CONTACTS, "POST": Scope.WRITE_ATTENDANCES}

    def event(self):
        return get_object_or_404(querysets.events(self.request), pk=self.kwargs["event"])

    def rows(self):
        return querysets.attendances(self.request).filter(invitation__convening=self.event())

    @extend_schema(
        summary="Answer an invitation for a person (RSVP)",
        description="Scopes write:attendances and read:contacts. Body: `status` (accepted, "
        "declined or tentative) and `_links.osdi:person` (or `person` by email address), "
        "a contact invited to the event. Answers the organisation's invitation through "
        "the same service as the RSVP page (deadline, places per organisation, audit); "
        "accepting adds the person to the delegates. A key of the organisation, or "
        "acting for a convenor or one of its representatives, may answer; any other "
        "gets 404 as for a person not invited.",
    )
    @idempotent
    def post(self, request, event):
        self.require(Scope.READ_CONTACTS)
        convening = self.event()
        status = request.data.get("status") if isinstance(request.data, dict) else None
        answer = resources.ANSWER_OF_STATUS.get(status) if isinstance(status, str) else None
        if answer is None:
            raise exceptions.ValidationError(
                {"status": [_("One of accepted, declined or tentative.")]}
            )
        invited = querysets.InvitedContact.objects.filter(
            invitation__convening=convening, contact__erased_at__isnull=True
        ).select_related("contact", "invitation__organisation", "invitation__convening")
        # Not invited, or not the key's to answer: the same answer, so that a key learns
        # nothing of invitations it may not answer.
        not_answerable = ApiError(
            404,
            "person_not_found",
            _("This person is not invited, or not one this key may answer for."),
        )
        try:
            contact = person_from_body(
                self,
                request.data,
                querysets.people(request).model.objects.filter(pk__in=invited.values("contact")),
            )
        except ApiError as error:
            if error.detail.code != "person_not_found":
                raise
            raise not_answerable from None
        row = invited.get(contact=contact)
        if not self._may_answer(row.invitation):
            raise not_answerable
        delegates = [name for name in row.invitation.delegates if name != contact.name]
        if answer == resources.ANSWER_OF_STATUS["accepted"]:
            delegates.append(contact.name)
        elif answer == resources.ANSWER_OF_STATUS["tentative"]:
            delegates = row.invitation.delegates
        try:
            campaign_services.answer_invitation(
                invitation=row.invitation, answer=answer, delegates=delegates
            )
        except DjangoValidationError as refusal:
            raise ApiError(409, "rsvp_refused", " ".join(refusal.messages)) from None
        return Response(self.represent([row])[0])

    def _may_answer(self, invitation) -> bool:
        """As the RSVP page: the organisation itself (its key), or a convenor or one of
        its representatives (the person the key acts for)."""
        own = self.request.auth.organisation_id == invitation.organisation_id
        return own or acting_user(self.request).has_perm("campaigns.answer_invitation", invitation)


class PersonAttendances(AttendanceMixin, Collection):
    required_scopes = {"GET": Scope.READ_CONTACTS}

    def rows(self):
        contact = get_object_or_404(querysets.people(self.request), pk=self.kwargs["person"])
        events = querysets.events(self.request).values("pk")
        return querysets.attendances(self.request).filter(
            contact=contact, invitation__convening__in=events
        )


class AttendanceItem(AttendanceMixin, OsdiView):
    required_scopes = {"GET": Scope.READ_CONTACTS}

    def get(self, request, event, pk):
        convening = get_object_or_404(querysets.events(request), pk=event)
        row = get_object_or_404(
            querysets.attendances(request).filter(invitation__convening=convening), pk=pk
        )
        return Response(self.represent([row])[0])


class PetitionItem(ItemOf, Petitions):
    pass


class PersonItem(ItemOf, People):
    pass


class EventItem(ItemOf, Events):
    pass


class TagItem(ItemOf, Tags):
    pass


class NotFound(OsdiView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request, path=""):
        raise ApiError(404, "not_found", _("There is no such endpoint."))

    post = put = patch = delete = get
