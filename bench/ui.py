"""Benchmark: how fast the Orders, Products and Parts pages and the Dashboard render over HTTP.

Builds (once) a database of N orders with `bench/dataset.py` (3 products and 6 parts per order),
starts `fabflow web` on it, signs in as the dataset's user, and fetches every table page with one
filter, a search and a sort each, and the Dashboard, printing p50/p95 beside the 150 ms target.
Never asserted.

    python bench/ui.py --orders 1000000   (reuses var/bench/api-1000000.sqlite3, as bench/api.py)

With `--bulk-retry N` it then adds N orders whose flow task has failed, starts a worker, retries
them all with one bulk action over the filter `status=failure`, and fetches the pages again while
the job runs: orders per second (acting on them, and until their retried tasks have finished)
and the pages' p50/p95 meanwhile (`bench/bulk_retry.py` does the work in the installation).
"""

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

TARGET_P95_MS = 150
EMAIL = "bench@example.com"
PASSWORD = "bench-password-1"
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import dataset  # noqa: E402

# (page, query): one filter, a search and a sort per table, and their combination.
CASES = [
    ("/", ""),
    ("/", "status=failure"),
    ("/", "createdFrom=2024-01-01&createdTo=2024-12-31"),
    ("/", "search=ring"),
    ("/", "ordering=-value"),
    ("/", "ordering=name"),
    ("/", "status=in_progress&search=ring&ordering=-createdAt"),
    ("/", "page=20"),
    ("/products/", ""),
    ("/products/", "createdFrom=2024-01-01"),
    ("/products/", "search=ring"),
    ("/products/", "ordering=-unitValue"),
    ("/products/", "ordering=name"),
    ("/parts/", ""),
    ("/parts/", "createdFrom=2024-01-01"),
    ("/parts/", "search=band"),
    ("/parts/", "ordering=name"),
    ("/dashboard/", ""),
]
# Pages that are never swapped in part over htmx: measured whole only.
WHOLE_PAGES = {"/dashboard/"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(database_url: str, orders: int) -> None:
    subprocess.run(
        [sys.executable, str(HERE / "dataset.py"), "--orders", str(orders),
         "--database-url", database_url],
        check=True,
    )  # fmt: skip


def sign_in(client: httpx.Client) -> None:
    page = client.get("/sign-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/sign-in/",
        data={"email": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": str(page.url)},
    )
    if response.status_code != 303:  # See Other: the sign-in form is post/redirect/get
        raise SystemExit(f"Could not sign in as {EMAIL}: HTTP {response.status_code}")


def measure(client: httpx.Client, url: str, rounds: int, *, htmx: bool) -> list[float]:
    headers = {"HX-Request": "true", "HX-Target": "table-region"} if htmx else {}
    client.get(url, headers=headers)  # warm the caches once
    timings = []
    for _round in range(rounds):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return timings


def installation_call(env: dict, *argv: str) -> dict:
    """Run `bench/bulk_retry.py` in the benchmark's installation; its JSON answer."""
    done = subprocess.run(
        [sys.executable, str(HERE / "bulk_retry.py"), *argv],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def bulk_retry(client: httpx.Client, env: dict, count: int) -> None:
    """Retry `count` failed orders with one bulk action while measuring the pages."""
    from datetime import datetime

    installation_call(env, "prepare", str(count))
    # Unpaced: the benchmark measures how fast a job can go, not the organization's rate.
    worker_env = {**env, "FABFLOW_BULK_ORDERS_PER_SECOND": "0"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "worker", "--id", "bench-bulk"], env=worker_env
    )
    try:
        job = installation_call(env, "start", str(count))["job"]
        timings: dict[str, list[float]] = {}
        while True:
            for path_, query in CASES:
                url = f"{path_}?{query}" if query else path_
                timings.setdefault(url, []).extend(measure(client, url, 1, htmx=False))
            state = installation_call(env, "status", job)
            if state["status"] == "finished":
                break
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    started = datetime.fromisoformat(state["startedAt"])
    acted = datetime.fromisoformat(state["lastActedAt"])
    finished = datetime.fromisoformat(state["finishedAt"])
    print(f"bulk retry of {count:,} orders: {state['counts']}")
    print(f"  acted on {count / max((acted - started).total_seconds(), 1e-6):,.0f} orders/s; "
          f"{count / max((finished - started).total_seconds(), 1e-6):,.0f} orders/s until every "
          "retried task had finished")  # fmt: skip
    print(
        f"{'page, while the job ran':<72} {'p50 ms':>8} {'p95 ms':>8}  target p95 {TARGET_P95_MS} ms"
    )
    for url, values in timings.items():
        p95 = percentile(values, 0.95)
        verdict = "ok" if p95 <= TARGET_P95_MS else "OVER"
        print(f"{url:<72} {statistics.median(values):>8.1f} {p95:>8.1f}  {verdict}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--rebuild", action="store_true", help="build the dataset even if present")
    parser.add_argument(
        "--page", action="append", help="measure only this page's cases (repeatable: /dashboard/)"
    )
    parser.add_argument("--bulk-retry", type=int, default=0, help="then retry N failed orders")
    args = parser.parse_args()

    args.database_url = args.database_url or f"sqlite:///var/bench/api-{args.orders}.sqlite3"
    path = args.database_url.removeprefix("sqlite:///")
    if args.rebuild or not args.database_url.startswith("sqlite:") or not Path(path).exists():
        build(args.database_url, args.orders)
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=args.database_url,
        FABFLOW_DATA_DIR=str(dataset.data_dir(args.database_url)),
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "web", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--threads", "1"],
        env=env,
    )  # fmt: skip
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for _attempt in range(300):
                try:
                    client.get("/sign-in/")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            sign_in(client)
            print(f"{args.orders:,} orders; {args.rounds} requests per case, one at a time")
            print(f"{'page':<72} {'p50 ms':>8} {'p95 ms':>8}  target p95 {TARGET_P95_MS} ms")
            for path_, query in CASES:
                if args.page and path_ not in args.page:
                    continue
                url = f"{path_}?{query}" if query else path_
                for htmx in (False,) if path_ in WHOLE_PAGES else (False, True):
                    timings = measure(client, url, args.rounds, htmx=htmx)
                    p95 = percentile(timings, 0.95)
                    label = f"{url}{'  (htmx table only)' if htmx else ''}"
                    verdict = "ok" if p95 <= TARGET_P95_MS else "OVER"
                    print(f"{label:<72} {statistics.median(timings):>8.1f} {p95:>8.1f}  {verdict}")
            if args.bulk_retry:
                bulk_retry(client, env, args.bulk_retry)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
