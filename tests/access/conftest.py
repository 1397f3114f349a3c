"""The CLI fixtures of tests/cli, for the token commands."""

from tests.cli.conftest import cli, initialised  # noqa: F401  (fixtures shared with the CLI tests)
