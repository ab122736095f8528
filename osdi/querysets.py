"""What a key may read through OSDI: the same `visible_to` querysets as the pages and
/api/v1/ (a key reads what an anonymous visitor sees, plus what its scopes add), in a
fixed order so that page numbers stay put between requests."""

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from alliance.core.api.scopes import acting_user
from campaigns.models import Convening, Invitation
from members.models import Contact, Organisation
from statements.api.views import statements_for
from statements.models import Signature

InvitedContact = Invitation.contacts.through


def petitions(view):
    return statements_for(view).order_by("id")


def signatures(request):
    """Signatures the key may see (Signature.objects.visible_to_key: the public ones,
    its own organisation's, and those counted without the name only for a convenor's
    key made to read them)."""
    return (
        Signature.objects.visible_to_key(request.auth).select_related("organisation").order_by("id")
    )


def people(request):
    """Contacts of the organisations the key may see, as /api/v1/organisations/ lists
    them with read:contacts; an erased contact never."""
    return (
        Contact.objects.filter(
            erased_at__isnull=True,
            organisation__in=Organisation.objects.visible_to(request.user).values("pk"),
        )
        .select_related("organisation")
        .order_by("id")
    )


def _invited(request):
    """Invitations the key may see: those the person it acts for may see on the pages,
    and its own organisation's."""
    visible = Q(pk__in=Invitation.objects.visible_to(acting_user(request)).values("pk"))
    own = request.auth.organisation_id
    return visible | Q(organisation=own) if own is not None else visible


def events(request):
    """Convenings the key may see: those the person it acts for sees on the pages
    (Convening.objects.visible_to), and those its own organisation is invited to."""
    own = request.auth.organisation_id
    visible = Q(pk__in=Convening.objects.visible_to(acting_user(request)).values("pk"))
    if own is not None:
        visible |= Q(
            pk__in=Invitation.objects.filter(organisation=own)
            .exclude(convening__status=Convening.Status.DRAFT)
            .values("convening")
        )
    accepted = (
        Invitation.objects.filter(convening=OuterRef("pk"), answer=Invitation.Answer.YES)
        .order_by()
        .values("convening")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return (
        Convening.objects.filter(visible)
        .annotate(total_accepted=Coalesce(Subquery(accepted, output_field=IntegerField()), 0))
        .order_by("id")
    )


def attendances(request):
    """Each invited contact of the invitations the key may see; erased contacts never."""
    return (
        InvitedContact.objects.filter(
            contact__erased_at__isnull=True,
            invitation__in=Invitation.objects.filter(_invited(request)).values("pk"),
        )
        .select_related("invitation")
        .order_by("id")
    )
