"""Every flow over HTTP: each route answers what its flow returns, lists are paginated, customers
see only their own accounts, employees act as their token says, and every error is the one
shape (400 naming the field, 404 for unknown ids)."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from daylight.api.schema import MAX_FLOW_BODY_BYTES
from daylight.core.database import Database
from daylight.core.errors import InputError
from daylight.flows.mirror import tlog_proof
from daylight.home import Home
from daylight.log.merkle import leaf_hash
from daylight.log.proof import verify_inclusion
from daylight.log.service import TransparencyLog
from daylight.log.tiles import decode_entry_bundle
from daylight.log.tlog_proof import TlogProof
from daylight.registry.accounts import Account
from daylight.registry.service import import_accounts
from daylight.voice.privacy import generate_review_key
from tests.api.routes_world import (
    ADMIN,
    COLLEAGUE,
    EMPLOYEE,
    REVIEWER,
    SHOP,
    Client,
    service,
    service_home,
)
from tests.policy.conftest import NOW, WORLD, add_registry_accounts
from tests.voice.conftest import add_accounts, declaration_file


@pytest.fixture(scope="module")
def review_key() -> str:
    """The review key's public half (objection signers are sealed to it)."""
    return generate_review_key()[0]


@pytest.fixture
def home(tmp_path: Path, database: Database, log: TransparencyLog, review_key: str) -> Home:
    add_registry_accounts(database, WORLD)
    return service_home(tmp_path, database, log, review_key, serve_page_limit=2,
                        serve_page_limit_max=3)


def _error(response: object, status: int, where: str | None = None) -> dict[str, str]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    if where is not None:
        assert body["error"]["where"] == where
    return dict(body["error"])


def test_accounts_are_listed_page_by_page_with_a_next_link(home: Home) -> None:
    client = Client(service(home), ADMIN)
    seen: list[str] = []
    response = client.get("/v1/accounts")
    pages = 0
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= 2
        seen += [item["account"]["account_id"] for item in body["items"]]
        pages += 1
        if body["next"] is None:
            assert body["next_cursor"] is None
            break
        assert body["next"].startswith("/v1/accounts?") and body["next_cursor"] in body["next"]
        response = client.get(body["next"])
    assert seen == sorted(a.account_id for a in WORLD) and pages == 3
    assert client.get("/v1/accounts?limit=3").json()["items"][2]["account"]["account_id"] \
        == seen[2]


@pytest.mark.parametrize(("query", "where"), [
    ("limit=4", "limit"), ("limit=0", "limit"), ("limit=many", "limit"),
    ("cursor=%25%25", "cursor"), ("cursor=" + base64.urlsafe_b64encode(b"\xff").decode(), "cursor"),
])
def test_a_bad_page_request_is_a_400_naming_the_parameter(home: Home, query: str,
                                                          where: str) -> None:
    app = service(home)
    for path in ("/v1/accounts", "/v1/objections", "/v1/declarations", "/v1/corrections",
                 "/v1/review", "/v1/reports"):
        _error(Client(app, ADMIN).get(f"{path}?{query}"), 400, where)


def test_a_cursor_for_an_item_that_is_not_in_the_list_is_refused(home: Home) -> None:
    cursor = base64.urlsafe_b64encode(b"obj-nothing").decode().rstrip("=")
    _error(Client(service(home), ADMIN).get(f"/v1/objections?cursor={cursor}"), 400, "cursor")


def test_one_account_and_unknown_ids_are_404(home: Home) -> None:
    client = Client(service(home), REVIEWER)
    body = client.get("/v1/accounts/SYNTHETIC-police").json()
    assert body["account"]["account_id"] == "SYNTHETIC-police"
    assert body["classification"]["sector"] == "law_enforcement"
    for path in ("/v1/accounts/SYNTHETIC-nobody", "/v1/declarations/decl-nothing",
                 "/v1/objections/obj-nothing", "/v1/reports/2026-10/files/data/x.csv",
                 "/v1/nowhere"):
        assert _error(client.get(path), 404)["code"] == "not_found"
    _error(client.get("/v1/accounts/SYNTHETIC-police?as_of=yesterday"), 400, "as_of")


