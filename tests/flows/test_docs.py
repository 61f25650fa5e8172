"""Every flow example in docs/flows.md is a valid definition, and the handler example loads."""

import re
import sys
import types
from pathlib import Path

from fabflow.flows.registry import as_handler
from fabflow.flows.schema import validate_definition

DOC = (Path(__file__).resolve().parents[2] / "docs" / "flows.md").read_text()


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)


def test_every_json_example_is_a_valid_flow():
    import json

    examples = blocks("json")
    assert len(examples) == 6
    for example in examples:
        assert validate_definition(json.loads(example))


def test_the_plugin_example_declares_a_handler():
    module = types.ModuleType("acme_labels_handler")
    exec(compile(blocks("python")[0], "acme_labels/handler.py", "exec"), module.__dict__)
    sys.modules.pop("acme_labels_handler", None)
    handler = as_handler(module)
    assert (handler.key, handler.kind) == ("print-label", "automatic")
    assert handler.payload_model.model_validate({"printer": "10.0.0.9"}).copies == 1
    payload = handler.payload_model.model_validate({"printer": "labels.local", "copies": 2})
    described = handler.describe(types.SimpleNamespace(payload=payload))
    assert described == {"printer": "labels.local", "copies": 2, "problems": []}
    nameless = handler.payload_model.model_validate({"printer": "labels"})
    assert handler.describe(types.SimpleNamespace(payload=nameless))["problems"] == [
        "the printer is not a host name"
    ]
