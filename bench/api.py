"""Benchmark: REST API v1 over real HTTP on Fabflow started the embedded way (`fabflow serve`).

    python bench/api.py --orders 100000 [--database-url sqlite:///var/bench/api-100k.sqlite3]
    python bench/api.py --orders 100000 --database-url postgres://…/bench
    python scripts/with_postgres.py python bench/api.py --orders 100000   (a throwaway cluster)

Builds the dataset once (bench/dataset.py), starts `fabflow serve` on it, then measures with
concurrent clients:

1. orders created per second through `POST /orders` (3 products × 2 parts each);
2. latency (p50/p95/p99) of the first page of `GET /orders` with a status filter, a `search`
   term and `ordering=-createdAt`, for a common and a rare term.

Beside each list figure it prints the floor — the same page fetched by one raw SQL query on the
same database, as JSON — and the ratio, two ways: the whole page (every field of the answer,
written by the statement the API's documents come from) and a light page (orders, products and
parts with a few fields, ids and times as stored); on PostgreSQL
also the list query's own time by EXPLAIN ANALYZE and the plan the planner chose for it (steady
where the HTTP figures move with the machine's load). Targets on
2 cores with SQLite: ≥ 500 orders/s; list p95 ≤ 50 ms at 100,000 orders, ≤ 100 ms at 1,000,000;
ratio to the floor ≤ 3.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import dataset  # noqa: E402
from page_statement import page_statement  # noqa: E402

from fabflow.config import DEFAULT_WEB_THREADS, default_web_workers  # noqa: E402

TARGET_CREATES_PER_SECOND = 500
TARGET_RATIO = 3.0
# A material word is in about a third of the orders; a customer name in about 1 in 2,000.
TERMS = {"common": "gold", "rare": "maes123"}
STATUS = "in_progress"
SQLITE_FLOOR = """
SELECT json_group_array(json_object(
  'id', o.id, 'name', o.name, 'status', o.status, 'value', o.value, 'createdAt', o.created_at,
  'tags', json(o.tags), 'data', json(o.data),
  'products', (SELECT json_group_array(json_object('id', p.id, 'name', p.name, 'units', p.units,
      'unitValue', p.unit_value, 'configuration', json(p.configuration),
      'parts', (SELECT json_group_array(json_object('id', t.id, 'name', t.name))
                FROM orders_part t WHERE t.product_id = p.id)))
    FROM orders_product p WHERE p.order_id = o.id)))
FROM (SELECT o.* FROM orders_search s JOIN orders_order o ON o.id = s.order_id
      WHERE orders_search MATCH ? AND o.space_id = ? AND o.status = ?
      ORDER BY s.rowid DESC LIMIT 50) o
"""
# The page's order rows alone, newest match first, for the "whole" floor.
SQLITE_PAGE = """
SELECT o.* FROM orders_search fs JOIN orders_order o ON o.id = fs.order_id
WHERE orders_search MATCH ? AND o.space_id = ? AND o.status = ? ORDER BY fs.rowid DESC LIMIT 50
"""
POSTGRESQL_PAGE = """
SELECT o.* FROM orders_search fs JOIN orders_order o ON o.id = fs.order_id
WHERE fs.document @@ to_tsquery('simple', %s) AND o.space_id = %s AND o.status = %s
ORDER BY fs.id DESC LIMIT 50
"""
POSTGRESQL_FLOOR = """
SELECT json_agg(json_build_object(
  'id', o.id, 'name', o.name, 'status', o.status, 'value', o.value, 'createdAt', o.created_at,
  'tags', o.tags, 'data', o.data,
  'products', (SELECT json_agg(json_build_object('id', p.id, 'name', p.name, 'units', p.units,
      'unitValue', p.unit_value, 'configuration', p.configuration,
      'parts', (SELECT json_agg(json_build_object('id', t.id, 'name', t.name))
                FROM orders_part t WHERE t.product_id = p.id)))
    FROM orders_product p WHERE p.order_id = o.id)))
FROM (SELECT o.* FROM orders_search s JOIN orders_order o ON o.id = s.order_id
      WHERE s.document @@ to_tsquery('simple', %s) AND o.space_id = %s AND o.status = %s
      ORDER BY s.id DESC LIMIT 50) o
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def order_body(name: str) -> dict:
    return {
        "name": name,
        "tags": ["bench"],
        "products": [
            {
                "name": f"Ring {product}",
                "units": product + 1,
                "unitValue": "129.90",
                "configuration": {"size": 52 + product, "engraving": "Forever"},
                "parts": [{"name": f"Band {product}.{part}"} for part in range(2)],
            }
            for product in range(3)
        ],
    }


