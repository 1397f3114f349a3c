"""Invalid policy sets and schemas are refused with Cedar's message, never silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest

from daylight.core.errors import InputError
from daylight.policy.catalog import Catalog, parse_catalog
from daylight.policy.pack import load_pack
from daylight.policy.policies import PolicyText, compile_policies, policy_text_sha256
from daylight.policy.schema import PolicySchema, build_schema_text, parse_schema
from daylight.policy.validation import compile_pack

GOOD = '''
@id("t/allow") @reason("everything is allowed unless forbidden")
permit (principal, action, resource);
@id("t/no-police") @reason("no face search for police")
forbid (principal, action in Action::"biometric_identification", resource)
when { principal.sector == "law_enforcement" };
'''


def _compile(text: str, schema: PolicySchema) -> None:
    compile_policies([PolicyText("t/policies.cedar", text)], schema)


def test_a_good_policy_set_compiles_with_ids_and_reasons(schema: PolicySchema) -> None:
    compiled = compile_policies([PolicyText("t/policies.cedar", GOOD)], schema)
    assert list(compiled.rules) == ["t/allow", "t/no-police"]
    assert compiled.rules["t/no-police"].effect == "forbid"
    assert compiled.rules["t/no-police"].reason == "no face search for police"
    assert compiled.sha256 == policy_text_sha256(compiled.text)
    assert "// file: t/policies.cedar" in compiled.text


@pytest.mark.parametrize(("text", "message"), [
    ("permit (principal, action, resource", "invalid Cedar"),
    ('@reason("r") permit (principal, action, resource);', "needs @id"),
    ('@id("NoSlash") @reason("r") permit (principal, action, resource);', "needs @id"),
    ('@id("t/a") permit (principal, action, resource);', "needs a @reason"),
    ('@id("t/a") @reason("  ") permit (principal, action, resource);', "needs a @reason"),
    ('@id("t/a") @reason("r") permit (principal, action, resource);\n'
     '@id("t/a") @reason("r") permit (principal, action, resource);', "used twice"),
    ('@id("t/a") @reason("r") permit (principal, action, resource) when { principal.sectr == "x" };',
     "do not validate against the Cedar schema"),
    ('@id("t/a") @reason("r") permit (principal, action in Action::"telepathy", resource);',
     "do not validate against the Cedar schema"),
    ('@id("t/a") @reason("r") permit (principal, action, resource) when { context.purpose == 3 };',
     "do not validate against the Cedar schema"),
    ('@id("t/a") @reason("r") permit (principal == ?principal, action, resource);', "templates"),
    ("// nothing but a comment\n", "no policies"),
])
def test_invalid_policies_are_refused_naming_the_file(text: str, message: str,
                                                      schema: PolicySchema) -> None:
    with pytest.raises(InputError, match=message) as caught:
        _compile(text, schema)
    assert caught.value.where == "t/policies.cedar"


def test_schema_errors_carry_every_message(schema: PolicySchema) -> None:
    text = ('@id("t/a") @reason("r") forbid (principal, action, resource) when '
            '{ principal.sectr == "x" || context.colour == "red" };')
    with pytest.raises(InputError) as caught:
        _compile(text, schema)
    errors = caught.value.evidence["errors"]
    assert any("sectr" in e for e in errors) and all(e.startswith("t/a") for e in errors)


def test_an_invalid_schema_is_refused_not_ignored() -> None:
    with pytest.raises(InputError, match="invalid Cedar schema") as caught:
        parse_schema("entity Account = { sector: Strin };", where="bad.cedarschema")
    assert caught.value.where == "bad.cedarschema"
    with pytest.raises(InputError, match="invalid Cedar schema"):
        parse_schema("this is not a schema")


def test_the_schema_follows_the_catalog(catalog: Catalog) -> None:
    text = build_schema_text(catalog)
    for op in catalog.operations.values():
        assert f'action "{op.id}" in [' in text
        for cap in op.capabilities:
            assert f'"{cap}"' in text
    small = parse_catalog('version = 1\n[capabilities.infrastructure]\ndescription = "x"\n'
                          '[services.compute]\ntitle = "C"\n[operations."compute.instance"]\n'
                          'service = "compute"\ntitle = "t"\ncapabilities = ["infrastructure"]\n')
    small_schema = parse_schema(build_schema_text(small))
    with pytest.raises(InputError, match="do not validate"):
        compile_pack(load_pack("employee-demands"), small_schema)


def test_a_pack_whose_ids_do_not_name_it_is_refused(tmp_path: Path, schema: PolicySchema) -> None:
    (tmp_path / "pack.toml").write_text('name = "mine"\ntitle = "t"\nsummary = "s"\n')
    (tmp_path / "policies.cedar").write_text(GOOD)
    with pytest.raises(InputError, match="starting with `mine/`"):
        compile_pack(load_pack(str(tmp_path)), schema)


@pytest.mark.parametrize(("manifest", "message"), [
    ('name = "Mine"\ntitle = "t"\nsummary = "s"\n', "must match"),
    ('name = "mine"\ntitle = "t"\nsummary = "s"\nextra = 1\n', "unknown key `extra`"),
    ('name = "mine"\nsummary = "s"\n', "non-empty string for `title`"),
    ('name = "mine"\ntitle = "t"\nsummary = "s"\n[[sources]]\ntitle = "x"\n', "exactly the keys"),
    ('name = = 1', "invalid TOML"),
])
def test_bad_pack_manifests_are_refused(tmp_path: Path, manifest: str, message: str) -> None:
    (tmp_path / "pack.toml").write_text(manifest)
    (tmp_path / "policies.cedar").write_text(GOOD)
    with pytest.raises(InputError, match=message):
        load_pack(str(tmp_path))


def test_a_pack_without_cedar_files_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pack.toml").write_text('name = "mine"\ntitle = "t"\nsummary = "s"\n')
    with pytest.raises(InputError, match=r"at least one `\.cedar` file"):
        load_pack(str(tmp_path))
