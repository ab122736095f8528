"""The partner contract for who the alliance is: organisations (public profiles; contacts
for keys with read:contacts), focus areas, national alliances and memberships, and the
input of write:members (a profile change, an application to join)."""

from django.conf import settings
from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from alliance.core.api.serializers import PartnerModelSerializer
from members.models import Contact, FocusArea, Membership, NationalAlliance, Organisation
from members.profiles import EDITABLE_PROFILE_FIELDS, language_codes


class FocusAreaSerializer(PartnerModelSerializer):
    class Meta:
        model = FocusArea
        fields = ["id", "slug", "name", "translations"]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "slug": {"help_text": "Stable short name, used in filters (`focus_area=`)."},
            "name": {"help_text": "Name in English."},
            "translations": {"help_text": 'Name in other languages: {"fr": "...", ...}.'},
        }


class NationalAllianceSerializer(PartnerModelSerializer):
    country = CountryField(help_text="ISO 3166-1 alpha-2 code.")

    class Meta:
        model = NationalAlliance
        fields = ["id", "slug", "name", "country", "status", "description", "created_at"]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "slug": {"help_text": "Stable short name, used in filters (`alliance=`)."},
            "name": {"help_text": "Name of the national alliance."},
            "status": {"help_text": "forming, active or dormant."},
            "description": {"help_text": "What the alliance does (Markdown)."},
            "created_at": {"help_text": "When the alliance was recorded."},
        }


class ContactSerializer(PartnerModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "name", "email", "role", "language", "authorised_to_sign"]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "name": {"help_text": "Full name."},
            "email": {"help_text": "Email address (personal data)."},
            "role": {"help_text": "Role in the organisation."},
            "language": {"help_text": "Preferred language (ISO 639-1)."},
            "authorised_to_sign": {
                "help_text": "May sign joint statements on behalf of the organisation."
            },
        }


class OrganisationSerializer(PartnerModelSerializer):
    """Writes model rows (one organisation) and `.values()` rows (a list page) alike."""

    country = CountryField(help_text="ISO 3166-1 alpha-2 code.")
    # Set by members.api.views: read with the page on PostgreSQL (slug_arrays), else after it.
    focus_areas = serializers.ListField(
        child=serializers.CharField(),
        source="focus_area_slugs",
        read_only=True,
        help_text="Slugs of its focus areas.",
    )
    national_alliances = serializers.ListField(
        child=serializers.CharField(),
        source="alliance_slugs",
        read_only=True,
        help_text="Slugs of the national alliances it is an approved member of.",
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "slug",
            "name",
            "short_name",
            "kind",
            "country",
            "city",
            "region",
            "global_south",
            "focus_areas",
            "national_alliances",
            "website",
            "description",
            "languages",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "slug": {"help_text": "Stable short name (its page is /members/<slug>/)."},
            "name": {"help_text": "Full name."},
            "short_name": {"help_text": "Acronym or short name, may be empty."},
            "kind": {"help_text": "What kind of organisation it is."},
            "city": {"help_text": "City, may be empty."},
            "region": {"help_text": "Region derived from the country."},
            "global_south": {"help_text": "Whether the country is in the global south."},
            "website": {"help_text": "Website address, may be empty."},
            "description": {"help_text": "What it does (Markdown)."},
            "languages": {"help_text": "ISO 639-1 codes of the languages it works in."},
            "created_at": {"help_text": "When it was recorded."},
            "updated_at": {"help_text": "Last change of the profile (filter: updated_since)."},
        }


class OrganisationWithContactsSerializer(OrganisationSerializer):
    contacts = ContactSerializer(
        many=True,
        read_only=True,
        source="current_contacts",
        help_text="Its contacts (keys with the read:contacts scope only).",
    )

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "contacts"]
        # Optional in the schema: a key without read:contacts gets no `contacts`.
        fields_for_some_keys = ["contacts"]


class MembershipSerializer(PartnerModelSerializer):
    """Writes model rows and `.values()` rows alike."""

    # The column, not the relation: a `.values()` row holds only the id.
    organisation = serializers.IntegerField(
        source="organisation_id",
        read_only=True,
        help_text="Identifier of the organisation (see /organisations/).",
    )
    # Both annotated by members.api.views.with_alliance_and_version.
    national_alliance = serializers.CharField(
        source="alliance_slug",
        read_only=True,
        allow_null=True,
        help_text="Slug of the national alliance; null for the international alliance.",
    )
    principles_version = serializers.IntegerField(
        source="endorsed_version",
        read_only=True,
        allow_null=True,
        help_text="Version of the shared principles the organisation endorsed.",
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "organisation",
            "national_alliance",
            "status",
            "principles_version",
            "applied_at",
            "decided_at",
            "joined_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "status": {"help_text": "applied, approved, declined, suspended or left."},
            "applied_at": {"help_text": "When the organisation applied (filter: updated_since)."},
            "decided_at": {"help_text": "When the last decision was taken, null before."},
            "joined_at": {"help_text": "When it was first approved, null before."},
        }


