"""The layering holds beyond what import-linter sees: the command-line modules do not import
each other, no module names another layer's tables in SQL, and the drawing of the layers in
docs/development.md is the import-linter contract."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "src" / "daylight"
_SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|JOIN|FROM|INTO|TABLE)\b")
_CREATE = re.compile(r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(\w+)", re.IGNORECASE)


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _layer(path: Path) -> str:
    """``daylight/<layer>/...`` or ``daylight/<layer>.py``."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_cli_module_imports_another_but_the_output_helpers() -> None:
    """``cli/main.py`` registers the command modules; every other one stands alone."""
    allowed = {"daylight.cli.output"}
    found = {}
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        if path.name in {"main.py", "__init__.py"}:
            continue
        siblings = {name for name in _imports(ast.parse(path.read_text()))
                    if name.startswith("daylight.cli.") and name not in allowed
                    and not name.startswith("daylight.cli.output.")}
        if siblings:
            found[path.name] = sorted(siblings)
    assert found == {}


def table_owners() -> dict[str, str]:
    """Table name → the layer whose migrations create it."""
    owners: dict[str, str] = {}
    for migration in sorted(PACKAGE.glob("*/migrations/*.sql")):
        for table in _CREATE.findall(migration.read_text()):
            owners[table.lower()] = _layer(migration)
    return owners


def tables_named_in_sql(source: str, tables: set[str]) -> set[str]:
    """The tables of ``tables`` that ``source`` names in an SQL string or as the table of an
    ``insert_rows`` call (docstrings do not count)."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                                       ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    named: set[str] = set()
    for node in ast.walk(tree):
        texts: list[str] = []
        if isinstance(node, ast.JoinedStr):
            texts.append("".join(part.value for part in node.values
                                 if isinstance(part, ast.Constant) and isinstance(part.value, str)))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in docstrings:
            texts.append(node.value)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "insert_rows" and node.args \
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            named.add(node.args[0].value)
        for text in texts:
            if _SQL.search(text):
                named.update(word for word in re.findall(r"\w+", text) if word in tables)
    return named & tables


def test_the_sql_check_sees_a_foreign_table() -> None:
    tables = {"registry_account", "policy_denial"}
    source = ('"""Reads registry_account FROM the docs."""\n'
              'ROWS = "SELECT a.account_id FROM registry_account a"\n'
              'tx.insert_rows("policy_denial", COLUMNS, rows)\n'
              'KEY = "registry_account"\n')
    assert tables_named_in_sql(source, tables) == {"registry_account", "policy_denial"}
    assert tables_named_in_sql('KEY = "registry_account"\n', tables) == set()


def test_no_module_names_another_layers_tables_in_sql() -> None:
    owners = table_owners()
    assert {"registry_account", "policy_version", "usage_digest"} <= set(owners)
    foreign = {}
    for path in _modules():
        layer = _layer(path)
        named = tables_named_in_sql(path.read_text(), set(owners))
        others = sorted(t for t in named if owners[t] != layer)
        if others:
            foreign[str(path.relative_to(PACKAGE))] = others
    assert foreign == {}


def _normalise(layer: str) -> str:
    names = [part.strip().strip("()").removeprefix("daylight.") for part in layer.split("|")]
    return " | ".join(names)


def contract_layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [_normalise(layer) for layer in contract["layers"]]


def drawn_layers() -> list[str]:
    """The first column of the drawing under ``## Layers`` in docs/development.md (below its
    header row, ``layer ...``)."""
    text = (ROOT / "docs" / "development.md").read_text()
    section = text.split("\n## Layers\n", 1)[1]
    drawing = section.split("```", 2)[1]
    rows = [line for line in drawing.splitlines() if line.strip()]
    assert rows[0].split()[0] == "layer"
    return [_normalise(re.split(r"\s{2,}", row.strip(), maxsplit=1)[0]) for row in rows[1:]]


def test_the_drawing_of_the_layers_is_the_import_linter_contract() -> None:
    assert drawn_layers() == contract_layers()
    assert "flows" in contract_layers()
