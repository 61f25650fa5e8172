"""The start-up wait of the tests' servers fails, saying why, instead of waiting on or passing."""

import subprocess
import sys

import pytest

from tests.flows.conftest import free_port
from tests.servers import first_answer


def test_a_server_that_never_answers_fails_the_wait_after_its_deadline():
    url = f"http://127.0.0.1:{free_port()}/healthz"
    silent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with pytest.raises(AssertionError, match=rf"^{url} did not answer within 0.5 s: "):
            first_answer(url, process=silent, timeout=0.5)
    finally:
        silent.kill()
        silent.wait()


def test_a_server_that_stops_fails_the_wait_with_its_exit_code():
    url = f"http://127.0.0.1:{free_port()}/healthz"
    stopped = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    stopped.wait()
    with pytest.raises(AssertionError, match=rf"^the server stopped \(exit code 3\) before {url}"):
        first_answer(url, process=stopped, timeout=30)
