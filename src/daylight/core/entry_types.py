"""The one list of transparency-log entry types: every ``LogEntry.type`` Daylight writes.

The names are part of the published log format (auditors and the report read them), so they
never change; a new kind of fact gets a new name here. They live in ``core`` because every
layer that records facts needs them, including ``usage``, which does not import the log.
Payloads are described in docs/registry.md, docs/usage.md, docs/policy.md, docs/voice.md and
docs/report.md.
"""

from __future__ import annotations

from typing import Final

REGISTRY_REFERENCE: Final = "registry.reference"
"""A reference data version was loaded (its digest and counts)."""
REGISTRY_RELATIONSHIP: Final = "registry.relationship"
"""A new or changed relationship between organisations, with its evidence."""
REGISTRY_CLASSIFICATION: Final = "registry.classification"
"""An account's classification, when it resolves or changes."""
REGISTRY_SCREENING: Final = "registry.screening"
"""A screening run: counts per outcome and a digest of every outcome."""
REGISTRY_JUDGEMENT: Final = "registry.judgement"
"""A reviewer's verdict on an (account, organisation) pair."""
REGISTRY_ACCOUNT_CHANGE: Final = "registry.account_change"
"""A re-import changed a stored account (a CRM re-sync): its id and the fields changed."""
REGISTRY_REDIRECT: Final = "registry.redirect"
"""A newer reference build merged an organisation into another: its id now redirects there."""
REGISTRY_WITHDRAWAL: Final = "registry.withdrawal"
"""A newer reference build dropped an organisation (kept, marked withdrawn by that build)."""
REGISTRY_RELATIONSHIP_ENDED: Final = "registry.relationship_ended"
"""A newer reference build no longer lists a relationship (kept, marked)."""
REGISTRY_CORRECTION: Final = "registry.correction"
"""A correction filed against a classification (claim and evidence)."""
REGISTRY_CORRECTION_REVIEW: Final = "registry.correction_review"
"""A reviewer's decision on a filed correction, naming the filing's entry."""

USAGE_DIGEST: Final = "usage.digest"
"""One account's usage in one period, and the stored files it was computed from."""

POLICY_VERSION: Final = "policy.version"
"""A published policy version (its text hash, packs and effective time)."""
POLICY_DECISION_DIGEST: Final = "policy.decision_digest"
"""What the gate decided during a period (hashes of its counts and denials)."""
POLICY_AUDIT_FINDING: Final = "policy.audit_finding"
"""Usage the policy in force refuses, per account × operation × version."""
POLICY_AUDIT: Final = "policy.audit"
"""The summary of a period's audit."""

REPORT_ROW: Final = "report.row"
"""One published row of a transparency report (its table and the row without its index)."""
REPORT_PUBLISHED: Final = "report.published"
"""A published report: period, proven checkpoint, SHA-256 of SHA256SUMS and of each data file."""
VOICE_DECLARATION: Final = "voice.declaration"
"""A customer's declared use of a capability, as submitted."""
VOICE_DECLARATION_REVIEW: Final = "voice.declaration_review"
"""One review step of a declaration (the reviewer by pseudonym) and the status after it."""
VOICE_OBJECTION: Final = "voice.objection"
"""An employee's objection: what about, the statement, the threshold."""
VOICE_OBJECTION_SIGNATURE: Final = "voice.objection_signature"
"""One signature of an objection: a salted commitment and the count, never the signer."""
VOICE_OBJECTION_REVIEW: Final = "voice.objection_review"
"""An objection reached its threshold: its review is mandatory."""
VOICE_OBJECTION_RESOLUTION: Final = "voice.objection_resolution"
"""The outcome and rationale of an objection's review."""
VOICE_REFUSAL: Final = "voice.refusal"
"""An employee's standing refusal: the subject, a commitment and the count, never the employee."""

ENTRY_TYPES: Final = (REGISTRY_REFERENCE, REGISTRY_RELATIONSHIP, REGISTRY_CLASSIFICATION,
                      REGISTRY_SCREENING, REGISTRY_JUDGEMENT, REGISTRY_REDIRECT,
                      REGISTRY_WITHDRAWAL, REGISTRY_RELATIONSHIP_ENDED, REGISTRY_CORRECTION,
                      REGISTRY_CORRECTION_REVIEW, USAGE_DIGEST, POLICY_VERSION,
                      POLICY_DECISION_DIGEST, POLICY_AUDIT_FINDING, POLICY_AUDIT, REPORT_ROW,
                      REPORT_PUBLISHED, VOICE_DECLARATION, VOICE_DECLARATION_REVIEW, VOICE_OBJECTION,
                      VOICE_OBJECTION_SIGNATURE, VOICE_OBJECTION_REVIEW,
                      VOICE_OBJECTION_RESOLUTION, VOICE_REFUSAL)
