from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination: a page costs the same on page 1 and page 2,000, and
    never counts the whole table. The view's `ordering` must end with a unique field."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_ordering(self, request, queryset, view):
        """The ordering asked for (`?ordering=-updated_at`), with the id as tie-breaker in
        the same direction: the cursor counts rows that share a position, which holds only
        if they always come in the same order (and the (field, id) indexes serve it)."""
        ordering = tuple(super().get_ordering(request, queryset, view))
        if ordering[-1].lstrip("-") in ("id", "pk"):
            return ordering
        return (*ordering, "-id" if ordering[0].startswith("-") else "id")

    def get_paginated_response_schema(self, schema):
        document = super().get_paginated_response_schema(schema)
        properties = document["properties"]
        properties["next"]["description"] = "URL of the next page; null on the last page."
        properties["previous"]["description"] = "URL of the previous page; null on the first."
        properties["results"] = {**schema, "description": "The rows of this page."}
        return document
