"""Schemathesis over the OpenAPI schema: no input, valid or not, makes the server fail (5xx).

The schema comes from the app factory (no server needed to collect the tests); every generated
request goes to a real uvicorn server over the scripted run's database.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from oasis.api import create_app
from tests.api.conftest import TOKEN, ApiProcess

# schemathesis.pytest.from_fixture breaks on pytest 9 (it sets Function._nodeid).
schema = schemathesis.openapi.from_dict(create_app("sqlite://").openapi())


# Methods a route lacks answer 405 from Starlette itself; no need to try each of them.
schema.config.phases.coverage.unexpected_methods = set()


# pytest 9.2 builds a test's node id from its function's name and its parameters' ids, not from
# the item's name, so schemathesis' items (one per API operation) would all share one node id,
# and pytest-xdist, which hands out tests by node id, would run only one of them. Parametrizing
# the token the requests carry appends its id to the operation's: each item has its own id.
@pytest.mark.slow
@pytest.mark.parametrize("authorization", [f"Bearer {TOKEN}"], ids=["token"])
@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors(case: schemathesis.Case, api: ApiProcess, authorization: str):
    case.call_and_validate(
        base_url=api.base_url,  # attached to a queue: control routes run past auth
        headers={"Authorization": authorization},
        checks=[not_a_server_error, response_schema_conformance],
        timeout=10,
    )
