"""Benchmark: production files (generators, mesh previews, streamed zip export).

    python bench/files.py [--seconds 2] [--skip-gigabyte]

Prints each figure beside its target with PASS or MISS:
- products generated and exported per second, ring and box, as STL and as 3MF;
- the time to preview a 100,000-triangle STL at 512x512;
- zip export of 256 MB and 1 GB of asset data to /dev/null: throughput, and the peak resident
  memory of a fresh process doing only that, which must stay flat as the size grows;
- the generate-production-files service end to end (generate, export, render the preview, store,
  swap the assets in the database) per ring product, and the export-files service copying an
  order's files to a folder target, in a fresh process on a throwaway SQLite installation.
"""

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time

TARGET_PRODUCTS_PER_SECOND = 10
TARGET_THUMBNAIL_SECONDS = 0.5
TARGET_ZIP_MB_PER_SECOND = 200
TARGET_ZIP_PEAK_RSS_MB = 100
# Peak memory may differ by this much between 256 MB and 1 GB and still count as not growing.
RSS_GROWTH_ALLOWANCE_MB = 8
ASSET_FILE_SIZE = 16 * 1024 * 1024
MB = 1_000_000

RING = ("ring", {"size": 18.2, "width": 6, "thickness": 2, "profile": "court"})
BOX = ("box", {"width": 80, "depth": 60, "height": 40, "wall": 2, "lidHeight": 8})


def verdict(is_met: bool) -> str:
    return "PASS" if is_met else "MISS"


def report(label: str, figure: str, target: str, is_met: bool | None) -> None:
    outcome = "info" if is_met is None else verdict(is_met)
    print(f"{label:<44} {figure:>18}   target {target:<14} {outcome}")


def products_per_second(key: str, configuration: dict, file_format: str, seconds: float) -> float:
    from fabflow.generators import generate_meshes, get_generator
    from fabflow.generators.export import export_mesh

    generator = get_generator(key)
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds or count < 3:
        for part in generate_meshes(generator, configuration):
            export_mesh(part.mesh, file_format, name=part.name)
        count += 1
    return count / elapsed


def thumbnail_seconds(runs: int = 5) -> tuple[float, int]:
    import trimesh

    from fabflow.files.rendering import render_mesh_thumbnail

    mesh = trimesh.creation.torus(10, 3, major_sections=400, minor_sections=125)
    stl = mesh.export(file_type="stl")
    render_mesh_thumbnail(stl, file_type="stl")  # first call pays for imports and caches
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        render_mesh_thumbnail(stl, file_type="stl", size=(512, 512))
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), len(mesh.faces)


class RepeatingAsset(io.RawIOBase):
    """A file of `size` bytes made of one block over and over: asset data at no cost to make."""

    def __init__(self, block: bytes, size: int):
        self._block, self._remaining = block, size

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self._remaining if size < 0 else min(size, self._remaining)
        self._remaining -= size
        whole, part = divmod(size, len(self._block))
        return self._block * whole + self._block[:part]


