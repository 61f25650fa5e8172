"""The signature checks docs/api.md shows, run against a real delivery: Python always, and
JavaScript with Node.js (the test machine has it; the test fails without it)."""

import re
import shutil
import subprocess
from pathlib import Path

from fabflow.orders.services import create_order
from fabflow.webhooks import delivery
from tests.conftest import ring_products

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def snippet(language: str) -> str:
    """The `language` code block of the Webhooks section of docs/api.md."""
    section = API_DOC.read_text().split("\n## Webhooks\n", 1)[1].split("\n## ", 1)[0]
    (code,) = re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)
    return code


def a_real_delivery(subscription, receiver, admin_actor, space) -> dict:
    create_order(actor=admin_actor, space=space, name="R-1", products=ring_products(1, 1))
    delivery.deliver_due()
    (call,) = receiver.calls
    return call


def test_the_python_snippet_accepts_a_delivery_and_refuses_a_forgery(
    subscription, receiver, admin_actor, space
):
    call = a_real_delivery(subscription, receiver, admin_actor, space)
    names = {}
    exec(snippet("python"), names)
    check = names["is_from_fabflow"]
    signature = call["headers"]["X-Fabflow-Signature"]
    assert check(call["raw"], signature, subscription.secret) is True
    assert check(call["raw"] + b" ", signature, subscription.secret) is False
    assert check(call["raw"], signature, "whsec_another") is False


def test_the_javascript_snippet_accepts_a_delivery_and_refuses_a_forgery(
    tmp_path, subscription, receiver, admin_actor, space
):
    node = shutil.which("node")
    assert node is not None, "Node.js runs the JavaScript snippet of docs/api.md"
    call = a_real_delivery(subscription, receiver, admin_actor, space)
    (tmp_path / "body.json").write_bytes(call["raw"])
    (tmp_path / "check.js").write_text(
        snippet("javascript")
        + """
const fs = require("node:fs");
const [bodyFile, signature, secret] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);
console.log(JSON.stringify([
  isFromFabflow(body, signature, secret),
  isFromFabflow(Buffer.concat([body, Buffer.from(" ")]), signature, secret),
  isFromFabflow(body, signature, "whsec_another"),
  isFromFabflow(body, "sha256=short", secret),
]));
"""
    )
    signature = call["headers"]["X-Fabflow-Signature"]
    answer = subprocess.run(
        [
            node,
            str(tmp_path / "check.js"),
            str(tmp_path / "body.json"),
            signature,
            subscription.secret,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert answer.stdout.strip() == "[true,false,false,false]"
