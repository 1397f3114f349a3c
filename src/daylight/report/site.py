"""The report's static site: HTML pages rendered from a ``Report`` value alone.

``render_site(report, out_dir)`` writes the pages (``index.html``, ``organizations.html``, one
``org/<id>.html`` per organisation, ``graph.html``, ``voice.html``, ``changes.html``,
``methodology.html``, ``dictionary.html``, ``credits.html``, ``search.html``), the charts
(``charts/*.svg``), the bundled assets (``static/``) and the search index (``pagefind/``), and
returns the paths it wrote. It links to, but does not write, the
data files, proofs and log mirror that ``daylight.report.data`` and ``daylight.report.proofs`` put
beside it (``data/...``, ``proofs/ROW_ID.tlog-proof``, ``log/...``).

Pages are Jinja2 templates with autoescaping on, so every text from customers or reference data
is escaped. The contract with ``daylight verify``: every published row shown in a page is
``<tr data-row-id="ROW_ID" data-log-index="N">`` whose cells ``<td data-field="FIELD">`` hold the
field's text exactly as the CSV writes it (``cell_text``). Rendering is deterministic: the same
report gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from daylight.core.errors import StorageError
from daylight.core.text import count_of
from daylight.registry.organization import AGENCY_SECTORS
from daylight.report import chart, search, usmap
from daylight.report.dictionary import DATA_FILES, data_dictionary
from daylight.report.formats import TABLES_BY_NAME
from daylight.report.model import OrganizationRow, Report, Source
from daylight.report.rows import Column, cell_html, cell_text, entry_href, rows_html
from daylight.report.shares import in_shares, processes_for
from daylight.report.table_script import TABLE_SCRIPT, TableScript, to_script

__all__ = ["cell_text", "entry_href", "page_name", "render_site"]

ORGANIZATION_COLUMNS = (
    Column("organization_name", href=lambda o: f"org/{page_name(o.organization_id)}"),
    Column("sector"), Column("supports"), Column("state"), Column("services"), Column("capabilities"),
    Column("calls", numeric=True), Column("suppressed"), Column("allowed", numeric=True),
    Column("denied", numeric=True), Column("denied_by"), Column("declared_purposes"),
    Column("audit_findings", numeric=True), Column("actions"),
)
USAGE_COLUMNS = (Column("service"), Column("operation"), Column("capabilities"),
                 Column("calls", numeric=True), Column("suppressed"))
DECISION_COLUMNS = (Column("operation"), Column("outcome"), Column("policies"),
                    Column("decisions", numeric=True), Column("suppressed"))
WEEKLY_COLUMNS = (Column("week_start"), Column("week_end"), Column("calls", numeric=True),
                  Column("suppressed"))

@dataclass(frozen=True)
class SupportSummary:
    """An organisation's support relationships in force during the period, for filtering the
    central table: their kinds, and the sum of their amounts in whole USD (as the company awarded,
    or as the agency awarding; an edge without an amount adds nothing)."""

    kinds: tuple[str, ...] = ()
    amount: int = 0


def support_summaries(report: Report) -> dict[str, SupportSummary]:
    """``SupportSummary`` per organisation id, from the published ``supports`` rows."""
    kinds: dict[str, set[str]] = defaultdict(set)
    amounts: dict[str, float] = defaultdict(float)
    for edge in report.supports:
        for org in {edge.contractor_id, edge.agency_id}:
            kinds[org].add(edge.support_kind)
            amounts[org] += edge.amount or 0.0
    return {org: SupportSummary(tuple(sorted(k)), round(amounts[org])) for org, k in kinds.items()}


def organization_columns(summaries: dict[str, SupportSummary]) -> tuple[Column, ...]:
    """The central table's cells: the published fields, with the kinds and amount of support
    (derived from ``supports``) after ``supports``."""
    none = SupportSummary()
    derived = (
        Column("support_kinds", derived=lambda o: summaries.get(o.organization_id, none).kinds),
        Column("support_usd", numeric=True, derived=lambda o: summaries.get(o.organization_id, none).amount),
    )
    return ORGANIZATION_COLUMNS[:3] + derived + ORGANIZATION_COLUMNS[3:]


STATIC_FILES = ("style.css", "table.js", "graph.js", "search.js", "vendor/cytoscape.min.js",
                "vendor/cytoscape.LICENSE", "THIRD_PARTY.md")
PUBLIC_BODY_SECTORS = ("military", "intelligence", "other_government")  # public, not agencies
MAX_GRAPH_EDGES = 200  # drawn; a force layout of more is a hairball (the table has every edge)
TABLE_CHUNK_ROWS = 250  # rows per table block of the central table (see organizations.html)
TABLE_HTML_ROWS = 1000  # more organisations than this: organizations.html holds one block, the rest by state
TABLE_FIRST_ROWS = 100  # that block: the first screen before the table script has the rows
_SAFE = re.compile(r"[A-Za-z0-9._-]+")


def shown(value: object) -> str:
    """A field for reading rather than checking: lists comma-separated, counts with thousands
    separators, booleans yes/no, nothing as a dash."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    return str(value)


