from tests.monitoring.api.conftest import (  # noqa: F401 - fixtures shared with the API tests
    client_for,
    fresh_throttles,
    issue_token,
    kr,
    seed_list,
    session_for,
)