def test_an_accounts_history_is_for_reviewers_and_admins_only(home: Home,
                                                               log: TransparencyLog) -> None:
    database = home.database()
    renamed = Account("SYNTHETIC-shop", "SYNTHETIC Shop Renamed", ("shop.example",), "", "",
                      "US", "2026-01-01")
    (change,) = import_accounts(database, [renamed], NOW, log=log).updated
    app = service(home)
    for who in (REVIEWER, ADMIN):
        body = Client(app, who).get("/v1/accounts/SYNTHETIC-shop/history").json()
        assert body == {"account_id": "SYNTHETIC-shop", "history": [{
            "changed_at": change.changed_at, "log_index": change.log_index,
            "fields": ["name", "email_domains"],
            "changes": [{"field": "name", "old": "SYNTHETIC SYNTHETIC-shop",
                         "new": "SYNTHETIC Shop Renamed"},
                        {"field": "email_domains", "old": [], "new": ["shop.example"]}]}]}
    assert Client(app, ADMIN).get("/v1/accounts/SYNTHETIC-police/history").json()["history"] == []
    assert _error(Client(app, REVIEWER).get("/v1/accounts/SYNTHETIC-nobody/history"),
                  404)["code"] == "not_found"
    # customer-typed values: not for employees, nor for the customer's own token
    for who in (EMPLOYEE, SHOP):
        _error(Client(app, who).get("/v1/accounts/SYNTHETIC-shop/history"), 403)
    _error(Client(app).get("/v1/accounts/SYNTHETIC-shop/history"), 401)
    # the account routes open to them carry no history
    assert "history" not in Client(app, SHOP).get("/v1/accounts/SYNTHETIC-shop").json()


def test_a_customer_sees_only_its_own_accounts_and_declarations(
        tmp_path: Path, database: Database, log: TransparencyLog, review_key: str) -> None:
    add_accounts(database)
    app = service(service_home(tmp_path, database, log, review_key))
    shop = Client(app, SHOP)
    listed = shop.get("/v1/accounts").json()
    assert [i["account"]["account_id"] for i in listed["items"]] == ["SYNTHETIC-shop"]
    assert shop.get("/v1/accounts/SYNTHETIC-shop").status_code == 200
    _error(shop.get("/v1/accounts/SYNTHETIC-office"), 404)
    declaration = json.loads(declaration_file("touchless_access_control"))
    mine = shop.post("/v1/declarations", {"account_id": "SYNTHETIC-shop",
                                          "capability": "biometric_identification",
                                          "declaration": declaration})
    assert mine.status_code == 200, mine.text
    _error(shop.post("/v1/declarations", {"account_id": "SYNTHETIC-office",
                                          "capability": "biometric_identification",
                                          "declaration": declaration}), 404)
    admin = Client(app, ADMIN)
    other = admin.post("/v1/declarations", {"account_id": "SYNTHETIC-office",
                                            "capability": "biometric_identification",
                                            "declaration": declaration}).json()["declaration_id"]
    assert [d["account_id"] for d in shop.get("/v1/declarations").json()["items"]] \
        == ["SYNTHETIC-shop"]
    assert len(admin.get("/v1/declarations").json()["items"]) == 2
    _error(shop.get(f"/v1/declarations/{other}"), 404)
    shown = shop.get(f"/v1/declarations/{mine.json()['declaration_id']}").json()
    assert shown["status"] == "submitted" and shown["account_id"] == "SYNTHETIC-shop"


def test_a_reviewer_reviews_as_the_token_says(
        tmp_path: Path, database: Database, log: TransparencyLog, review_key: str) -> None:
    add_accounts(database)
    app = service(service_home(tmp_path, database, log, review_key))
    declaration = json.loads(declaration_file("touchless_access_control"))
    declared = Client(app, ADMIN).post("/v1/declarations", {
        "account_id": "SYNTHETIC-shop", "capability": "biometric_identification",
        "declaration": declaration}).json()["declaration_id"]
    reviewer = Client(app, REVIEWER)
    reviewed = reviewer.post(f"/v1/declarations/{declared}/reviews",
                             {"decision": "approve", "rationale": "SYNTHETIC: fine"})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["approvals"] == 1
    assert reviewed.json()["reviews"][0]["reviewer"].startswith("reviewer-")
    assert "reviewer@provider.example" not in reviewed.text
    _error(reviewer.post(f"/v1/declarations/{declared}/reviews",
                         {"decision": "approve", "rationale": "x", "reviewer": "someone"}),
           400, "reviewer")
    _error(Client(app).post(f"/v1/declarations/{declared}/reviews",
                            {"decision": "approve", "rationale": "x"}), 401)