def page_name(organization_id: str) -> str:
    """The file name of an organisation's page: its id when that is a safe file name, else a
    readable prefix and a hash of the id."""
    if _SAFE.fullmatch(organization_id) and not organization_id.startswith("."):
        return f"{organization_id}.html"
    prefix = re.sub(r"[^A-Za-z0-9_-]+", "-", organization_id)[:40].strip("-")
    return f"{prefix}-{hashlib.sha256(organization_id.encode()).hexdigest()[:12]}.html"


def group_label(row: OrganizationRow) -> str:
    """Which headline group an organisation counts in."""
    if row.sector in AGENCY_SECTORS:
        return row.sector.replace("_", " ")
    if not row.supports:
        return row.sector
    return "supporting " + " / ".join(s.replace("_", " ") for s in row.supports)


def source_names(sources: Iterable[Source]) -> Callable[[str], str]:
    """A function from a source text of the data (one registry source id, or several
    comma-separated) to the sources' names, each id no source claims kept as it is."""
    by_id = {source_id: s.name for s in sources for source_id in s.ids}

    def names(text: str) -> str:
        ids = [part.strip() for part in text.split(",") if part.strip()]
        return ", ".join(dict.fromkeys(by_id.get(i, i) for i in ids))

    return names


@dataclass(frozen=True)
class Signature:
    """One signature line of the checkpoint: the signer's name and whether it is the log's own."""

    name: str
    is_log: bool


