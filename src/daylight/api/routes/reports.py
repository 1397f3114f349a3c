"""Published transparency reports: the list, and each report's files read-only
(``flows/published.py``)."""

from __future__ import annotations

import mimetypes
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel
from starlette.responses import FileResponse, Response
from starlette.types import Message, Receive, Scope, Send

from daylight.api.errors import RangeNotSatisfiableError, error_body
from daylight.api.pagination import Page
from daylight.api.routes.resources import ERROR_RESPONSES, HomeDep, PagingDep
from daylight.core.errors import DaylightError, InputError
from daylight.flows.published import PublishedReport, list_published, report_file
from daylight.report.server import REPORT_CSP


class ReportFileResponse(FileResponse):
    """A file, with starlette's refusals of its ``Range`` header (plain text, 400 or 416) sent
    in the one error shape instead; its ``Content-Range`` (the file's size) is kept."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal: DaylightError | None = None
        scope = _without_foreign_ranges(scope)

        async def send_shaped(message: Message) -> None:
            nonlocal refusal
            if message["type"] == "http.response.start" and message["status"] in (400, 416):
                refusal = (RangeNotSatisfiableError("the range starts beyond the file's end",
                                                    where="header range")
                           if message["status"] == 416 else
                           InputError("expected `bytes=START-END`, START before END, inside "
                                      "the file", where="header range"))
                body = error_body(refusal)
                kept = [(k, v) for k, v in message["headers"] if k == b"content-range"]
                message = {**message, "headers": [
                    *kept, (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode())]}
            elif message["type"] == "http.response.body" and refusal is not None:
                message = {**message, "body": error_body(refusal), "more_body": False}
            await send(message)

        await super().__call__(scope, receive, send_shaped)


def _without_foreign_ranges(scope: Scope) -> Scope:
    """The scope without a ``Range`` header in a unit other than bytes, which RFC 9110
    (section 14.2) says a server must ignore (answering the whole file), not refuse."""
    headers = scope["headers"]
    kept = [(k, v) for k, v in headers
            if k != b"range" or v.strip().lower().startswith(b"bytes=")]
    return scope if len(kept) == len(headers) else {**scope, "headers": kept}


router = APIRouter(tags=["reports"], responses=ERROR_RESPONSES)


class PublishedReportOut(BaseModel):
    """A period's latest publication; `files`: whether this service serves its files."""

    period: str
    period_start: str
    period_end: str
    published_log_index: int
    proven_tree_size: int
    sha256sums_sha256: str
    published_at: str
    files: bool


def _out(report: PublishedReport) -> PublishedReportOut:
    return PublishedReportOut.model_validate(report.to_json())


@router.get("/v1/reports", summary="List published reports")
def get_reports(home: HomeDep, paging: PagingDep) -> Page[PublishedReportOut]:
    """Each published period's latest publication, oldest period first."""
    reports = list_published(home.database(), home.settings.reports_dir, paging.window)
    return paging.page(reports, lambda r: r.publication.period, _out)


@router.get("/v1/reports/{period}/files/{path:path}", summary="A file of a published report",
            response_class=Response,
            responses={200: {"content": {"application/octet-stream": {
                "schema": {"type": "string", "format": "binary"}}}}})
def get_report_file(period: str,
                    path: Annotated[str, Path(description="The file's path in the report "
                                              "directory, e.g. `data/organizations.csv`")],
                    home: HomeDep) -> Response:
    """A file of the period's published report, as published (data, proofs, pages, the log);
    with the report's own content security policy, under which its pages run."""
    file = report_file(home.database(), home.settings.reports_dir, period, path)
    media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return ReportFileResponse(file, media_type=media_type,
                              headers={"content-security-policy": REPORT_CSP})
