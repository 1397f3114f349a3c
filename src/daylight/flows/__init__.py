"""The application layer: one module per flow that crosses layers, shared by the command line,
the HTTP service and the report.

A flow takes typed inputs (a ``Database``, a ``TransparencyLog``, a ``UsageStore``, a ``Period``,
a ``Clock``) and returns a typed result (a frozen dataclass, with ``to_json()`` where it is
printed). Flows sit above every domain layer and below ``home``, ``api`` and ``cli``: they never
open a home themselves, so the caller decides where the database, the log and the files live.

=================  ==========================================================================
module             flow
=================  ==========================================================================
``screen``         screen the registry's accounts (registry + log)
``review``         the review queue, and recording a reviewer's judgement (registry + log)
``accounts``       accounts as ``accounts show`` and ``accounts list`` show them (registry)
``export``         the registry as FollowTheMoney entities (registry)
``ingest``         ingest usage files, generate SYNTHETIC usage (usage + the policy catalog)
``aggregate``      aggregate a period and log its usage digests; verify them (usage + log)
``audit``          replay a period's usage against the policy in force (usage + policy + log)
``publish``        validate, test and publish policy packs as a version (policy + log)
``decide``         one decision, the decision service's gate, decision digests (policy + log)
``mirror``         the log for its HTTP readers: checkpoint, tiles, tlog-proof (log + report)
``published``      published reports and their files, served read-only (report)
``demo``           the demo world, end to end (every layer)
=================  ==========================================================================
"""