def process_seconds(session_id: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a session (the server)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, pgrp, session, … utime (12th), stime (13th).
        if int(fields[3]) == session_id:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def measure_creates(
    port: int, secret: str, *, clients: int, seconds: float, server_session: int
) -> dict:
    """Create orders from `clients` threads for `seconds`: orders, orders/s and CPU per order.

    Each client is a plain `http.client` connection (which opens again after every answer: a
    sync worker closes it): it costs the shared cores a fraction of what a full-featured client
    does, so the server's figure is what it measures.
    """
    counts = [0] * clients
    failures = []
    run = f"{time.time_ns():x}"
    stop_at = time.perf_counter() + seconds
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while time.perf_counter() < stop_at:
                body = json.dumps(order_body(f"Bench {run}-{index}-{counts[index]}"))
                connection.request("POST", "/api/v1/orders", body=body, headers=headers)
                response = connection.getresponse()
                answer = response.read()
                if response.status != 201:
                    failures.append(answer[:300])
                    return
                counts[index] += 1
        finally:
            connection.close()

    server_before, client_before = process_seconds(server_session), time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    server_cpu = process_seconds(server_session) - server_before
    client_cpu = time.process_time() - client_before
    if failures:
        raise SystemExit(f"create failed: {failures[0]}")
    created = sum(counts)
    return {
        "orders": created,
        "rate": created / elapsed,
        "server_ms": server_cpu * 1000 / max(created, 1),
        "client_ms": client_cpu * 1000 / max(created, 1),
    }


def measure_list(base: str, secret: str, term: str, *, rounds: int, clients: int) -> list[float]:
    """Latencies (ms) of the list request from `clients` threads, each a plain `http.client`
    connection (as `measure_creates`: a lean client, so the time is the server's)."""
    query = urlencode({"status": STATUS, "search": term, "ordering": "-createdAt", "limit": 50})
    host, port = base.removeprefix("http://").split(":")
    headers = {"Authorization": f"Bearer {secret}"}
    timings: list[float] = []
    lock = threading.Lock()

    def get(connection: http.client.HTTPConnection) -> None:
        connection.request("GET", f"/api/v1/orders?{query}", headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"list failed: {response.status} {body[:300]!r}")

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            get(connection)  # warm up
            for _round in range(rounds):
                started = time.perf_counter()
                get(connection)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timings.append(elapsed)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def measure_floor(database_url: str, term: str, *, rounds: int) -> dict[str, list[float]]:
    """The same page by one raw SQL query, on a connection of its own, two ways: "light", the
    orders with their products and parts and a few of their fields; "whole", every field the
    answer holds (ids in their dashed form, times, files, thumbnails, tasks) written by the
    statement the API's own documents come from."""
    from django.db import connection

    from fabflow.accounts.models import ProductSpace
    from fabflow.orders import search

    space_id = ProductSpace.objects.get(key=dataset.SPACE_KEY, organization__name="Bench").pk
    words = search.query_words(term)
    if connection.vendor == "postgresql":
        light, page = POSTGRESQL_FLOOR, POSTGRESQL_PAGE
        params = [" & ".join(f"{w}:*" for w in words), space_id, STATUS]
    else:
        light, page = SQLITE_FLOOR.replace("?", "%s"), SQLITE_PAGE.replace("?", "%s")
        params = [" AND ".join(f'"{w}"*' for w in words), space_id.hex, STATUS]
    statements = {"light": light, "whole": page_statement(page)}
    timings = {}
    with connection.cursor() as cursor:
        for name, sql in statements.items():
            cursor.execute(sql, params)
            cursor.fetchall()
            timings[name] = []
            for _round in range(rounds):
                started = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def explain_list(term: str, *, rounds: int) -> tuple[float, str] | None:
    """PostgreSQL: the list query's own time by EXPLAIN ANALYZE (median of `rounds`) and the
    plan the planner picked, for the same filters the HTTP client sends. Steadier than the
    HTTP figures on a shared machine; None on SQLite."""
    from django.db import connection
    from django.http import QueryDict

    from fabflow.accounts.actors import Actor
    from fabflow.accounts.models import SecretKey
    from fabflow.orders import services

    if connection.vendor != "postgresql":
        return None
    key = (
        SecretKey.objects.select_related("space")
        .filter(space__key=dataset.SPACE_KEY, space__organization__name="Bench")
        .last()
    )
    params = QueryDict(mutable=True)
    params.update({"status": STATUS, "search": term, "ordering": "-createdAt"})
    filterset = services.filter_orders(actor=Actor.for_key(key), params=params)
    queryset = filterset.qs[:51]
    timings, plan = [], ""
    for _round in range(rounds):
        plan = queryset.explain(analyze=True)
        timings.append(float(plan.rsplit("Execution Time: ", 1)[1].split()[0]))
    if "orders_search_pkey" in plan:
        shape = "walks the text index newest first"
    elif "Bitmap Index Scan on orders_search_document" in plan:
        shape = "takes the matches from the GIN index, then sorts them"
    else:
        shape = "other: " + plan.splitlines()[0]
    return percentile(timings, 0.5), shape


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--create-seconds", type=float, default=10.0)
    parser.add_argument("--create-clients", type=int, default=8)
    parser.add_argument("--list-clients", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument(
        "--web-workers", type=int, help="gunicorn processes (Fabflow's default: one per core)"
    )
    parser.add_argument(
        "--web-threads", type=int, help="threads per process (Fabflow's default: one)"
    )
    parser.add_argument("--only", choices=["lists", "creates"], help="run one half only")
    args = parser.parse_args()
    database_url = (
        args.database_url
        or os.environ.get("DATABASE_URL")
        or f"sqlite:///var/bench/api-{args.orders}.sqlite3"
    )
    if database_url.startswith("sqlite:///"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    built = dataset.build(database_url=database_url, orders=args.orders)
    print(f"dataset: {built.orders:,} orders ({time.perf_counter() - started:.0f} s)", flush=True)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        FABFLOW_DATA_DIR=str(built.data_dir),
    )
    if args.web_workers:
        env["FABFLOW_WEB_WORKERS"] = str(args.web_workers)
    if args.web_threads:
        env["FABFLOW_WEB_THREADS"] = str(args.web_threads)
    web_workers = args.web_workers or default_web_workers()
    web_threads = args.web_threads or DEFAULT_WEB_THREADS
    log = open(built.data_dir / "serve.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{base}/api/v1/openapi.json", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit((built.data_dir / "serve.log").read_text()) from None
                time.sleep(0.2)

        from django.db import connection

        engine = connection.vendor
        print(
            f"\nREST API v1 on {engine}, {built.orders:,} orders, "
            f"{web_workers} web workers × {web_threads} threads\n"
        )
        for term_kind, term in TERMS.items() if args.only != "creates" else ():
            api = measure_list(
                base, built.secret, term, rounds=args.rounds, clients=args.list_clients
            )
            floors = measure_floor(database_url, term, rounds=args.rounds)
            target = 50 if args.orders <= 100_000 else 100
            p95 = percentile(api, 0.95)
            print(
                f"GET /orders status+search({term_kind} {term!r})+-createdAt, "
                f"{args.list_clients} clients: p50 {percentile(api, 0.5):.1f} ms  "
                f"p95 {p95:.1f} ms  p99 {percentile(api, 0.99):.1f} ms  (target p95 ≤ {target} ms)"
            )
            for name, label in (
                ("whole", "the same page, every field of the answer, as JSON"),
                ("light", "the page's orders, products and parts with a few fields"),
            ):
                floor_p95 = percentile(floors[name], 0.95)
                print(
                    f"    floor, one raw SQL query ({label}): p50 "
                    f"{percentile(floors[name], 0.5):.2f} ms  p95 {floor_p95:.2f} ms  ratio p95 "
                    f"{p95 / floor_p95:.1f}×  (goal ≤ {TARGET_RATIO:.0f}×)"
                )
            explained = explain_list(term, rounds=20)
            if explained is not None:
                print(
                    f"    list query alone (EXPLAIN ANALYZE, median of 20): {explained[0]:.2f} ms; "
                    f"the planner {explained[1]}"
                )
        if args.only == "lists":
            return 0
        created = measure_creates(
            port,
            built.secret,
            clients=args.create_clients,
            seconds=args.create_seconds,
            server_session=server.pid,
        )
        rate = created["rate"]
        print(
            f"\nPOST /orders (3 products × 2 parts), {args.create_clients} clients: "
            f"{rate:.0f} orders/s ({created['orders']} in {args.create_seconds:.0f} s; target ≥ "
            f"{TARGET_CREATES_PER_SECOND})"
        )
        print(
            f"    CPU per order: server {created['server_ms']:.2f} ms (web and worker "
            f"processes), client {created['client_ms']:.2f} ms; 2 cores give "
            f"{2000 / (created['server_ms'] + created['client_ms']):.0f} orders/s at most"
        )
        print(
            "    floor (raw SQL on this machine, one commit per order): SQLite 2,441 orders/s, "
            f"PostgreSQL ~1,300; ratio {(2441 if engine == 'sqlite' else 1300) / rate:.1f}×"
        )
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
        log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
