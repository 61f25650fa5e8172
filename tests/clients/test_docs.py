"""The "Python client" example of docs/api.md runs against a live Fabflow, and its signature
check tells a real connector call from a tampered one."""

import re
from pathlib import Path

from tests.clients.conftest import signed_call

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def python_client_example() -> str:
    section = DOCS.read_text().split("\n## Python client\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1
    return blocks[0]


def test_the_python_client_example_of_docs_api_md_runs(
    client_server, connector_receiver, monkeypatch, capsys
):
    monkeypatch.setenv("FABFLOW_URL", client_server.url)
    monkeypatch.setenv("FABFLOW_KEY", client_server.secret)
    namespace: dict = {}

    exec(compile(python_client_example(), str(DOCS), "exec"), namespace)

    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "created Webshop order 1002 created 129.90",
        "read Band",
        "found Webshop order 1002",
        "refused 422 [('body', 'products')] List should have at least 1 item after validation, "
        "not 0",
    ]
    _order, call = signed_call(client_server, connector_receiver)
    is_from_fabflow = namespace["is_from_fabflow"]
    assert is_from_fabflow(call.body, call.headers, client_server.signing_secret) is True
    assert is_from_fabflow(call.body + b" ", call.headers, client_server.signing_secret) is False
