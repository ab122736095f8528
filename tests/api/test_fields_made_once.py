"""Partner serializers build their fields from the model once per class and read
`.values()` rows by key (alliance.core.api.serializers), and partner filter sets make
their form once (alliance.core.api.filters): what they write must stay what DRF and
django-filter write, in the language and time zone of each request."""

from django.utils import translation
from rest_framework import serializers

from members.api.serializers import FocusAreaSerializer, OrganisationSerializer


def test_field_choices_follow_the_language_of_each_serializer():
    with translation.override("fr"):
        french = OrganisationSerializer().fields["country"].choices
    with translation.override("en"):
        english = OrganisationSerializer().fields["country"].choices

    assert french["ZA"] == "Afrique du Sud"
    assert english["ZA"] == "South Africa"


class FocusAreaWithNote(FocusAreaSerializer):
    note = serializers.CharField(default="none")
    hidden = serializers.CharField(required=False)

    class Meta(FocusAreaSerializer.Meta):
        fields = [*FocusAreaSerializer.Meta.fields, "note", "hidden"]


def test_a_row_without_a_key_or_with_a_callable_is_written_as_drf_writes_it():
    rows = [
        {"id": 1, "slug": "land", "name": "Land", "translations": {"fr": "Terre"}},
        {"id": 2, "slug": "tax", "name": lambda: "Tax", "translations": {}, "note": None},
    ]

    written = FocusAreaWithNote(rows, many=True).data

    plain = FocusAreaWithNote()
    assert written == [serializers.Serializer.to_representation(plain, row) for row in rows]
    assert written[0] == {
        "id": 1,
        "slug": "land",
        "name": "Land",
        "translations": {"fr": "Terre"},
        "note": "none",
    }
    assert written[1]["name"] == "Tax" and written[1]["note"] is None


def test_a_refused_filter_is_explained_in_the_language_of_each_request(api, read_key):
    client = api(read_key)

    french = client.get("/api/v1/organisations/?kind=nope", HTTP_ACCEPT_LANGUAGE="fr")
    english = client.get("/api/v1/organisations/?kind=nope", HTTP_ACCEPT_LANGUAGE="en")

    assert french.status_code == english.status_code == 400
    assert "choix valide" in french.json()["error"]["fields"]["kind"][0]
    assert "valid choice" in english.json()["error"]["fields"]["kind"][0]


def partner_list_views():
    """Every list view of the partner API, from the URLconf."""
    from django.urls import get_resolver

    from alliance.core.api.views import PartnerListView

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            else:
                view = getattr(pattern.callback, "view_class", None)
                if view is not None and issubclass(view, PartnerListView):
                    yield view

    return set(walk(get_resolver().url_patterns))


def test_every_partner_list_filters_through_the_shared_filter_set():
    from alliance.core.api.filters import PartnerFilterSet

    views = partner_list_views()
    filtered = {view for view in views if getattr(view, "filterset_class", None)}

    assert len(filtered) >= 6  # organisations, memberships, statements, signatures, ...
    assert {
        view.__name__ for view in filtered if not issubclass(view.filterset_class, PartnerFilterSet)
    } == set()


def test_a_filter_set_makes_its_form_once_per_language():
    from statements.api.views import StatementFilter
    from statements.models import Statement

    with translation.override("fr"):
        french = StatementFilter({}, queryset=Statement.objects.none()).form
        again = StatementFilter({"status": "open"}, queryset=Statement.objects.none()).form
    with translation.override("en"):
        english = StatementFilter({}, queryset=Statement.objects.none()).form

    assert type(french) is type(again)
    assert type(english) is not type(french)
    assert french is not again and again.data["status"] == "open"
