"""Every shipped pack validates against the Cedar schema and passes every case of its corpus;
a corpus that expects the wrong answer is caught."""

from __future__ import annotations

import json

import pytest

from daylight.core.errors import InputError, NotFoundError, VerificationError
from daylight.policy.catalog import Catalog
from daylight.policy.corpus import Case, parse_corpus, run_corpus
from daylight.policy.decision import DECLARATION
from daylight.policy.pack import load_pack, shipped_pack_names
from daylight.policy.policies import PolicyText, compile_policies
from daylight.policy.schema import PolicySchema
from daylight.policy.validation import compile_pack, run_pack_tests, verify_pack

PACKS = ["employee-demands", "rekognition-moratorium-2020", "azure-face-limited-access",
         "eu-ai-act-article-5"]


def _cases() -> list[tuple[str, Case]]:
    return [(name, case) for name in PACKS
            for case in parse_corpus(load_pack(name).corpus_text or "").cases]


def test_the_four_packs_of_issue_4_are_shipped() -> None:
    assert shipped_pack_names() == sorted(PACKS)


@pytest.mark.parametrize("name", PACKS)
def test_every_policy_has_an_id_in_its_pack_and_a_reason(name: str, schema: PolicySchema) -> None:
    pack = load_pack(name)
    compiled = compile_pack(pack, schema)
    assert compiled.rules, name
    for rule in compiled.rules.values():
        assert rule.id.startswith(f"{name}/")
        assert len(rule.reason) > 20
    assert pack.sources and all(s.url.startswith("https://") for s in pack.sources)


@pytest.mark.parametrize(("name", "case"), _cases(), ids=lambda v: v if isinstance(v, str) else v.name)
def test_corpus_case(name: str, case: Case, catalog: Catalog, schema: PolicySchema) -> None:
    pack = load_pack(name)
    corpus = parse_corpus(pack.corpus_text or "")
    one = corpus.__class__(corpus.pack, corpus.facts, corpus.declarations, (case,))
    [result] = run_corpus(one, compile_pack(pack, schema), catalog)
    assert result.decision.allowed is case.allowed, result.to_json()
    named = [r for r in result.decision.reasons if r.policy == DECLARATION]
    assert set(result.decision.policy_ids) - {DECLARATION} == set(case.reasons), result.to_json()
    assert all(r.reason for r in result.decision.reasons)
    # an allow names the approved declarations it may rest on; a deny names none
    declared = {d.id for d in corpus.declarations.get(case.account_id, ())}
    assert all(r.reason.split("`")[1] in declared for r in named)
    if not case.allowed:
        assert named == []


@pytest.mark.parametrize("name", PACKS)
def test_each_corpus_exercises_allow_and_deny_and_only_synthetic_accounts(name: str) -> None:
    corpus = parse_corpus(load_pack(name).corpus_text or "")
    assert {c.allowed for c in corpus.cases} == {True, False}
    assert all(f.account_id.startswith("SYNTHETIC-") for f in corpus.facts)
    assert len(corpus.cases) >= 12


def test_a_corpus_expecting_the_wrong_answer_fails(catalog: Catalog, tmp_path: object) -> None:
    pack = load_pack("employee-demands")
    data = json.loads(pack.corpus_text or "")
    data["cases"][0]["then"]["allowed"] = True
    wrong = pack.__class__(pack.name, pack.title, pack.summary, pack.sources, pack.location,
                           pack.files, json.dumps(data))
    result = run_pack_tests(wrong, catalog)
    assert not result.passed
    assert result.summary()["failures"][0]["name"] == data["cases"][0]["name"]
    with pytest.raises(VerificationError, match="fails 1 of"):
        verify_pack(result)


def test_the_union_of_all_packs_validates_and_forbid_wins(catalog: Catalog, schema: PolicySchema) -> None:
    union = compile_policies([f for name in PACKS for f in load_pack(name).files], schema)
    assert len(union.rules) == sum(len(compile_pack(load_pack(n), schema).rules) for n in PACKS)
    text = json.dumps({"pack": "union", "accounts": {
        "SYNTHETIC-exempt-but-ice-contractor": {
            "sector": "commercial", "supports": ["law_enforcement", "immigration_enforcement"],
            "support": {"immigration_enforcement": {
                "surveillance_and_biometrics": {"amount_usd": 1200000, "awards": 2}}},
            "jurisdiction": "US", "organization": "company:thorn"},
        "SYNTHETIC-shop": {"sector": "commercial", "jurisdiction": "US"}},
        "cases": [
            {"name": "an exemption in one pack does not lift another pack's refusal",
             "given": {"account": "SYNTHETIC-exempt-but-ice-contractor"},
             "when": {"operation": "face.search",
                      "context": {"purpose": "rescue_human_trafficking_victims"}},
             "then": {"allowed": False, "reasons": [
                 "employee-demands/no-platform-for-immigration-enforcement-contractors",
                 "azure-face-limited-access/identification-needs-approved-registration",
                 "azure-face-limited-access/not-by-or-for-us-police"]}},
            {"name": "an allowed request names every pack's permit",
             "given": {"account": "SYNTHETIC-shop"}, "when": {"operation": "compute.instance"},
             "then": {"allowed": True, "reasons": [
                 "employee-demands/allow-unless-forbidden",
                 "rekognition-moratorium-2020/allow-outside-the-moratorium",
                 "azure-face-limited-access/allow-outside-limited-access",
                 "eu-ai-act-article-5/allow-outside-article-5"]}}]})
    results = run_corpus(parse_corpus(text), union, catalog)
    assert [r.passed for r in results] == [True, True], [r.to_json() for r in results]