# --- Input of write:members -------------------------------------------------------------


class OrganisationProfileInputSerializer(serializers.ModelSerializer):
    """The profile fields a partner may change (PATCH: send only those that change), the
    ones the organisation's edit page offers. Only parses:
    members.profiles.update_organisation records and saves."""

    name = serializers.CharField(max_length=300, help_text="Full name.")
    short_name = serializers.CharField(
        max_length=60, allow_blank=True, help_text="Acronym or short name, may be empty."
    )
    kind = serializers.ChoiceField(
        choices=Organisation.Kind.choices, help_text="What kind of organisation it is."
    )
    country = CountryField(help_text="ISO 3166-1 alpha-2 code (region is derived from it).")
    city = serializers.CharField(max_length=120, allow_blank=True, help_text="City.")
    website = serializers.URLField(max_length=200, allow_blank=True, help_text="Website address.")
    description = serializers.CharField(allow_blank=True, help_text="What it does (Markdown).")
    languages = serializers.ListField(
        child=serializers.CharField(),
        help_text="ISO 639-1 codes of the languages it works in.",
    )
    listed_publicly = serializers.BooleanField(
        help_text="False for an organisation at risk: its profile is shown to members only."
    )
    focus_areas = serializers.SlugRelatedField(
        many=True,
        slug_field="slug",
        queryset=FocusArea.objects.all(),
        help_text="Slugs of its focus areas (the whole list: it replaces the current one).",
    )

    class Meta:
        model = Organisation
        # A field added to the list and not declared above is built from the model.
        fields = EDITABLE_PROFILE_FIELDS

    def validate_languages(self, codes):
        return language_codes(codes)


class NewOrganisationInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300, help_text="Full name.")
    short_name = serializers.CharField(
        max_length=60, required=False, default="", allow_blank=True, help_text="Acronym."
    )
    kind = serializers.ChoiceField(
        choices=Organisation.Kind.choices, help_text="What kind of organisation it is."
    )
    country = CountryField(
        help_text="ISO 3166-1 alpha-2 code; the application goes to that country's "
        "national alliance, or to the international alliance where there is none."
    )
    city = serializers.CharField(
        max_length=120, required=False, default="", allow_blank=True, help_text="City."
    )
    website = serializers.URLField(
        max_length=200,
        required=False,
        default="",
        allow_blank=True,
        help_text="Website address.",
    )
    description = serializers.CharField(
        required=False, default="", allow_blank=True, help_text="What it does (Markdown)."
    )
    focus_areas = serializers.SlugRelatedField(
        many=True,
        slug_field="slug",
        queryset=FocusArea.objects.all(),
        required=False,
        default=list,
        help_text="Slugs of its focus areas.",
    )


class ApplicantInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, help_text="Name of the person applying.")
    email = serializers.EmailField(
        max_length=254,
        help_text="Their email address: they receive a link to confirm it, and reviewers "
        "see the application once it is confirmed.",
    )
    role = serializers.CharField(
        max_length=200,
        required=False,
        default="",
        allow_blank=True,
        help_text="Their role in the organisation.",
    )
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        default="en",
        help_text="Language of the emails they receive, and of the principles endorsed.",
    )


class MembershipApplicationInputSerializer(serializers.Serializer):
    """An application to join, as the public form takes it. Only parses: the decision
    belongs to members.services.apply_to_join."""

    organisation = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="Identifier of an existing organisation applying (the key's owner must "
        "be allowed to change it). The applicant becomes one of its contacts when they "
        "confirm an address that is already a contact's, or else when the application is "
        "approved. Send this or `new_organisation`.",
    )
    new_organisation = NewOrganisationInputSerializer(
        required=False, help_text="The organisation applying, when it is not recorded yet."
    )
    not_a_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="True once you have checked that none of the probable duplicates "
        "answered earlier (409 `possible_duplicates`) is the organisation applying.",
    )
    applicant = ApplicantInputSerializer(help_text="The person applying for it.")
    principles_version = serializers.IntegerField(
        help_text="Version of the shared principles shown to the applicant: it must be "
        "the current one."
    )
    endorse = serializers.BooleanField(
        help_text="Must be true: the organisation endorses the principles of that version."
    )

    def validate_endorse(self, value):
        if not value:
            raise serializers.ValidationError(_("Joining means endorsing the principles."))
        return value

    def validate(self, data):
        if ("organisation" in data) == ("new_organisation" in data):
            raise serializers.ValidationError(
                _("Send exactly one of organisation and new_organisation.")
            )
        return data
