from django.db import models


class HttpsURLField(models.URLField):
    """A URL field whose form assumes https:// when the scheme is left out (Django 6's default)."""

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})


class DocumentJSONField(models.JSONField):
    """A JSONField for large documents (a list record as published, its snapshot).

    On PostgreSQL, Django 5.2 bulk-inserts through UNNEST of one text array per column, and
    psycopg escapes the quotes of every JSON value in Python, one regex callback at a time: half a
    second for the UN list's 3 MB of JSON. Declaring a placeholder makes Django insert these rows
    with VALUES instead, where each document is sent as its own parameter, serialised in C."""

    def get_placeholder(self, value, compiler, connection):
        return "%s"