def test_objections_are_filed_and_signed_as_the_token_says(home: Home) -> None:
    app = service(home)
    employee = Client(app, EMPLOYEE)
    filed = employee.post("/v1/objections", {"about": "account:SYNTHETIC-shop",
                                             "statement": "SYNTHETIC: stop this",
                                             "threshold": 2})
    assert filed.status_code == 200, filed.text
    objection_id = filed.json()["objection_id"]
    assert "employee@provider.example" not in filed.text
    _error(employee.post(f"/v1/objections/{objection_id}/signatures"), 409)  # signed once
    _error(Client(app, REVIEWER).post(f"/v1/objections/{objection_id}/signatures"), 403)
    signed = Client(app, COLLEAGUE).post(f"/v1/objections/{objection_id}/signatures")
    assert signed.status_code == 200, signed.text
    shown = employee.get(f"/v1/objections/{objection_id}").json()
    assert shown["signatures"] == 2 and shown["status"] == "review"
    _error(Client(app).post("/v1/objections", {"about": "account:SYNTHETIC-shop",
                                               "statement": "x"}), 401)
    _error(employee.post("/v1/objections", {"about": "account:SYNTHETIC-shop",
                                            "statement": "x", "by": "someone@else.example"}),
           400, "by")
    resolver = Client(app, ADMIN)  # the admin token's subject did not sign it
    resolved = resolver.post(f"/v1/objections/{objection_id}/resolution",
                             {"outcome": "SYNTHETIC: account closed", "rationale": "why"})
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    refused = employee.post("/v1/refusals", {"about": "account:SYNTHETIC-shop"})
    assert refused.status_code == 200 and refused.json()["refusals"] == 1


