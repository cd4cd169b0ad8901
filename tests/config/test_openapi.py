"""The whole API's OpenAPI description generates without warnings and validates, and a bounded
schemathesis run finds no server error and no response that breaks the description."""
import io

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, settings as hypothesis_settings

from config.wsgi import application
from monitoring.models import MemberState
from monitoring.tokens import token_issue


def test_schema_generates_without_warnings_and_validates(tmp_path):
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"),
                 stdout=out, stderr=out)
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def keep_test_connection():
    """Django closes connections at the end of each request; its test client stops that, and
    schemathesis's WSGI client must too, or the test's transaction loses its connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db, keep_test_connection):
    _, secret = token_issue(name="fuzz", actor=None, member_state=MemberState.objects.get(country="KR"),
                            scopes=["lists:read", "reports:read", "reports:write", "screen", "matches:review"])
    return {"Authorization": f"Bearer {secret}"}


@schema.parametrize()
@hypothesis_settings(max_examples=4, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))
def test_api_answers_without_server_errors_and_as_described(case, bearer):
    response = case.call(headers=bearer)
    case.validate_response(response, checks=[schemathesis.checks.not_a_server_error,
                                             schemathesis.checks.response_schema_conformance])
