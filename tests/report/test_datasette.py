"""`report.db` opens in Datasette as it is: its search box finds an agency by name (FTS5)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from datasette.app import Datasette


def test_datasette_searches_organisation_names_in_report_db(published: Path) -> None:
    async def search() -> list[dict[str, object]]:
        datasette = Datasette([str(published / "report.db")])
        response = await datasette.client.get(
            "/report/organizations.json?_search=gainesville&_shape=array")
        assert response.status_code == 200
        rows: list[dict[str, object]] = response.json()
        return rows

    rows = asyncio.run(search())
    assert [r["organization_name"] for r in rows] == ["Gainesville Police Department"]