def signatures(checkpoint: str, origin: str) -> list[Signature]:
    """The signers of a signed note, in order (the log's key name is its origin)."""
    found = []
    for line in checkpoint.splitlines():
        if line.startswith("— "):
            name = line[2:].rsplit(" ", 1)[0]
            found.append(Signature(name, name == origin))
    return found


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("daylight.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["cell"] = cell_html
    env.filters["num"] = lambda n: f"{n:,}"
    env.filters["count"] = count_of
    env.filters["shown"] = shown
    env.filters["words"] = lambda s: str(s).replace("_", " ")
    env.filters["page"] = page_name
    return env


def _headlines(report: Report) -> dict[str, Any]:
    groups = Counter(group_label(o) for o in report.organizations)
    by_service: Counter[tuple[str, str]] = Counter()
    by_capability: Counter[tuple[str, str]] = Counter()
    for org in report.organizations:
        for service in org.services:
            by_service[(service, group_label(org))] += 1
        for capability in org.capabilities:
            by_capability[(capability, group_label(org))] += 1
    return {
        "groups": sorted(groups.items()),
        "by_service": sorted((s, g, n) for (s, g), n in by_service.items()),
        "by_capability": sorted((c, g, n) for (c, g), n in by_capability.items()),
        "agencies": sum(1 for o in report.organizations if o.sector == "law_enforcement"),
        "immigration": sum(1 for o in report.organizations if o.sector == "immigration_enforcement"),
        # a public body that supports an agency (a transit authority, a state's military
        # department under a CBP contract) is not a company: counted apart, named as what it is
        # (a nonprofit or an organisation of unknown sector is no public body: counted with
        # the companies, as before)
        "supporting": sum(1 for o in report.organizations if o.supports
                          and o.sector not in (*AGENCY_SECTORS, *PUBLIC_BODY_SECTORS)),
        "bodies_supporting": sum(1 for o in report.organizations
                                 if o.sector in PUBLIC_BODY_SECTORS and o.supports),
        "agencies_supporting": sum(1 for o in report.organizations
                                   if o.sector in AGENCY_SECTORS and o.supports),
        "calls": sum(o.calls for o in report.organizations),
        "denied": sum(o.denied for o in report.organizations),
        "allowed": sum(o.allowed for o in report.organizations),
    }


def _charts(report: Report, heads: dict[str, Any], out_dir: Path) -> list[Path]:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    overall = [p for p in report.usage_over_time if p.organization_id is None]
    for point in overall or report.usage_over_time:
        totals[(point.day, point.capability)] += point.calls
    mark = " (SYNTHETIC)" if report.synthetic else ""
    specs = {
        "usage-over-time": chart.usage_over_time_spec(
            [(d, c, n) for (d, c), n in sorted(totals.items())],
            title=f"Calls per week by group{mark}", x_title="week (UTC, from Monday)",
            y_title="calls per week", series_title="who"),
        "by-service": chart.counts_bar_spec(
            heads["by_service"], y_title="service", title=f"Organisations by service{mark}"),
        "by-capability": chart.counts_bar_spec(
            heads["by_capability"], y_title="capability", title=f"Organisations by capability{mark}"),
    }
    written = []
    (out_dir / "charts").mkdir(parents=True, exist_ok=True)
    for name, spec in specs.items():
        path = out_dir / "charts" / f"{name}.svg"
        path.write_text(chart.render_svg(spec))
        written.append(path)
    heads["over_time"] = sorted(totals.items())
    heads["weeks_total"] = sum(totals.values())
    heads["short_weeks"] = short_weeks(sorted({day for day, _ in totals}), report.period_end)
    return written


def week_days(week_start: str, period_end: str) -> int:
    """The days a published week counts: from ``week_start`` to the next Monday or the period's
    end (exclusive), whichever comes first (weeks are clipped to the period)."""
    start = date.fromisoformat(week_start)
    end = min(start + timedelta(days=7 - start.weekday()), date.fromisoformat(period_end))
    return (end - start).days


def short_weeks(week_starts: Sequence[str], period_end: str) -> list[tuple[str, int]]:
    """The weeks (first day, days counted) cut short by the period's edges: a reader sees their
    points drop and must be told why."""
    return [(day, n) for day in week_starts if (n := week_days(day, period_end)) < 7]


def _copy_static(out_dir: Path) -> list[Path]:
    written = []
    source = resources.files("daylight.report").joinpath("static")
    for name in STATIC_FILES:
        target = out_dir / "static" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with resources.as_file(source.joinpath(name)) as path:
            shutil.copyfile(path, target)
        written.append(target)
    return written


def _by_org(rows: Iterable[Any], key: str = "organization_id") -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[getattr(row, key)].append(row)
    return grouped


def table_script(rows: Sequence[OrganizationRow], columns: Sequence[Column], tree_size: int) -> str:
    """The central table as the table script reads it (``daylight.report.table_script``: a script
    the page loads with ``<script src>``, which works on ``file://`` where ``fetch`` does not):
    every cell's text as the page shows it (``cell_text``), compact. A column with few distinct
    texts is dictionary-coded (``values`` holds the texts, the rows their indexes); numbers stay
    numbers; each row is
    ``[row_id, log_index, page, entry, cell...]`` with ``entry`` an index into ``entries`` (the
    log mirror's entry bundles). About 130 bytes a row instead of ~900 in HTML."""
    cells = [[c.derived(o) if c.derived is not None else getattr(o, c.field) for o in rows] for c in columns]
    values: list[list[str] | None] = []
    coded: list[list[Any]] = []
    for column, column_cells in zip(columns, cells, strict=True):
        if column.numeric and all(type(v) is int for v in column_cells):
            values.append(None)
            coded.append(column_cells)
            continue
        texts = [cell_text(v) for v in column_cells]
        distinct = sorted(set(texts))
        if len(distinct) * 4 <= len(texts):
            position = {t: i for i, t in enumerate(distinct)}
            values.append(distinct)
            coded.append([position[t] for t in texts])
        else:
            values.append(None)
            coded.append(texts)
    hrefs = [entry_href(o.log_index, tree_size) for o in rows]
    entries = sorted(set(hrefs))
    entry_of = {h: i for i, h in enumerate(entries)}
    table = TableScript(
        fields=[c.field for c in columns],
        numeric=[c.numeric for c in columns],
        derived=[c.derived is not None for c in columns],
        values=values,
        entries=entries,
        rows=[[o.row_id, o.log_index, f"org/{page_name(o.organization_id)}", entry_of[h],
               *(column[i] for column in coded)]
              for i, (o, h) in enumerate(zip(rows, hrefs, strict=True))],
    )
    return to_script(table)


@dataclass(frozen=True)
class SectorGroup:
    """The rows of one sector on a page of the table by state, and which of them used each
    capability (for readers without JavaScript: a filter by sector and capability as links)."""

    sector: str
    organizations: tuple[OrganizationRow, ...]
    rows: markupsafe.Markup
    by_capability: tuple[tuple[str, tuple[OrganizationRow, ...]], ...]


@dataclass(frozen=True)
class StatePage:
    """A page of the table by state: its state, file, number of rows and rows per sector."""

    state: str
    href: str
    count: int
    by_sector: dict[str, int]


def _sector_order(sector: str) -> tuple[int, str]:
    """Agencies' sectors first (the letter's subject), then the others by name."""
    return (AGENCY_SECTORS.index(sector) if sector in AGENCY_SECTORS else len(AGENCY_SECTORS), sector)


def _sector_groups(rows: Sequence[OrganizationRow], columns: Sequence[Column],
                   tree_size: int) -> list[SectorGroup]:
    by_sector = _by_org(rows, "sector")
    groups = []
    for sector in sorted(by_sector, key=_sector_order):
        members = by_sector[sector]
        using: dict[str, list[OrganizationRow]] = defaultdict(list)
        for org in members:
            for capability in org.capabilities:
                using[capability].append(org)
        groups.append(SectorGroup(
            sector, tuple(members),
            rows_html(members, columns, root="../", tree_size=tree_size),
            tuple((c, tuple(sorted(using[c], key=lambda o: o.organization_name))) for c in sorted(using))))
    return groups


def render_site(report: Report, out_dir: Path, *, table_chunk_rows: int = TABLE_CHUNK_ROWS,
                table_html_rows: int = TABLE_HTML_ROWS, index: bool = True) -> list[Path]:
    """Write the report's pages, charts and assets into ``out_dir``, then (``index``) the site
    search's index of them (``pagefind/``, see ``daylight.report.search``); return the files written.

    ``table_chunk_rows``: rows per block of the central table (the browser lays out a block only
    when it scrolls into view). ``table_html_rows``: with more organisations than this,
    ``organizations.html`` holds only the first block in its HTML (the table script shows every
    row from ``table/organizations.js``) and readers without JavaScript find every row on the
    table's pages by state (``organizations/state-XX.html``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _environment()
    common = {
        "report": report,
        "heads": _headlines(report),
        "names": {o.organization_id: o.organization_name for o in report.organizations},
        "signatures": signatures(report.checkpoint, report.origin),
        "entry_href": lambda n: entry_href(n, report.tree_size),
        "week_days": week_days,
        "source_names": source_names(report.sources),
        "dictionary": data_dictionary(),
        "data_files": DATA_FILES,
        "tables": TABLES_BY_NAME,
    }

    # The organisation pages (most of the work at full size) are shared with forked children,
    # one per core but this one, which writes the other pages first (``report.shares``)
    organizations = report.organizations
    written: list[Path] = []
    written += in_shares(
        _OrganizationPages(report, out_dir, env, common), organizations,
        processes_for(len(organizations)), failure=StorageError,
        what="could not write a share of the organisation pages",
        meanwhile=lambda: written.extend(
            _other_pages(report, out_dir, env, common, table_chunk_rows, table_html_rows)))
    if index:
        written += search.index_site(out_dir)
    return written


def _other_pages(report: Report, out_dir: Path, env: jinja2.Environment, common: dict[str, Any],
                 table_chunk_rows: int, table_html_rows: int) -> list[Path]:
    """Write every page but the organisations' (see ``render_site``), with the charts and
    assets; return the files written."""
    written = _copy_static(out_dir) + _charts(report, common["heads"], out_dir)
    states = Counter(o.state for o in report.organizations if o.state)

    def write(name: str, template: str, root: str = "", **extra: Any) -> None:
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        html = env.get_template(template).render(common, root=root, page=name, **extra)
        path.write_text(html)
        written.append(path)

    write("index.html", "index.html")
    summaries = support_summaries(report)
    columns = organization_columns(summaries)
    kinds = sorted({k for summary in summaries.values() for k in summary.kinds})
    # Without JavaScript, the table filtered by kind of support is a page per kind, largest first.
    by_kind: dict[str, list[OrganizationRow]] = defaultdict(list)
    for org in report.organizations:
        for kind in summaries.get(org.organization_id, SupportSummary()).kinds:
            by_kind[kind].append(org)
    kind_pages = [(kind, f"organizations/kind-{kind}.html", len(by_kind[kind])) for kind in kinds]
    for kind, name, _ in kind_pages:
        ranked = sorted(by_kind[kind], key=lambda o: (-summaries[o.organization_id].amount, o.row_id))
        write(name, "organizations_subset.html", root="../", kind=kind, state=None, groups=(),
              rows=rows_html(ranked, columns, root="../", tree_size=report.tree_size))
    # Without JavaScript, the table filtered by state is a page per state (every row once), its
    # rows grouped by sector, each group listing its organisations by capability.
    by_state = _by_org(report.organizations, "state")
    table_sectors = sorted({o.sector for o in report.organizations}, key=_sector_order)
    state_pages: list[StatePage] = []
    for state in sorted(by_state):
        name = f"organizations/{page_name('state-' + (state or 'none'))}"
        groups = _sector_groups(by_state[state], columns, report.tree_size)
        state_pages.append(StatePage(state, name, len(by_state[state]),
                                     {g.sector: len(g.organizations) for g in groups}))
        write(name, "organizations_subset.html", root="../", kind=None, state=state, groups=groups,
              rows="")
    in_html: Sequence[OrganizationRow] = report.organizations
    if len(report.organizations) > table_html_rows:
        in_html = report.organizations[:min(table_chunk_rows, TABLE_FIRST_ROWS)]
    write(
        "organizations.html",
        "organizations.html",
        map_states=usmap.map_states(states),
        undrawn=usmap.undrawn(states),
        map_legend=usmap.legend(states),
        map_empty=usmap.EMPTY,
        map_view_box=" ".join(map(str, usmap.VIEW_BOX)),
        options={
            "sector": sorted({o.sector for o in report.organizations}),
            "capability": sorted({c for o in report.organizations for c in o.capabilities}),
            "state": sorted(states),
            "kind": kinds,
        },
        kind_pages=kind_pages,
        state_pages=state_pages,
        sectors=table_sectors,
        html_rows=len(in_html),
        table_script=TABLE_SCRIPT,
        table_chunks=[
            rows_html(in_html[i : i + table_chunk_rows], columns, root="", tree_size=report.tree_size)
            for i in range(0, len(in_html), table_chunk_rows)
        ],
    )
    path = out_dir / TABLE_SCRIPT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(table_script(report.organizations, columns, report.tree_size))
    written.append(path)
    graph_edges = sorted(report.supports, key=lambda s: (-(s.amount or 0), s.row_id))[:MAX_GRAPH_EDGES]
    sectors = {o.organization_id: o.sector for o in report.organizations}
    write("graph.html", "graph.html", graph=_graph_elements(graph_edges, common["names"], sectors))
    for page in ("voice", "changes", "methodology", "dictionary", "credits", "search"):
        write(f"{page}.html", f"{page}.html")
    return written


class _OrganizationPages:
    """Writes the page of each organisation of a share (``org/ID.html``): what every page
    needs is gathered once, before any child is forked to write a share."""

    def __init__(self, report: Report, out_dir: Path, env: jinja2.Environment,
                 common: dict[str, Any]) -> None:
        self.report, self.out_dir, self.common = report, out_dir, common
        self.usage = _by_org(report.usage)
        self.decisions = _by_org(report.decisions)
        self.points = _by_org(p for p in report.usage_over_time if p.organization_id is not None)
        self.weekly = _by_org(report.usage_weekly)
        self.supports_from = _by_org(report.supports, "contractor_id")
        self.supports_to = _by_org(report.supports, "agency_id")
        self.corrections = _by_org(report.corrections, "about")
        self.voice = _by_org(report.voice, "about")
        self.template = env.get_template("organization.html")
        (out_dir / "org").mkdir(exist_ok=True)

    def __call__(self, organizations: Sequence[OrganizationRow]) -> list[Path]:
        tree_size = self.report.tree_size
        pages = []
        for org in organizations:
            key, name = org.organization_id, org.organization_name
            series = chart.by_day([(p.day, p.calls) for p in self.points.get(key, ())])
            path = self.out_dir / "org" / page_name(key)
            path.write_text(self.template.render(
                self.common,
                root="../",
                page=f"org/{path.name}",
                org=org,
                usage_rows=rows_html(self.usage.get(key, []), USAGE_COLUMNS, root="../",
                                     tree_size=tree_size),
                decision_rows=rows_html(self.decisions.get(key, []), DECISION_COLUMNS,
                                        root="../", tree_size=tree_size),
                series=series,
                weekly_rows=rows_html(self.weekly.get(key, []), WEEKLY_COLUMNS, root="../",
                                      tree_size=tree_size),
                sparkline=chart.sparkline(series),
                supports_from=self.supports_from.get(key, []),
                supports_to=self.supports_to.get(key, []),
                corrections=self.corrections.get(key, []) + self.corrections.get(name, []),
                voice=self.voice.get(key, []) + self.voice.get(name, []),
            ))
            pages.append(path)
        return pages


def _graph_elements(edges: Iterable[Any], names: dict[str, str], sectors: dict[str, str]) -> dict[str, Any]:
    """Cytoscape.js elements for the supporting-companies graph (the page embeds them as JSON).
    A supporter that is itself an agency (a 287(g) partner, say) is drawn as an agency."""
    nodes: dict[str, dict[str, Any]] = {}
    links = []
    for edge in edges:
        nodes.setdefault(edge.contractor_id, {"data": {
            "id": edge.contractor_id, "label": edge.contractor_name,
            "kind": sectors.get(edge.contractor_id) if sectors.get(edge.contractor_id) in AGENCY_SECTORS
            else "contractor",
            "href": f"org/{page_name(edge.contractor_id)}" if edge.contractor_id in names else None}})
        nodes.setdefault(edge.agency_id, {"data": {
            "id": edge.agency_id, "label": edge.agency_name, "kind": edge.agency_sector,
            "href": f"org/{page_name(edge.agency_id)}" if edge.agency_id in names else None}})
        links.append({"data": {"id": edge.row_id, "source": edge.contractor_id, "target": edge.agency_id,
                               "label": edge.relationship_kind}})
    return {"nodes": [nodes[k] for k in sorted(nodes)], "edges": links}