def zip_export_run(total_bytes: int, compression: str) -> dict:
    """Stream `total_bytes` of assets into /dev/null; run in a fresh process for its peak RSS."""
    from fabflow.web.zipstream import ZipEntry, stream_zip

    incompressible = os.urandom(1 << 20)  # stands for PNG, JPEG and 3MF: compressed already
    # Binary STL: 50-byte records of float coordinates, which deflate by about half.
    records = [
        b"\0" * 12
        + bytes(f"{index:012d}{index * 7 % 9973:012d}{index % 97:012d}", "ascii")
        + b"\0\0"
        for index in range(20972)
    ]
    stl_like = b"".join(records)[: 1 << 20]
    extensions = ["stl", "3mf", "png", "stl"]
    entries = [
        ZipEntry(
            f"order-{index // 8:04}/asset-{index}.{extensions[index % 4]}",
            lambda block=(stl_like if extensions[index % 4] == "stl" else incompressible): (
                RepeatingAsset(block, ASSET_FILE_SIZE)
            ),
        )
        for index in range(total_bytes // ASSET_FILE_SIZE)
    ]
    written = 0
    started = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        for chunk in stream_zip(entries, compression=compression):
            sink.write(chunk)
            written += len(chunk)
    elapsed = time.perf_counter() - started
    return {
        "mb_per_second": total_bytes / MB / elapsed,
        "peak_rss_mb": peak_rss_kilobytes() * 1024 / MB,
        "archive_mb": written / MB,
    }


def peak_rss_kilobytes() -> int:
    """Peak resident memory of this process image.

    Linux carries getrusage's ru_maxrss over from the parent across fork and exec, so a child of
    a big parent would report the parent's peak; VmHWM belongs to the new address space alone.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux


def zip_export_in_fresh_process(total_bytes: int, compression: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--zip-run", str(total_bytes), compression],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


# The service renders a 512x512 preview per product (~0.35 s with the CPU rasteriser, whatever
# the triangle count), which bounds it far below the bare generators.
TARGET_SERVICE_PRODUCTS_PER_SECOND = 2
# Folder exports fsync every file: the floor is the disk's synced write speed (dd conv=fsync
# measured 69 MB/s on the reference machine).
TARGET_EXPORT_MB_PER_SECOND = 60


def services_run() -> dict:
    """Time the generation and export services on a throwaway installation (fresh process)."""
    import tempfile
    from decimal import Decimal

    root = tempfile.mkdtemp(prefix="fabflow-bench-")
    os.environ.update(FABFLOW_DATA_DIR=root, DJANGO_SETTINGS_MODULE="fabflow.settings")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("STORAGE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from fabflow.accounts import services as accounts
    from fabflow.accounts.actors import Actor
    from fabflow.files import export_targets, storage
    from fabflow.files.generation import generate_production_files
    from fabflow.orders.models import Asset, AssetKind
    from fabflow.orders.services import ProductInput, create_order

    organization = accounts.create_organization(name="Bench")
    space = accounts.create_space(organization=organization, name="Rings", key="rings")
    space.generator = "ring"
    space.save()
    actor = Actor.system(organization_id=organization.pk)
    products = 20
    order = create_order(
        actor=actor,
        space=space,
        name="Bench order",
        products=[
            ProductInput(name=f"Ring {n}", units=1, unit_value=Decimal("1"), configuration=RING[1])
            for n in range(products)
        ],
    ).order
    started = time.perf_counter()
    generate_production_files(actor=actor, order_id=order.pk, file_format="stl", source="bench")
    generation_seconds = time.perf_counter() - started
    # An order with 256 MiB of production files, copied to a folder target.
    product = order.products.first()
    block = os.urandom(ASSET_FILE_SIZE)
    for index in range(16):
        stored = storage.store(
            ContentFile(block), folder=f"assets/{space.pk}/bench{index}", filename="big.stl"
        )
        Asset.objects.create(
            organization=organization,
            space=space,
            product=product,
            filename=f"big {index}.stl",
            content_type="model/stl",
            size=stored.size,
            sha256=stored.sha256,
            kind=AssetKind.PRODUCTION,
            storage_name=stored.name,
        )
    settings.FABFLOW_EXPORT_FOLDERS = [root]
    user_actor = Actor.system(organization_id=organization.pk)
    export_targets.create_export_target(
        actor=user_actor, name="bench", kind="folder", path=os.path.join(root, "out")
    )
    total = sum(Asset.objects.filter(kind=AssetKind.PRODUCTION).values_list("size", flat=True))
    started = time.perf_counter()
    export_targets.export_order_files(actor=actor, order_id=order.pk, target_name="bench")
    export_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = export_targets.export_order_files(actor=actor, order_id=order.pk, target_name="bench")
    rerun_seconds = time.perf_counter() - started
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    return {
        "products_per_second": products / generation_seconds,
        "export_mb": total / MB,
        "export_mb_per_second": total / MB / export_seconds,
        "rerun_seconds": rerun_seconds,
        "rerun_written": len(again.written),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per throughput figure")
    parser.add_argument("--skip-gigabyte", action="store_true", help="zip 256 MB only")
    parser.add_argument("--zip-run", nargs=2, metavar=("BYTES", "COMPRESSION"), help="internal")
    parser.add_argument("--services-run", action="store_true", help="internal")
    arguments = parser.parse_args()
    if arguments.services_run:
        print(json.dumps(services_run()))
        return
    if arguments.zip_run:
        total_bytes, compression = arguments.zip_run
        print(json.dumps(zip_export_run(int(total_bytes), compression)))
        return

    print(f"Production files benchmark, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    for key, configuration in (RING, BOX):
        for file_format in ("stl", "3mf"):
            rate = products_per_second(key, configuration, file_format, arguments.seconds)
            report(
                f"generate + export {key} as {file_format.upper()}",
                f"{rate:,.0f} products/s",
                f">= {TARGET_PRODUCTS_PER_SECOND}/s",
                rate >= TARGET_PRODUCTS_PER_SECOND,
            )

    seconds, triangles = thumbnail_seconds()
    report(
        f"preview {triangles:,} triangles at 512x512",
        f"{seconds:.3f} s",
        f"<= {TARGET_THUMBNAIL_SECONDS} s",
        seconds <= TARGET_THUMBNAIL_SECONDS,
    )

    sizes = [256 * 2**20] if arguments.skip_gigabyte else [256 * 2**20, 2**30]
    peaks = []
    for total_bytes in sizes:
        run = zip_export_in_fresh_process(total_bytes, "store")
        label = f"zip {total_bytes / 2**20:,.0f} MiB of assets (stored)"
        report(
            label,
            f"{run['mb_per_second']:,.0f} MB/s",
            f">= {TARGET_ZIP_MB_PER_SECOND} MB/s",
            run["mb_per_second"] >= TARGET_ZIP_MB_PER_SECOND,
        )
        report(
            "  peak RSS of that process",
            f"{run['peak_rss_mb']:.1f} MB",
            f"< {TARGET_ZIP_PEAK_RSS_MB} MB",
            run["peak_rss_mb"] < TARGET_ZIP_PEAK_RSS_MB,
        )
        peaks.append(run["peak_rss_mb"])
    if len(peaks) > 1:
        growth = peaks[-1] - peaks[0]
        report(
            "  peak RSS growth, 256 MiB -> 1 GiB",
            f"{growth:+.1f} MB",
            f"<= {RSS_GROWTH_ALLOWANCE_MB} MB",
            growth <= RSS_GROWTH_ALLOWANCE_MB,
        )
    run = zip_export_in_fresh_process(256 * 2**20, "auto")
    report(
        "zip 256 MiB, Compression.AUTO (half STL)",
        f"{run['mb_per_second']:,.0f} MB/s",
        "none",
        None,
    )
    report("  archive size for 268 MB of input", f"{run['archive_mb']:,.0f} MB", "none", None)

    output = subprocess.run(
        [sys.executable, __file__, "--services-run"], capture_output=True, text=True, check=True
    ).stdout
    run = json.loads(output.strip().splitlines()[-1])
    report(
        "generate-production-files service, ring STL",
        f"{run['products_per_second']:,.1f} products/s",
        f">= {TARGET_SERVICE_PRODUCTS_PER_SECOND}/s",
        run["products_per_second"] >= TARGET_SERVICE_PRODUCTS_PER_SECOND,
    )
    report(
        f"export-files to a folder, {run['export_mb']:,.0f} MB",
        f"{run['export_mb_per_second']:,.0f} MB/s",
        f">= {TARGET_EXPORT_MB_PER_SECOND} MB/s",
        run["export_mb_per_second"] >= TARGET_EXPORT_MB_PER_SECOND,
    )
    report(
        "  unchanged re-run (files written)",
        f"{run['rerun_seconds'] * 1000:,.0f} ms ({run['rerun_written']})",
        "0 written",
        run["rerun_written"] == 0,
    )


if __name__ == "__main__":
    main()
