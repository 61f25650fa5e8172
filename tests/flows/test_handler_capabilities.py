"""Capabilities a handler module declares, which the engine reads instead of handler keys."""

from types import SimpleNamespace

from fabflow.flows.registry import PayloadModel, as_handler, get_handler


def test_of_the_built_in_handlers_the_connector_alone_takes_feedback():
    built_in = [
        "send-email",
        "manual-confirmation",
        "consume-rest-api",
        "wait",
        "generate-production-files",
        "export-files",
    ]
    assert [key for key in built_in if get_handler(key).accepts_feedback] == ["consume-rest-api"]


def test_a_handler_takes_feedback_only_when_its_module_says_so():
    module = SimpleNamespace(
        key="print-label", kind="automatic", Payload=PayloadModel, execute=lambda context: {}
    )
    assert as_handler(module).accepts_feedback is False
    module.accepts_feedback = True
    assert as_handler(module).accepts_feedback is True
