"""/osdi/v1/: links are written without a trailing slash, with the identifier as the
last segment; every path answers with a trailing slash too (`with_slash`)."""

from django.urls import Resolver404, path, re_path, resolve

from osdi import views

app_name = "osdi"


def with_slash(request, path):
    """`/osdi/v1/people/` is `/osdi/v1/people`: the same view, without a redirect (a
    redirected POST loses its body in many clients). Not in the OpenAPI document, which
    lists each path once."""
    try:
        match = resolve(f"/osdi/v1/{path}")
    except Resolver404:
        return views.NotFound.as_view()(request, path=path)
    return match.func(request, *match.args, **match.kwargs)


def entry_point(request):
    """/osdi/v1 without its slash (the site's URLs mount this one outside the include)."""
    return views.EntryPoint.as_view()(request)


urlpatterns = [
    path("", views.EntryPoint.as_view(), name="aep"),
    path("people", views.People.as_view(), name="people"),
    path("people/<int:pk>", views.PersonItem.as_view(), name="person"),
    path(
        "people/<int:person>/signatures",
        views.PersonSignatures.as_view(),
        name="person-signatures",
    ),
    path(
        "people/<int:person>/attendances",
        views.PersonAttendances.as_view(),
        name="person-attendances",
    ),
    path("petitions", views.Petitions.as_view(), name="petitions"),
    path("petitions/<int:pk>", views.PetitionItem.as_view(), name="petition"),
    path(
        "petitions/<int:petition>/signatures",
        views.PetitionSignatures.as_view(),
        name="signatures",
    ),
    path(
        "petitions/<int:petition>/signatures/<int:pk>",
        views.SignatureItem.as_view(),
        name="signature",
    ),
    path(
        "petitions/<int:petition>/record_signature_helper",
        views.RecordSignatureHelper.as_view(),
        name="record-signature-helper",
    ),
    path("events", views.Events.as_view(), name="events"),
    path("events/<int:pk>", views.EventItem.as_view(), name="event"),
    path("events/<int:event>/attendances", views.EventAttendances.as_view(), name="attendances"),
    path(
        "events/<int:event>/attendances/<int:pk>",
        views.AttendanceItem.as_view(),
        name="attendance",
    ),
    path("tags", views.Tags.as_view(), name="tags"),
    path("tags/<int:pk>", views.TagItem.as_view(), name="tag"),
    re_path(r"^(?P<path>[\s\S]+)/$", with_slash),
    # [\s\S], not ".": a path with an encoded newline must get the JSON 404 too.
    re_path(r"^(?P<path>[\s\S]*)$", views.NotFound.as_view()),
]
