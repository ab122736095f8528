from alliance.core.accounts.models import User


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get("/me/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_times_are_shown_in_the_users_zone(client, representative):
    representative.time_zone = "America/Sao_Paulo"
    representative.save()
    client.force_login(representative)
    response = client.get("/me/")
    assert response.status_code == 200
    assert str(response.context["TIME_ZONE"]) == "America/Sao_Paulo"
    assert "America/Sao_Paulo" in response.content.decode()


def test_saving_preferences_switches_language_and_zone(client, representative):
    client.force_login(representative)
    response = client.post(
        "/me/", {"name": "Sarah C.", "language": "fr", "time_zone": "Africa/Kampala"}
    )
    assert response.status_code == 302
    user = User.objects.get(pk=representative.pk)
    assert (user.name, user.language, user.time_zone) == ("Sarah C.", "fr", "Africa/Kampala")
    assert response.cookies["django_language"].value == "fr"


def test_an_unknown_time_zone_is_refused_and_nothing_changes(client, representative):
    client.force_login(representative)
    response = client.post("/me/", {"name": "X", "language": "en", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    assert User.objects.get(pk=representative.pk).time_zone == "UTC"
