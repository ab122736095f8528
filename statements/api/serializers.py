"""The partner contract for joint statements: statements with their texts per language,
their signatures, and the input of a signature a partner collected."""

from django.conf import settings
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from statements.models import Signature, Statement, StatementText


class StatementTextSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementText
        fields = ["language", "title", "summary", "body"]
        extra_kwargs = {
            "language": {"help_text": "ISO 639-1 code of this translation."},
            "title": {"help_text": "Title in this language."},
            "summary": {"help_text": "Short summary, may be empty."},
            "body": {"help_text": "The text (Markdown)."},
        }


class StatementSerializer(serializers.ModelSerializer):
    version = serializers.SerializerMethodField(
        help_text="Number of the current version of the text (signatures record theirs)."
    )
    texts = serializers.SerializerMethodField(
        help_text="The current version's text in every language it exists in."
    )
    focus_areas = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="slug", help_text="Slugs of its focus areas."
    )
    signature_count = serializers.IntegerField(
        read_only=True,
        help_text="Confirmed signatures, including those counted without the name listed. "
        "Recounted every few seconds: it may lag the signatures list by up to 5 seconds.",
    )

    class Meta:
        model = Statement
        fields = [
            "id",
            "slug",
            "status",
            "audience",
            "original_language",
            "signon_opens_at",
            "signon_closes_at",
            "published_at",
            "focus_areas",
            "version",
            "texts",
            "signature_count",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "slug": {"help_text": "Stable short name (its page is /statements/<slug>/)."},
            "status": {"help_text": "open (for sign-on), published or closed."},
            "audience": {"help_text": "Who may sign: invited, members or anyone."},
            "original_language": {"help_text": "Language the statement was written in."},
            "signon_opens_at": {"help_text": "When sign-on opens, may be null."},
            "signon_closes_at": {"help_text": "Deadline to sign, may be null."},
            "published_at": {"help_text": "When it was published, null before."},
            "created_at": {"help_text": "When it was drafted."},
            "updated_at": {"help_text": "Last change (filter: updated_since)."},
        }

    def _current_version(self, statement):
        versions = statement.current_versions
        return versions[0] if versions else None

    def get_version(self, statement) -> int | None:
        version = self._current_version(statement)
        return version.number if version else None

    @extend_schema_field(StatementTextSerializer(many=True))
    def get_texts(self, statement):
        version = self._current_version(statement)
        texts = sorted(version.texts.all(), key=lambda text: text.language) if version else []
        return StatementTextSerializer(texts, many=True).data


class SignatureOrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Identifier of the organisation.")
    name = serializers.CharField(help_text="Name of the organisation.")
    country = CountryField(help_text="ISO 3166-1 alpha-2 code.")


class SignatureSerializer(serializers.ModelSerializer):
    organisation = SignatureOrganisationSerializer(
        read_only=True, help_text="The organisation that signed."
    )

    class Meta:
        model = Signature
        fields = [
            "id",
            "organisation",
            "signatory_name",
            "signatory_title",
            "listed_publicly",
            "status",
            "source",
            "created_at",
        ]
        extra_kwargs = {
            "id": {"help_text": "Stable identifier."},
            "signatory_name": {"help_text": "The person who signed for the organisation."},
            "signatory_title": {"help_text": "Their title or role, may be empty."},
            "listed_publicly": {
                "help_text": "False: counted in the total, the name must not be shown."
            },
            "status": {"help_text": "confirmed, or pending while it waits for moderation."},
            "source": {"help_text": "web, member or partner."},
            "created_at": {"help_text": "When it was signed."},
        }


class SignatureWithEmailSerializer(SignatureSerializer):
    class Meta(SignatureSerializer.Meta):
        fields = [*SignatureSerializer.Meta.fields, "email"]
        extra_kwargs = {
            **SignatureSerializer.Meta.extra_kwargs,
            "email": {"help_text": "The signatory's email (personal data)."},
        }


class SignatureInputSerializer(serializers.Serializer):
    """A signature the partner collected. Only parses: the signing service decides."""

    organisation = serializers.IntegerField(
        help_text="Identifier of the organisation signing (see /organisations/)."
    )
    signatory_name = serializers.CharField(
        max_length=200, help_text="The person signing on behalf of the organisation."
    )
    signatory_email = serializers.EmailField(help_text="Their email address.")
    signatory_title = serializers.CharField(
        max_length=200, required=False, default="", allow_blank=True, help_text="Their title."
    )
    listed_publicly = serializers.BooleanField(
        required=False,
        default=True,
        help_text="False: the signature counts but the organisation's name is not listed.",
    )
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES],
        required=False,
        help_text="Language of the confirmation email the signatory may be sent "
        "(default: the statement's original language).",
    )
