"""The partner contract for convenings: what is public about them (no online link, no
invitations, nothing while they are drafts)."""

from rest_framework import serializers

from campaigns.models import Convening


class ConveningSerializer(serializers.ModelSerializer):
    national_alliance = serializers.SlugRelatedField(
        read_only=True,
        slug_field="slug",
        help_text="Slug of the national alliance, null for an international convening.",
    )
    campaign = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", help_text="Slug of its campaign, may be null."
    )

    class Meta:
        model = Convening
        fields = [
            "id",
            "slug",
            "title",
            "scope",
            "national_alliance",
            "campaign",
            "format",
            "status",
            "starts_at",
            "ends_at",
            "time_zone",
            "venue",
            "created_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "slug": {"help_text": "Stable short name."},
            "title": {"help_text": "Title of the convening."},
            "scope": {"help_text": "international or national."},
            "format": {"help_text": "in_person, online or hybrid."},
            "status": {"help_text": "scheduled, moved, cancelled or held."},
            "starts_at": {"help_text": "Start (ISO 8601, UTC)."},
            "ends_at": {"help_text": "End (ISO 8601, UTC)."},
            "time_zone": {"help_text": "IANA time zone of the place, e.g. Africa/Kampala."},
            "venue": {"help_text": "Where it takes place, may be empty."},
            "created_at": {"help_text": "When it was recorded."},
        }
