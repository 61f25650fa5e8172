"""Build a benchmark database of N orders (3 products × 2 parts each) fast, with its text index.

    python bench/dataset.py --orders 1000000 --database-url sqlite:///var/bench/api.sqlite3
    python bench/dataset.py --orders 100000 --database-url postgres://user@127.0.0.1:5432/bench

The database is migrated, then given one organization ("Bench"), one product space (`bench`),
one admin (bench@example.com / bench-password-1) and a secret key, which is printed. Rows are
written by raw SQL — `executemany` in large transactions on SQLite, COPY on PostgreSQL — with
creation times spread over the past two years in insertion order, as the API would have written
them. Running it again on a built database adds nothing and prints a new key.

From Python: `build(database_url=…, orders=…)` returns a `Dataset`; `data_dir(database_url)` is
the FABFLOW_DATA_DIR a server must use on this database (it holds the SECRET_KEY the key's digest
depends on).
"""

import argparse
import json
import os
import random
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

EMAIL = "bench@example.com"
PASSWORD = "bench-password-1"
SPACE_KEY = "bench"
# The flow key that orders past Created carry (no flow is defined: the lists only show the key).
FLOW_KEY = "bench-production"
CHUNK = 20_000
STATUSES = [("created", 20), ("in_progress", 50), ("success", 25), ("unhealthy", 3), ("failure", 2)]
PRODUCTS = [
    "Ring",
    "Pendant",
    "Bracelet",
    "Earring",
    "Brooch",
    "Lamp",
    "Vase",
    "Bowl",
    "Mug",
    "Tile",
]
PARTS = ["Band", "Stone", "Clasp", "Chain", "Shade", "Base", "Lid", "Handle", "Setting", "Hook"]
MATERIALS = ["gold", "silver", "steel", "bronze", "resin", "nylon", "copper", "oak"]
# Customer names make rare search terms: each is in about 1 order in 2,000.
CUSTOMERS = [f"{a}{b}" for a in ("Jans", "Peet", "Maes", "Wout", "Claes") for b in range(400)]


@dataclass(frozen=True)
class Dataset:
    """A built benchmark database and the credentials to use it."""

    database_url: str
    data_dir: Path
    orders: int
    email: str
    password: str
    space_key: str
    secret: str