def test_bodies_must_be_json_and_fields_are_named(home: Home) -> None:
    client = Client(service(home), EMPLOYEE)
    form = client.post("/v1/objections", content=b"about=x",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    _error(form, 415, "header content-type")
    _error(client.post("/v1/objections", {"statement": "x"}), 400, "about")
    _error(client.post("/v1/objections", content=b"{not json",
                       headers={"content-type": "application/json"}), 400)
    _error(client.post("/v1/objections", {"about": "nothing", "statement": "x"}), 400, "about")
    _error(client.post("/v1/objections", {"about": "account:SYNTHETIC-shop", "statement": " "}),
           400, "statement")


def test_corrections_and_review_queue(home: Home) -> None:
    app = service(home)
    reviewer = Client(app, REVIEWER)
    assert reviewer.get("/v1/review").json() == {"items": [], "next_cursor": None, "next": None}
    _error(reviewer.post("/v1/corrections", {"about": "organization:SYNTHETIC-nothing",
                                             "claim": "SYNTHETIC: not police"}), 404)
    assert reviewer.get("/v1/corrections").json()["items"] == []
    _error(reviewer.post("/v1/corrections/corr-nothing/reviews",
                         {"decision": "accept", "rationale": "x"}), 404)


def test_the_log_is_served_as_tlog_tiles_with_proofs(home: Home, log: TransparencyLog) -> None:
    log.append([{"type": "example.fact", "time": "2026-11-20T12:00:00Z", "payload": {"n": n}}
                for n in range(3)])
    client = Client(service(home))  # the public, anonymous
    checkpoint = client.get("/checkpoint")
    assert checkpoint.status_code == 200
    assert checkpoint.headers["content-type"] == "text/plain; charset=utf-8"
    assert checkpoint.headers["cache-control"] == "no-store"
    size = log.tree_size()
    assert checkpoint.text.splitlines()[1] == str(size)
    tile = client.get(f"/tile/0/000.p/{size}")
    assert tile.status_code == 200 and tile.headers["content-type"] == "application/octet-stream"
    assert len(tile.content) == 32 * size and tile.headers["cache-control"] == "public, max-age=60"
    bundle = client.get(f"/tile/entries/000.p/{size}")
    assert decode_entry_bundle(bundle.content) == log.entries(0, size)
    assert [leaf_hash(e) for e in decode_entry_bundle(bundle.content)] == [
        tile.content[i:i + 32] for i in range(0, len(tile.content), 32)]
    _error(client.get(f"/tile/0/000.p/{size + 1}"), 404)
    _error(client.get("/tile/0/000"), 404)  # not full yet
    _error(client.get("/tile/0/0000"), 400)
    inclusion = client.get(f"/v1/log/proofs/inclusion?leaf_index=1&tree_size={size}").json()
    assert inclusion == log.inclusion_proof(1, size).to_json()
    consistency = client.get(f"/v1/log/proofs/consistency?old_size=1&new_size={size}").json()
    assert consistency == log.consistency_proof(1, size).to_json()
    proof = client.get("/v1/log/entries/1/tlog-proof")
    assert proof.status_code == 200 and proof.text == tlog_proof(log, 1)
    parsed = TlogProof.from_text(proof.text)
    assert parsed.extra == log.entry(1)
    verify_inclusion(1, size, leaf_hash(parsed.extra), list(parsed.inclusion_proof),
                     log.checkpoint().root_hash)
    _error(client.get(f"/v1/log/entries/{size}/tlog-proof"), 404)
    _error(client.get("/v1/log/entries/99999999999999999999999/tlog-proof"), 400, "index")
    _error(client.get("/v1/log/proofs/inclusion?leaf_index=-1"), 400, "leaf_index")


def test_full_tiles_are_immutable(home: Home, log: TransparencyLog) -> None:
    log.append([{"type": "example.fact", "time": "2026-11-20T12:00:00Z", "payload": {"n": n}}
                for n in range(256)])
    client = Client(service(home))
    tile = client.get("/tile/0/000")
    assert tile.status_code == 200 and len(tile.content) == 32 * 256
    assert tile.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get("/tile/entries/000").headers["cache-control"].endswith("immutable")


def test_published_reports_are_listed_and_their_files_served_read_only(home: Home) -> None:
    client = Client(service(home))
    assert client.get("/v1/reports").json()["items"] == []
    for path in ("../daylight.db", ".hidden", "a//b", "%2e%2e/x"):
        response = client.get(f"/v1/reports/2026-10/files/{path}")
        assert response.status_code in (400, 404), path


def test_a_service_without_a_home_answers_decisions_only(home: Home) -> None:
    from daylight.api.app import create_app
    from daylight.policy.catalog import default_catalog
    from daylight.policy.gate import Gate
    gate = Gate(home.database(), default_catalog(), refresh_interval_s=None)
    assert _error(Client(create_app(gate=gate), ADMIN).get("/v1/objections"), 400)["code"] \
        == "invalid_config"


def test_page_requests_are_checked_before_the_flow_runs() -> None:
    from daylight.api.pagination import decode_cursor, encode_cursor
    assert decode_cursor(encode_cursor("SYNTHETIC-é")) == "SYNTHETIC-é"
    with pytest.raises(InputError):
        decode_cursor("A" * 2000)


def test_a_published_report_is_listed_and_served_from_its_directory(home: Home,
                                                                    tmp_path: Path) -> None:
    from daylight.report.store import Publication, ReportStore
    with home.database().transaction() as tx:
        ReportStore(tx).add_publication(Publication(7, "2026-10", "2026-10-01", "2026-10-31", 7,
                                                    "ab" * 32, "2026-11-01T00:00:00+00:00"))
    reports = home.settings.reports_dir
    stale = reports / "report-old"
    (stale / "data").mkdir(parents=True)
    (stale / "publication.json").write_text(json.dumps({"period": "2026-10",
                                                        "published_log_index": 3}))
    (stale / "data" / "organizations.csv").write_text("stale\n")
    current = reports / "report"
    (current / "data").mkdir(parents=True)
    (current / "publication.json").write_text(json.dumps({"period": "2026-10",
                                                          "published_log_index": 7}))
    (current / "data" / "organizations.csv").write_text("id,name\nSYNTHETIC-1,x\n")
    (current / ".secret").write_text("no")
    (tmp_path / "outside.txt").write_text("outside")
    (current / "data" / "link.txt").symlink_to(tmp_path / "outside.txt")
    client = Client(service(home))
    listed = client.get("/v1/reports").json()["items"]
    assert [(r["period"], r["published_log_index"], r["files"]) for r in listed] == [
        ("2026-10", 7, True)]
    served = client.get("/v1/reports/2026-10/files/data/organizations.csv")
    assert served.status_code == 200 and served.text == "id,name\nSYNTHETIC-1,x\n"
    assert served.headers["content-type"].startswith("text/csv")
    _error(client.get("/v1/reports/2026-10/files/.secret"), 400, "path")
    _error(client.get("/v1/reports/2026-10/files/data/link.txt"), 404)
    _error(client.get("/v1/reports/2026-09/files/data/organizations.csv"), 404)
    csv = "/v1/reports/2026-10/files/data/organizations.csv"
    part = client.get(csv, headers={"range": "bytes=0-1"})
    assert part.status_code == 206 and part.text == "id"
    # a Range header the file cannot answer: the one error shape, not starlette's plain text
    for bad, status in [("bytes=5-1", 400), ("bytes=-", 400), ("bytes=99999-", 416)]:
        assert _error(client.get(csv, headers={"range": bad}), status, "header range"), bad
    # a unit other than bytes is ignored (RFC 9110, 14.2): the whole file
    for foreign in ("lines=0-1", "garbage", "items=0-0"):
        whole = client.get(csv, headers={"range": foreign})
        assert (whole.status_code, whole.text) == (200, "id,name\nSYNTHETIC-1,x\n"), foreign
    assert client.get(csv, headers={"range": "bytes=99999-"}).headers["content-range"] == \
        "bytes */22"


def test_usage_and_an_audit_of_an_aggregated_period(home: Home, tmp_path: Path) -> None:
    from daylight.core.period import parse_period
    from daylight.flows.aggregate import aggregate_and_log
    from daylight.flows.ingest import generate_synthetic_usage, ingest_usage
    from daylight.usage.aggregate import DuckDBEngine
    period = parse_period("2026-10")
    generated = generate_synthetic_usage(tmp_path / "usage", accounts=["SYNTHETIC-shop"],
                                         rows=200, period=period)
    ingest_usage(home.usage_store(), list(generated.files))
    aggregate_and_log(home.database(), home.log(writable=True), home.usage_store(), period,
                      DuckDBEngine())
    app = service(home)
    usage = Client(app, SHOP).get("/v1/accounts/SYNTHETIC-shop/usage?period=2026-10")
    assert usage.status_code == 200, usage.text
    body = usage.json()
    assert body["synthetic"] is True and sum(o["calls"] for o in body["operations"]) == 200
    _error(Client(app, SHOP).get("/v1/accounts/SYNTHETIC-police/usage?period=2026-10"), 404)
    _error(Client(app, ADMIN).get("/v1/accounts/SYNTHETIC-shop/usage?period=2026-13"), 400,
           "period")
    audit = Client(app, ADMIN).post("/v1/audits", {"period": "2026-10"})
    assert audit.status_code == 200, audit.text
    assert audit.json()["summary"]["period"] == "2026-10"
    _error(Client(app, ADMIN).post("/v1/audits", {"period": "2026-09"}), 404)


def test_a_reviewer_judges_a_match(tmp_path: Path, database: Database, log: TransparencyLog,
                                   review_key: str) -> None:
    add_accounts(database)
    reviewer = Client(service(service_home(tmp_path, database, log, review_key)), REVIEWER)
    judged = reviewer.post("/v1/review/SYNTHETIC-office/judgements", {
        "organization_id": "SYNTHETIC-org-SYNTHETIC-office", "verdict": "same",
        "note": "SYNTHETIC: the customer's contract names it"})
    assert judged.status_code == 200, judged.text
    assert judged.json()["verdict"] == "same" and judged.json()["log_index"] >= 0
    # who judged is the token's reviewer, published only as their pseudonym
    pseudonym = judged.json()["reviewer"]
    assert pseudonym.startswith("reviewer-") and "provider.example" not in judged.text
    entry = json.loads(log.entry(judged.json()["log_index"]))
    assert entry["type"] == "registry.judgement" and entry["payload"]["reviewer"] == pseudonym
    assert "provider.example" not in json.dumps(entry)
    _error(reviewer.post("/v1/review/SYNTHETIC-office/judgements", {
        "organization_id": "SYNTHETIC-org-SYNTHETIC-office", "verdict": "same", "note": "x",
        "reviewer": "someone.else@provider.example"}), 400, "reviewer")
    _error(reviewer.post("/v1/review/SYNTHETIC-office/judgements", {
        "organization_id": "SYNTHETIC-org-nothing", "verdict": "same", "note": "x"}), 404)
    _error(reviewer.post("/v1/review/SYNTHETIC-office/judgements", {
        "organization_id": "SYNTHETIC-org-SYNTHETIC-office", "verdict": "maybe", "note": "x"}),
        400)


def test_a_correction_is_filed_reviewed_and_listed(tmp_path: Path, database: Database,
                                                   log: TransparencyLog, review_key: str) -> None:
    add_accounts(database)
    reviewer = Client(service(service_home(tmp_path, database, log, review_key)), REVIEWER)
    filed = reviewer.post("/v1/corrections", {
        "about": "organization:SYNTHETIC-org-SYNTHETIC-office",
        "claim": "SYNTHETIC: it does not support any agency",
        "evidence": ["https://example.org/SYNTHETIC"]})
    assert filed.status_code == 200, filed.text
    correction_id = filed.json()["correction_id"]
    reviewed = reviewer.post(f"/v1/corrections/{correction_id}/reviews",
                             {"decision": "accept", "rationale": "SYNTHETIC: checked"})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["status"] == "accepted"
    pseudonym = reviewed.json()["reviewer"]
    assert pseudonym.startswith("reviewer-") and "@" not in reviewed.text
    entry = json.loads(log.entry(reviewed.json()["log_index"]))
    assert entry["payload"]["reviewer"] == pseudonym and "provider.example" not in json.dumps(entry)
    assert not pseudonym.startswith("tok") and "tok" not in json.dumps(entry["payload"])
    _error(reviewer.post(f"/v1/corrections/{correction_id}/reviews",
                         {"decision": "reject", "rationale": "again"}), 409)
    listed = reviewer.get("/v1/corrections").json()["items"]
    assert [c["correction_id"] for c in listed] == [correction_id]
    _error(reviewer.post("/v1/corrections", {"about": "organization:SYNTHETIC-org-SYNTHETIC-office",
                                             "claim": "x", "evidence": ["not a url"]}),
           400, "evidence")


def test_a_body_declared_over_the_limit_says_the_limit_once(home: Home) -> None:
    """It said "the body is N bytes; at most L are accepted" beside "over L bytes; at most L"."""
    reviewer = Client(service(home), REVIEWER)
    big = json.dumps({"about": "organization:SYNTHETIC-nothing",
                      "claim": "x" * (MAX_FLOW_BODY_BYTES + 1)}).encode()
    response = reviewer.post("/v1/corrections", content=big,
                             headers={"content-type": "application/json"})
    error = _error(response, 413, "body")
    assert error["code"] == "body_too_large" and set(error) == {"code", "where", "message"}
    assert error["message"].endswith(f"over the limit of {MAX_FLOW_BODY_BYTES} bytes")
    assert error["message"].count(str(MAX_FLOW_BODY_BYTES)) == 1


def test_a_chunked_body_over_the_limit_is_refused_unread(home: Home) -> None:
    """A body with no Content-Length (chunked) is bounded as it arrives: 413 in the one shape,
    and nothing is filed."""
    reviewer = Client(service(home), REVIEWER)
    big = json.dumps({"about": "organization:SYNTHETIC-nothing",
                      "claim": "x" * (MAX_FLOW_BODY_BYTES + 1)}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 4096):
            yield big[start:start + 4096]

    response = reviewer.post("/v1/corrections", content=chunks(),
                             headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert _error(response, 413, "body") == {
        "code": "body_too_large", "where": "body",
        "message": f"the body is over the limit of {MAX_FLOW_BODY_BYTES} bytes"}  # said once
    assert reviewer.get("/v1/corrections").json()["items"] == []
