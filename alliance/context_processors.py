from members.models import is_convenor


def navigation(request):
    """What the navigation needs to know about the person looking at the page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"role": {"anonymous": True}}
    coordinated = list(user.coordinated_alliances.all()) if not is_convenor(user) else []
    contact = getattr(user, "contact", None) if hasattr(user, "contact") else None
    return {
        "role": {
            "anonymous": False,
            "convenor": is_convenor(user),
            "coordinator": bool(coordinated),
            "coordinated_alliances": coordinated,
            "representative": contact is not None,
            "organisation": contact.organisation if contact else None,
        }
    }
