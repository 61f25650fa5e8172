"""The engine tests' real installation, SMTP server and HTTP receiver, for the bulk job tests."""

from tests.flows.conftest import installation, receiver, smtp_server  # noqa: F401
