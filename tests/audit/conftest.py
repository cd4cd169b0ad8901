from tests.monitoring.api.conftest import (  # noqa: F401 - fixtures shared with the API tests
    client_for,
    fresh_throttles_and_index,
    issue_token,
    kr,
    seed_list,
    session_for,
)
