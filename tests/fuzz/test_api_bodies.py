"""`POST /v1/decisions` under hostile bodies and headers: never a 500, always the one error shape
with what and where, and a decision recorded exactly when one was answered."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from daylight.api.app import create_app
from daylight.api.middleware import PolicyGateMiddleware, header_account, header_context, route_operations
from daylight.policy.gate import Gate
from tests.api.conftest import call_app, call_gateway
from tests.fuzz.conftest import FUZZ, hostile_text, is_printable, json_values

CONTEXT_KEYS = ["purpose", "real_time", "hours_since_start", "declaration_id", "data_subjects"]

requests = st.fixed_dictionaries(
    {"account_id": st.one_of(hostile_text, st.sampled_from(["SYNTHETIC-shop", "SYNTHETIC-police"]),
                             json_values),
     "operation": st.one_of(hostile_text, st.sampled_from(["face.search", "compute.instance"]),
                            json_values)},
    optional={"context": st.one_of(
        st.none(), json_values,
        st.dictionaries(st.one_of(st.sampled_from(CONTEXT_KEYS), hostile_text), json_values,
                        max_size=4)),
        "extra": json_values})

near_valid = st.fixed_dictionaries(
    {"account_id": st.sampled_from(["SYNTHETIC-shop", "SYNTHETIC-police", "SYNTHETIC-nobody"]),
     "operation": st.sampled_from(["face.search", "compute.instance", "face.detect"])},
    optional={"context": st.one_of(st.none(), st.just({}), st.fixed_dictionaries(
        {}, optional={"purpose": st.sampled_from(["find_missing_children", "x", ""]),
                      "real_time": st.booleans()}))})

bodies = st.one_of(
    near_valid.map(lambda r: json.dumps(r).encode()),
    st.binary(max_size=200),
    json_values.map(lambda v: json.dumps(v).encode()),
    requests.map(lambda r: json.dumps(r).encode()),  # lone surrogates become \\udXXX escapes
    requests.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass")),
)
content_types = st.one_of(st.just("application/json"), st.just("application/json; charset=utf-8"),
                          st.sampled_from(["text/plain", "", "application/x-www-form-urlencoded",
                                           "application/json; charset=latin-1", "*/*"]))

ERROR_STATUSES = {400: "invalid_input", 404: "not_found", 413: "body_too_large",
                  415: "unsupported_media_type"}


@settings(FUZZ, max_examples=400)  # in process, both backends: 800 bodies
@given(body=bodies, content_type=content_types)
def test_hostile_bodies_never_500_and_always_name_what_and_where(
        gate: Gate, body: bytes, content_type: str) -> None:
    app = create_app(gate=gate, max_body_bytes=4096, durable=False)  # records stay countable
    before = gate.recorder.pending
    headers = {"content-type": content_type} if content_type else {}
    response = call_gateway(app, "POST", "/v1/decisions", content=body, headers=headers)
    assert response.headers["content-type"] == "application/json"
    answer: dict[str, Any] = response.json()
    if response.status_code == 200:
        assert set(answer) == {"allowed", "reasons", "policy_version", "errors"}
        assert gate.recorder.pending == before + 1
        return
    assert response.status_code in ERROR_STATUSES, (response.status_code, answer)
    error = answer["error"]
    assert error["code"] in ERROR_STATUSES.values() or error["code"].startswith("invalid")
    assert error["message"] and is_printable(error["message"])
    assert error.get("where") and is_printable(error["where"])
    assert gate.recorder.pending == before  # nothing recorded for a request not decided


def test_every_answered_decision_is_written_and_nothing_else(gate: Gate) -> None:
    """After a hostile run, the flushed counts equal the 200s answered: no partial writes."""
    app = create_app(gate=gate)  # durable: each answer only once its record is written
    answered = 0
    for body in [b"{}", b'{"account_id": "SYNTHETIC-shop", "operation": "face.search"}',
                 b'{"account_id": "\\ud800", "operation": "face.search"}',
                 b'{"account_id": "SYNTHETIC-police", "operation": "face.search", "context": 1}',
                 b'{"account_id": "SYNTHETIC-police", "operation": "face.search"}']:
        response = call_gateway(app, "POST", "/v1/decisions", content=body,
                            headers={"content-type": "application/json"})
        answered += response.status_code == 200
    gate.flush()
    with gate.database.transaction(write=False) as tx:
        row = tx.query_one("SELECT COALESCE(SUM(decisions), 0) FROM policy_decision_count")
    assert row is not None and row[0] == answered == 2


latin1_text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=60)


@settings(FUZZ, max_examples=300)
@given(account=st.one_of(latin1_text, st.sampled_from(["SYNTHETIC-shop", "SYNTHETIC-police",
                                                       "=cmd|x", " SYNTHETIC-shop", ""])),
       context=st.one_of(st.none(), latin1_text, json_values.map(json.dumps).filter(
           lambda text: text.isascii())))
def test_the_gate_middleware_under_hostile_headers_never_passes_an_undecided_request(
        gate: Gate, account: str, context: str | None) -> None:
    calls: list[str] = []

    async def api(scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    app = PolicyGateMiddleware(api, gate, account=header_account("x-account"),
                               operation=route_operations({("POST", "/faces/search"): "face.search"}),
                               context=header_context("x-context"))
    headers = [("x-account", account.encode("latin-1"))] + (
        [("x-context", context.encode("latin-1"))] if context is not None else [])
    before = gate.recorder.pending
    response = call_app(app, "POST", "/faces/search", headers=headers)
    if response.status_code == 200:
        assert calls == ["/faces/search"] and gate.recorder.pending == before + 1
        return
    assert calls == []
    assert response.status_code in (400, 403, 404), response.text
    error = response.json()["error"]
    assert is_printable(error["message"])
    if response.status_code == 403:
        assert gate.recorder.pending == before + 1  # a denial is a decision, recorded
    else:
        assert error.get("where") and gate.recorder.pending == before
