"""Audits: replay a period's usage against the policy in force each day (``flows/audit.py``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from daylight.api.routes.resources import ERROR_RESPONSES, HomeDep
from daylight.core.period import parse_period
from daylight.flows.audit import audit_period

router = APIRouter(tags=["audits"], responses=ERROR_RESPONSES)


class AuditIn(BaseModel):
    """The period to audit (it must have been aggregated)."""

    model_config = ConfigDict(extra="forbid")

    period: str


class AuditOut(BaseModel):
    """The findings (usage the policy in force would have denied), the summary, and whether
    they were appended to the log (not if they are the period's last audit's)."""

    findings: list[dict[str, Any]]
    summary: dict[str, Any]
    appended: bool


@router.post("/v1/audits", summary="Audit a period's usage")
def post_audit(body: AuditIn, home: HomeDep) -> AuditOut:
    """Replay the period's aggregated usage, day by day, against the policy version in force
    each day; record and log the findings."""
    report = audit_period(home.database(), home.log(writable=True), home.usage_store(),
                          parse_period(body.period, where="period"))
    return AuditOut.model_validate(report.to_json())
