"""The idiomatic floor of bench/signing.py: the public signing row written as a Django
tutorial would write it (a function view, a plain Django form, `objects.create`), under
the whole of production's settings and middleware, at the public form's own path (so
that nginx applies the same location to it). It checks what the application's form
checks (a country among the ISO codes, one of the kinds of organisation, an address),
the plain way: Django's ChoiceField over django-countries' list and the model's choices.

Run by gunicorn with production's command line, `_signing_idiomatic` in place of
`alliance.wsgi`.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")

from django import forms  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse, HttpResponseRedirect  # noqa: E402
from django.shortcuts import get_object_or_404  # noqa: E402
from django.urls import path  # noqa: E402
from django_countries import countries  # noqa: E402

application = get_wsgi_application()
settings.ROOT_URLCONF = __name__  # this module's one URL, below

from members.models import Organisation  # noqa: E402
from statements.models import PublicSubmission, Statement  # noqa: E402


class SubmissionForm(forms.Form):
    organisation_name = forms.CharField(max_length=300)
    country = forms.ChoiceField(choices=countries)
    kind = forms.ChoiceField(choices=Organisation.Kind.choices)
    signatory_name = forms.CharField(max_length=200)
    signatory_title = forms.CharField(max_length=200, required=False)
    email = forms.EmailField()
    visibility = forms.ChoiceField(choices=[("listed", "listed"), ("counted", "counted")])


def sign(request, slug):
    statement = get_object_or_404(Statement, slug=slug, status=Statement.Status.OPEN)
    form = SubmissionForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return HttpResponse(str(form), status=400 if request.method == "POST" else 200)
    data = form.cleaned_data
    PublicSubmission.objects.create(
        statement=statement,
        organisation_name=data["organisation_name"],
        country=data["country"],
        kind=data["kind"],
        signatory_name=data["signatory_name"],
        signatory_title=data["signatory_title"],
        email=data["email"],
        listed_publicly=data["visibility"] == "listed",
    )
    response = HttpResponseRedirect(f"/statements/{slug}/sent/")
    response.status_code = 303
    return response


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [
    path("statements/<slug:slug>/sign/public/", sign),
    path("healthz", healthz),
]
