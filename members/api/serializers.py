"""The partner contract for who the alliance is: organisations (public profiles; contacts
for keys with read:contacts), focus areas and national alliances."""

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from members.models import Contact, FocusArea, NationalAlliance, Organisation


class FocusAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocusArea
        fields = ["id", "slug", "name", "translations"]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "slug": {"help_text": "Stable short name, used in filters (`focus_area=`)."},
            "name": {"help_text": "Name in English."},
            "translations": {"help_text": 'Name in other languages: {"fr": "...", ...}.'},
        }


class NationalAllianceSerializer(serializers.ModelSerializer):
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


class ContactSerializer(serializers.ModelSerializer):
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


class OrganisationSerializer(serializers.ModelSerializer):
    country = CountryField(help_text="ISO 3166-1 alpha-2 code.")
    focus_areas = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug", help_text="Slugs of its focus areas."
    )
    national_alliances = serializers.SerializerMethodField(
        help_text="Slugs of the national alliances it is an approved member of."
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

    def get_national_alliances(self, organisation) -> list[str]:
        # organisations_for loads only the memberships of national alliances.
        return [
            membership.national_alliance.slug for membership in organisation.approved_memberships
        ]


class OrganisationWithContactsSerializer(OrganisationSerializer):
    contacts = ContactSerializer(
        many=True,
        read_only=True,
        source="current_contacts",
        help_text="Its contacts (keys with the read:contacts scope only).",
    )

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "contacts"]
