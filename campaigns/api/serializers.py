"""The partner contract for campaigns (with the moments on their timeline) and
convenings: what the caller may see of them (never an online link or the invitations;
no campaign still in planning)."""

from rest_framework import serializers

from campaigns.models import Campaign, Convening, Moment


class ConveningSerializer(serializers.ModelSerializer):
    national_alliance = serializers.SlugRelatedField(
        read_only=True,
        allow_null=True,
        slug_field="slug",
        help_text="Slug of the national alliance, null for an international convening.",
    )
    campaign = serializers.SlugRelatedField(
        read_only=True,
        allow_null=True,
        slug_field="slug",
        help_text="Slug of its campaign, may be null.",
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
            "moment",
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
            "moment": {
                "help_text": "Identifier of the campaign moment it is held for, may be null."
            },
            "format": {"help_text": "in_person, online or hybrid."},
            "status": {
                "help_text": "draft (seen by its organisers only), scheduled, moved, "
                "cancelled or held."
            },
            "starts_at": {"help_text": "Start (ISO 8601, UTC)."},
            "ends_at": {"help_text": "End (ISO 8601, UTC)."},
            "time_zone": {"help_text": "IANA time zone of the place, e.g. Africa/Kampala."},
            "venue": {"help_text": "Where it takes place, may be empty."},
            "created_at": {"help_text": "When it was recorded."},
        }


class MomentSerializer(serializers.ModelSerializer):
    statements = serializers.SerializerMethodField(
        help_text="Identifiers of the statements timed to this moment (see /statements/{id}/)."
    )
    convenings = serializers.SerializerMethodField(
        help_text="Identifiers of the convenings held for it (see /convenings/{id}/)."
    )

    # Both lists are prefetched by campaigns.api.views.campaigns_for, scoped to the viewer.
    def get_statements(self, moment) -> list[int]:
        return [statement.pk for statement in moment.visible_statements]

    def get_convenings(self, moment) -> list[int]:
        return [convening.pk for convening in moment.visible_convenings]

    class Meta:
        model = Moment
        fields = ["id", "title", "date", "description", "statements", "convenings"]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "title": {"help_text": "What happens, e.g. World Economic Forum, Davos."},
            "date": {"help_text": "When (ISO 8601 date)."},
            "description": {"help_text": "More about it, may be empty."},
        }


class CampaignSerializer(serializers.ModelSerializer):
    focus_areas = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug", help_text="Slugs of its focus areas."
    )
    national_alliances = serializers.SlugRelatedField(
        many=True,
        read_only=True,
        slug_field="slug",
        help_text="Slugs of the national alliances involved.",
    )
    moments = MomentSerializer(
        many=True,
        read_only=True,
        source="timeline",
        help_text="The moments on its timeline, in date order.",
    )

    class Meta:
        model = Campaign
        fields = [
            "id",
            "slug",
            "title",
            "status",
            "vision",
            "strategy",
            "starts_on",
            "ends_on",
            "focus_areas",
            "national_alliances",
            "moments",
            "created_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "slug": {"help_text": "Stable short name."},
            "title": {"help_text": "Title of the campaign."},
            "status": {"help_text": "active or concluded."},
            "vision": {"help_text": "Its vision (Markdown)."},
            "strategy": {"help_text": "Its strategy (Markdown)."},
            "starts_on": {"help_text": "First day (ISO 8601 date)."},
            "ends_on": {"help_text": "Last day, null while open-ended."},
            "created_at": {"help_text": "When it was recorded."},
        }
