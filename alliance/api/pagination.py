from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor (keyset) pagination: a page costs the same on page 1 and page 2,000, and
    never counts the whole table. The view's `ordering` must end with a unique field."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response_schema(self, schema):
        document = super().get_paginated_response_schema(schema)
        properties = document["properties"]
        properties["next"]["description"] = "URL of the next page; null on the last page."
        properties["previous"]["description"] = "URL of the previous page; null on the first."
        properties["results"] = {**schema, "description": "The rows of this page."}
        return document