@pytest.mark.parametrize(("change", "message"), [
    ({"accounts": {"police": {"sector": "law_enforcement"}}}, "must start with `SYNTHETIC-`"),
    ({"cases": []}, "non-empty array of cases"),
    ({"colour": 1}, "unknown key `colour`"),
])
def test_malformed_corpora_are_refused(change: dict[str, object], message: str) -> None:
    base = {"pack": "p", "accounts": {}, "cases": [
        {"name": "x", "given": {"account": "SYNTHETIC-a"}, "when": {"operation": "face.search"},
         "then": {"allowed": False, "reasons": []}}]}
    with pytest.raises(InputError, match=message):
        parse_corpus(json.dumps({**base, **change}))


def test_a_corpus_key_given_twice_is_refused() -> None:
    """Otherwise the last `allowed` would silently win over the first."""
    text = ('{"pack": "p", "accounts": {}, "cases": [{"name": "x", "given": {"account": "SYNTHETIC-a"}, '
            '"when": {"operation": "face.search"}, '
            '"then": {"allowed": false, "reasons": [], "allowed": true}}]}')
    with pytest.raises(InputError, match="the key `allowed` appears twice") as caught:
        parse_corpus(text, where="c.json")
    assert caught.value.where == "c.json"


def test_a_corpus_case_with_a_malformed_context_is_refused_naming_it() -> None:
    text = json.dumps({"pack": "p", "accounts": {}, "cases": [
        {"name": "x", "given": {"account": "SYNTHETIC-a"},
         "when": {"operation": "face.search", "context": {"real_time": "yes"}},
         "then": {"allowed": False, "reasons": []}}]})
    with pytest.raises(InputError) as caught:
        parse_corpus(text, where="c.json")
    assert caught.value.where == "c.json: cases[0].when.context.real_time"


def test_unknown_packs_are_not_found() -> None:
    with pytest.raises(NotFoundError, match="no policy pack `no-such-pack`"):
        load_pack("no-such-pack")


def test_data_sharing_is_an_attribute_a_policy_may_turn_on(schema: PolicySchema, catalog: Catalog) -> None:
    """Off by default (employee-demands allows an agency sharing data with a 287(g) agency: its
    corpus); on in a pack that says so, one case each way."""
    opt_in = compile_policies([PolicyText("data-sharing.cedar", """
@id("opt-in/allow") @reason("allowed unless refused")
permit (principal, action, resource);
@id("opt-in/no-service-to-agencies-sharing-data-with-287g")
@reason("no service to an agency that shares data with an agency supporting immigration enforcement")
forbid (principal, action, resource)
when { principal.shares_data_with.contains("immigration_enforcement") };
""")], schema)
    corpus = parse_corpus(json.dumps({"pack": "opt-in", "accounts": {
        "SYNTHETIC-shares-with-287g": {"sector": "law_enforcement",
                                       "shares_data_with": ["immigration_enforcement", "law_enforcement"]},
        "SYNTHETIC-shares-with-police": {"sector": "law_enforcement",
                                         "shares_data_with": ["law_enforcement"]}},
        "cases": [
            {"name": "refused when it shares with a 287(g) agency",
             "given": {"account": "SYNTHETIC-shares-with-287g"}, "when": {"operation": "compute.instance"},
             "then": {"allowed": False,
                      "reasons": ["opt-in/no-service-to-agencies-sharing-data-with-287g"]}},
            {"name": "allowed when it shares with police only",
             "given": {"account": "SYNTHETIC-shares-with-police"},
             "when": {"operation": "compute.instance"},
             "then": {"allowed": True, "reasons": ["opt-in/allow"]}}]}))
    results = run_corpus(corpus, opt_in, catalog)
    assert [r.passed for r in results] == [True, True], [r.to_json() for r in results]
