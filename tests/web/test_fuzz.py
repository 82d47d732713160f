"""Hypothesis over every operation of the OpenAPI schema: no input gives a server error.

Each operation's parameters and JSON body are drawn from its schema (a parameter's
``pattern`` drawn as a matching string, or as any text; integers as any integer or text;
the body's properties as values of their type or of any other), sent with the token to
an app that accepts fills (on a copy of the journal). Every answer must be below 500
and, for the API, JSON with a ``detail`` where it is an error. schemathesis is not used:
it is not installed here, and this covers the same ground for this schema.
"""

from __future__ import annotations

import dataclasses
import shutil
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vixshield.web import create_app

from .conftest import Auth, Book
from .conftest import settings as web_settings

OPERATIONS = sorted(
    (method.upper(), path)
    for path, ops in create_app().openapi()["paths"].items()
    for method in ops
)
ANY = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30), st.just("")
)


def _value(schema: dict[str, Any], known: list[str]) -> st.SearchStrategy[Any]:
    """Values of ``schema``'s type (and of the order ids the journal holds), or any."""
    kinds = [s.get("type") for s in schema.get("anyOf", [schema])]
    typed: list[st.SearchStrategy[Any]] = [ANY]
    if "pattern" in schema:
        typed.append(st.from_regex(schema["pattern"], fullmatch=True))
    if "integer" in kinds:
        typed.append(st.integers(min_value=-(2**70), max_value=2**70))
    if "number" in kinds:
        typed.append(st.floats(allow_nan=True, allow_infinity=True))
    if "string" in kinds:
        typed += [st.text(max_size=40), st.sampled_from(known)]
    return st.one_of(typed)


@pytest.fixture(scope="module")
def fuzz_app(book: Book, auth: Auth, tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    path = tmp_path_factory.mktemp("web_fuzz") / "journal.sqlite"
    shutil.copy(book.path, path)
    base = web_settings(book, auth, allow_fills=True)
    return create_app(dataclasses.replace(base, journal=path), data=book.data)


def test_every_operation_is_fuzzed(fuzz_app: FastAPI) -> None:
    ops = {(m.upper(), p) for p, o in fuzz_app.openapi()["paths"].items() for m in o}
    assert ops == set(OPERATIONS) and len(ops) >= 15


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_input_is_a_server_error(
    fuzz_app: FastAPI, auth: Auth, book: Book, method: str, path: str
) -> None:
    op = fuzz_app.openapi()["paths"][path][method.lower()]
    params = op.get("parameters", [])
    known = [*sorted(book.entered), "bt-march", "sw-k_low", "1"]
    path_params = {p["name"]: _value(p["schema"], known) for p in params if p["in"] == "path"}
    query = {
        p["name"]: st.none() | _value(p["schema"], known) for p in params if p["in"] == "query"
    }
    body: st.SearchStrategy[Any] = st.none()
    if "requestBody" in op:
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        props = fuzz_app.openapi()["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
        body = st.one_of(
            st.fixed_dictionaries({}, optional={k: _value(v, known) for k, v in props.items()}),
            ANY,
            st.lists(ANY, max_size=3),
        )
    client = TestClient(fuzz_app, headers={"Authorization": f"Bearer {auth.token}"})

    @settings(
        max_examples=30,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.fixed_dictionaries(path_params), st.fixed_dictionaries(query), body)
    def check(values: dict[str, Any], args: dict[str, Any], payload: Any) -> None:
        url = path
        for name, v in values.items():
            url = url.replace("{" + name + "}", quote(str(v), safe="") or "%20")
        sent = {k: str(v) for k, v in args.items() if v is not None}
        if method == "POST":
            res = client.post(url, params=sent, json=payload)
        else:
            res = client.get(url, params=sent)
        assert res.status_code < 500, (url, sent, payload, res.text)
        if res.status_code >= 400:
            assert "detail" in res.json(), res.text

    with client:
        check()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80))
def test_any_bearer_value_is_a_401_never_an_error(auth_client_args: Any, token: str) -> None:
    client, real = auth_client_args
    res = client.get("/api/v1/signals", headers={"Authorization": f"Bearer {token}"})
    assert res.status_code == (200 if token.strip() == real else 401)


@pytest.fixture(scope="module")
def auth_client_args(fuzz_app: FastAPI, auth: Auth) -> Any:
    with TestClient(fuzz_app) as c:
        yield c, auth.token