def data_dir(database_url: str) -> Path:
    """The FABFLOW_DATA_DIR that belongs to `database_url` (next to a SQLite file)."""
    if database_url.startswith("sqlite:///"):
        return Path(database_url.removeprefix("sqlite:///")).resolve().parent / "data"
    return Path("var/bench/data").resolve()


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["FABFLOW_DATA_DIR"] = str(data_dir(database_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    from fabflow import config

    config.prepare_data_dir()  # as a `fabflow` command does: the database's folder, the key
    import django

    django.setup()


def build(*, database_url: str, orders: int, seed: int = 1, quiet: bool = False) -> Dataset:
    """Migrate, create the bench tenant and `orders` orders (unless present), and a new key."""
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from fabflow.accounts import services
    from fabflow.accounts.actors import Actor
    from fabflow.accounts.models import Organization, ProductSpace, User
    from fabflow.orders import status_counts
    from fabflow.orders.models import Order

    call_command("migrate", verbosity=0)
    organization = Organization.objects.filter(name="Bench").first()
    if organization is None:
        organization = services.create_organization(name="Bench")
        space = services.create_space(organization=organization, name="Bench", key=SPACE_KEY)
        User.objects.create_user(
            email=EMAIL, password=PASSWORD, name="Bench", organization=organization, is_admin=True
        )
    space = ProductSpace.objects.get(organization=organization, key=SPACE_KEY)
    present = Order.objects.filter(space=space).count()
    if present < orders:
        started = time.perf_counter()
        writer = _write_postgresql if connection.vendor == "postgresql" else _write_sqlite
        writer(space=space, start=present, count=orders - present, seed=seed, quiet=quiet)
        if not quiet:
            print(f"wrote {orders - present:,} orders in {time.perf_counter() - started:.0f} s")
        # Rows written by SQL, around the services: the dashboard's counters are counted anew.
        status_counts.recount()
    admin = User.objects.get(email=EMAIL)
    created = services.create_secret_key(
        actor=Actor.for_user(admin), space=space, name=f"Bench {uuid.uuid4().hex[:6]}"
    )
    return Dataset(
        database_url=database_url,
        data_dir=data_dir(database_url),
        orders=max(present, orders),
        email=EMAIL,
        password=PASSWORD,
        space_key=SPACE_KEY,
        secret=created.secret,
    )


def uuid7_at(moment: datetime, rng: random.Random) -> uuid.UUID:
    milliseconds = int(moment.timestamp() * 1000)
    value = (milliseconds << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62)
    return uuid.UUID(int=value | rng.getrandbits(62))


def generate(*, space, start: int, count: int, seed: int):
    """Yield (order, products, parts, search text) rows as plain Python values, oldest first."""
    from fabflow.orders import search

    rng = random.Random(seed + start)
    # Lead times from a generator of their own, so the rest of the data stays as it was.
    lead_rng = random.Random(seed * 7919 + start)
    now = datetime.now(UTC)
    first = now - timedelta(days=730)
    step = timedelta(days=730) / max(start + count, 1)
    statuses = [status for status, weight in STATUSES for _ in range(weight)]
    tenant = (space.organization_id, space.pk)
    for index in range(start, start + count):
        created = first + step * index
        order_id = uuid7_at(created, rng)
        customer = rng.choice(CUSTOMERS)
        name = f"Order {index + 1:07d} {customer}"
        products, parts, names = [], [], [name]
        value = 0
        for position in range(3):
            product_id = uuid7_at(created, rng)
            product_name = f"{rng.choice(PRODUCTS)} {rng.choice(MATERIALS)}"
            units = rng.randint(1, 4)
            unit_value = rng.randint(500, 30000)
            value += units * unit_value
            deadline = created + timedelta(days=rng.randint(3, 30))
            products.append(
                (*tenant, product_id, order_id, position, product_name, units, unit_value, deadline,
                 json.dumps({"size": rng.randint(48, 64)}), "{}", created)
            )  # fmt: skip
            names.append(product_name)
            for part_position in range(2):
                part_name = f"{rng.choice(PARTS)} {position + 1}.{part_position + 1}"
                parts.append(
                    (*tenant, uuid7_at(created, rng), product_id, order_id, part_position,
                     part_name, "{}", created)
                )  # fmt: skip
                names.append(part_name)
        status = rng.choice(statuses)
        # A finished order reached Success 2 hours to 10 days after its creation.
        finished = created + timedelta(hours=lead_rng.randint(2, 240))
        order = (
            *tenant, order_id, name, status, value, created + timedelta(days=30),
            json.dumps([rng.choice(MATERIALS)]), json.dumps({"customer": customer}), "[]",
            "" if status == "created" else FLOW_KEY, uuid.uuid4().hex + uuid.uuid4().hex,
            created, created, finished if status == "success" else None,
        )  # fmt: skip
        text = search.document(
            order_id=order_id, name=names[0], product_names=names[1:], part_names=[]
        )
        yield order, products, parts, text


ORDER_COLUMNS = (
    "organization_id, space_id, id, name, status, value, deadline, tags, data, addresses, "
    "flow_key, request_digest, created_at, updated_at, finished_at"
)
PRODUCT_COLUMNS = (
    "organization_id, space_id, id, order_id, position, name, units, unit_value, deadline, "
    "configuration, data, created_at"
)
PART_COLUMNS = (
    "organization_id, space_id, id, product_id, order_id, position, name, data, created_at"
)


def _write_sqlite(*, space, start, count, seed, quiet) -> None:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    raw.execute("PRAGMA synchronous=OFF")

    def sql_value(value):
        if isinstance(value, uuid.UUID):
            return value.hex
        if isinstance(value, datetime):
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        return value

    def money(cents: int) -> str:
        return f"{cents // 100}.{cents % 100:02d}"

    def placeholders(columns: str) -> str:
        return ", ".join("?" for _ in columns.split(","))

    orders_sql = (
        f"INSERT INTO orders_order ({ORDER_COLUMNS}) VALUES ({placeholders(ORDER_COLUMNS)})"
    )
    products_sql = (
        f"INSERT INTO orders_product ({PRODUCT_COLUMNS}) VALUES ({placeholders(PRODUCT_COLUMNS)})"
    )
    parts_sql = f"INSERT INTO orders_part ({PART_COLUMNS}) VALUES ({placeholders(PART_COLUMNS)})"
    search_sql = "INSERT INTO orders_search (order_id, document) VALUES (?, ?)"
    batch = {"orders": [], "products": [], "parts": [], "search": []}

    def flush():
        raw.execute("BEGIN")
        raw.executemany(orders_sql, batch["orders"])
        raw.executemany(products_sql, batch["products"])
        raw.executemany(parts_sql, batch["parts"])
        raw.executemany(search_sql, batch["search"])
        raw.execute("COMMIT")
        for rows in batch.values():
            rows.clear()

    rows = generate(space=space, start=start, count=count, seed=seed)
    for written, (order, products, parts, text) in enumerate(rows, start=1):
        row = [sql_value(value) for value in order]
        row[5] = money(order[5])
        batch["orders"].append(row)
        for product in products:
            product_row = [sql_value(value) for value in product]
            product_row[7] = money(product[7])
            batch["products"].append(product_row)
        batch["parts"].extend([sql_value(value) for value in part] for part in parts)
        batch["search"].append((order[2].hex, text))
        if written % CHUNK == 0:
            flush()
            if not quiet and written % (CHUNK * 10) == 0:
                print(f"  {written:,} orders", flush=True)
    if batch["orders"]:
        flush()
    raw.execute("PRAGMA synchronous=NORMAL")
    raw.execute("ANALYZE")
    raw.execute("INSERT INTO orders_search (orders_search) VALUES ('optimize')")


def _write_postgresql(*, space, start, count, seed, quiet) -> None:
    from django.db import connection, transaction

    def money(cents: int) -> str:
        return f"{cents // 100}.{cents % 100:02d}"

    connection.ensure_connection()
    written = 0
    rows = generate(space=space, start=start, count=count, seed=seed)
    while written < count:
        size = min(CHUNK * 5, count - written)
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor
            raw.execute("CREATE TEMP TABLE bench_search (order_id uuid, text text) ON COMMIT DROP")
            chunk = [next(rows) for _ in range(size)]
            with raw.copy(f"COPY orders_order ({ORDER_COLUMNS}) FROM STDIN") as copy:
                for order, _products, _parts, _text in chunk:
                    row = list(order)
                    row[5] = money(order[5])
                    copy.write_row(row)
            with raw.copy(f"COPY orders_product ({PRODUCT_COLUMNS}) FROM STDIN") as copy:
                for _order, products, _parts, _text in chunk:
                    for product in products:
                        row = list(product)
                        row[7] = money(product[7])
                        copy.write_row(row)
            with raw.copy(f"COPY orders_part ({PART_COLUMNS}) FROM STDIN") as copy:
                for _order, _products, parts, _text in chunk:
                    for part in parts:
                        copy.write_row(part)
            with raw.copy("COPY bench_search (order_id, text) FROM STDIN") as copy:
                for order, _products, _parts, text in chunk:
                    copy.write_row((order[2], text))
            raw.execute(
                "INSERT INTO orders_search (order_id, document) "
                "SELECT order_id, to_tsvector('simple', text) FROM bench_search"
            )
        written += size
        if not quiet:
            print(f"  {written:,} orders", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--database-url", default="sqlite:///var/bench/api.sqlite3")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    dataset = build(database_url=args.database_url, orders=args.orders, seed=args.seed)
    print(f"database        {dataset.database_url}")
    print(f"data folder     {dataset.data_dir}  (FABFLOW_DATA_DIR for a server on it)")
    print(f"orders          {dataset.orders:,}")
    print(f"sign in         {dataset.email} / {dataset.password}")
    print(f"product space   {dataset.space_key}")
    print(f"secret key      {dataset.secret}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
