"""PNG previews of meshes (STL, 3MF, OBJ) and of uploaded images, rendered on the CPU.

Renderer: a small numpy z-buffer rasteriser with flat Lambert shading, chosen over VTK and pyrender.
VTK's wheel (566 MB installed) did render off-screen here, but only through the
host's libEGL/Mesa, which a slim server image lacks, and took 0.42 s for one 105k-triangle frame.
pyrender needs PyOpenGL plus system EGL or OSMesa and is barely maintained. The rasteriser needs
only numpy, draws the same image everywhere, and takes ~0.25 s for 100k triangles at 512x512.
"""

import io
import math
import warnings

import numpy as np
import trimesh
from PIL import Image, ImageOps, UnidentifiedImageError

from fabflow.errors import InvalidInput

DEFAULT_SIZE = (512, 512)
MESH_FILE_TYPES = ("stl", "3mf", "obj")

# Beyond this a preview would take seconds and gigabytes; such meshes are previewed from a
# decimated copy by whoever produced them.
MAX_TRIANGLES = 5_000_000

# Rendering at twice the size and averaging smooths edges (anti-aliasing) at ~3x the cost.
SUPERSAMPLING = 2
# Share of the frame the object's larger side fills: close, with a little air around it.
FILL = 0.9
# A three-quarter view from the front left, a little above, as product photos are taken.
AZIMUTH_DEGREES = -35.0
ELEVATION_DEGREES = 25.0
BACKGROUND = np.array([0.95, 0.96, 0.97])
MATERIAL = np.array([0.36, 0.53, 0.80])
# Lights in world space (Z up): a key light from the front left above the object, a weaker fill
# from the right, and ambient light so that no face turns black. Faces towards the viewer then
# read top > front > side, as in a studio shot.
KEY_LIGHT = np.array([-0.5, -1.0, 1.3])
FILL_LIGHT = np.array([1.0, -0.3, 0.3])
AMBIENT, KEY_STRENGTH, FILL_STRENGTH = 0.3, 0.6, 0.2
# Bounding-box pixels handled per batch: caps the temporaries at ~40 MB whatever the mesh (the
# per-triangle arrays add ~400 bytes a triangle: ~80 MB in all for 100,000 triangles).
CANDIDATES_PER_BATCH = 1 << 20


class ThumbnailError(InvalidInput):
    """The file cannot be previewed; the message says why."""


def render_mesh_thumbnail(
    data: bytes, *, file_type: str | None = None, size: tuple[int, int] = DEFAULT_SIZE
) -> bytes:
    """Return a PNG preview of a mesh file ("stl", "3mf" or "obj"; guessed from content if None)."""
    return render_trimesh_thumbnail(load_mesh(data, file_type=file_type), size=size)


def render_trimesh_thumbnail(
    mesh: trimesh.Trimesh, *, size: tuple[int, int] = DEFAULT_SIZE
) -> bytes:
    """Return a PNG preview of an in-memory mesh, e.g. one a generator just built."""
    width, height = _checked_size(size)
    pixels = _rasterise(_triangle_corners(mesh), width * SUPERSAMPLING, height * SUPERSAMPLING)
    image = Image.fromarray(pixels).reduce(SUPERSAMPLING)
    return _png_bytes(image)


def load_mesh(data: bytes, *, file_type: str | None = None) -> trimesh.Trimesh:
    """Parse a mesh file into one mesh (a 3MF's objects are merged), or raise ThumbnailError."""
    file_type = (file_type or _guess_file_type(data)).lower().lstrip(".")
    if file_type not in MESH_FILE_TYPES:
        raise ThumbnailError(
            f"cannot preview {file_type!r} files, only {', '.join(MESH_FILE_TYPES)}"
        )
    if file_type == "stl":
        _check_binary_stl_length(data)
    try:
        # Rendering needs no merged vertices or repaired normals, and processing costs time.
        mesh = trimesh.load_mesh(io.BytesIO(data), file_type=file_type, process=False)
    except Exception as error:
        # Each format's parser fails its own way (struct, lxml, numpy, KeyError ...); to the
        # caller they all mean the same thing: this file is not a readable mesh.
        raise ThumbnailError(f"the {file_type} file cannot be read: {error}") from error
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        raise ThumbnailError(f"the {file_type} file holds no triangles")
    return mesh


def resize_image_thumbnail(image: bytes, size: tuple[int, int] = DEFAULT_SIZE) -> bytes:
    """Return a PNG of an uploaded image scaled to fit within `size`, upright per its EXIF tag."""
    width, height = _checked_size(size)
    try:
        # A decompression bomb only warns below twice Pillow's pixel limit; refuse it outright.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(image)) as opened:
                opened.draft("RGB", (width, height))  # JPEG decodes at reduced size: faster
                picture = ImageOps.exif_transpose(opened)
                picture.thumbnail((width, height), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise ThumbnailError(f"the image cannot be read: {error}") from error
    except Image.DecompressionBombWarning as error:
        raise ThumbnailError(f"the image is too large: {error}") from error
    except (OSError, ValueError, SyntaxError) as error:
        # Truncated or corrupt data surfaces from the decoders as these.
        raise ThumbnailError(f"the image is damaged: {error}") from error
    has_transparency = picture.mode in {"RGBA", "LA", "PA"} or "transparency" in picture.info
    picture = picture.convert("RGBA" if has_transparency else "RGB")
    return _png_bytes(picture)


def _check_binary_stl_length(data: bytes) -> None:
    # trimesh reads a short binary STL as (empty) ASCII STL; say what is really wrong.
    if data.lstrip()[:5].lower() == b"solid" or len(data) < 84:
        return
    declared = int.from_bytes(data[80:84], "little")
    present = (len(data) - 84) // 50
    if present < declared:
        raise ThumbnailError(
            f"the stl file is truncated: it declares {declared:,} triangles and holds {present:,}"
        )


def _guess_file_type(data: bytes) -> str:
    if data.startswith(b"PK"):
        return "3mf"
    is_binary_stl = len(data) >= 84 and len(data) == 84 + 50 * int.from_bytes(data[80:84], "little")
    if is_binary_stl or data.lstrip()[:5].lower() == b"solid":
        return "stl"
    return "obj"


def _checked_size(size: tuple[int, int]) -> tuple[int, int]:
    width, height = size
    if not (16 <= width <= 4096 and 16 <= height <= 4096):
        raise ThumbnailError(f"size: {width}x{height} is outside 16x16 to 4096x4096")
    return int(width), int(height)


def _triangle_corners(mesh: trimesh.Trimesh) -> np.ndarray:
    """(triangles, 3, xyz) corner coordinates, after checking the mesh can be drawn."""
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    faces = np.asarray(mesh.faces, dtype=np.int64)
    if faces.ndim != 2 or faces.shape[1] != 3 or len(faces) == 0:
        raise ThumbnailError("the mesh has no triangles")
    if len(faces) > MAX_TRIANGLES:
        raise ThumbnailError(f"the mesh has {len(faces):,} triangles, more than {MAX_TRIANGLES:,}")
    if faces.min() < 0 or faces.max() >= len(vertices):
        raise ThumbnailError("the mesh's triangles refer to vertices it does not have")
    corners = vertices[faces]
    if not np.isfinite(corners).all():
        raise ThumbnailError("the mesh has coordinates that are not finite numbers")
    if np.ptp(corners.reshape(-1, 3), axis=0).max() == 0:
        raise ThumbnailError("the mesh has no extent: all its vertices are one point")
    return corners


def _view_rotation() -> np.ndarray:
    """World (Z up, as printers use) to view space (x right, y up, z towards the viewer)."""
    azimuth, elevation = math.radians(AZIMUTH_DEGREES), math.radians(ELEVATION_DEGREES)
    turn = np.array(
        [
            [math.cos(azimuth), -math.sin(azimuth), 0],
            [math.sin(azimuth), math.cos(azimuth), 0],
            [0, 0, 1],
        ]
    )
    z_up_to_y_up = np.array([[1, 0, 0], [0, 0, 1], [0, -1, 0]])
    tilt = np.array(
        [
            [1, 0, 0],
            [0, math.cos(elevation), -math.sin(elevation)],
            [0, math.sin(elevation), math.cos(elevation)],
        ]
    )
    return tilt @ z_up_to_y_up @ turn


def _rasterise(world_corners: np.ndarray, width: int, height: int) -> np.ndarray:
    """Return an (height, width, 3) uint8 image of the triangles seen orthographically."""
    rotation = _view_rotation()
    corners = world_corners @ rotation.T
    low = corners.reshape(-1, 3).min(axis=0)
    high = corners.reshape(-1, 3).max(axis=0)
    span_x, span_y = max(high[0] - low[0], 1e-12), max(high[1] - low[1], 1e-12)
    scale = min(width * FILL / span_x, height * FILL / span_y)
    screen_x = (corners[:, :, 0] - (low[0] + high[0]) / 2) * scale + width / 2
    screen_y = height / 2 - (corners[:, :, 1] - (low[1] + high[1]) / 2) * scale
    # Nearest surface is the largest view z; depth grows away from the viewer, from 0.
    depth = high[2] - corners[:, :, 2]

    nearest = _nearest_triangle_per_pixel(screen_x, screen_y, depth, width, height)
    is_covered = nearest >= 0
    triangle_colours = np.round(
        np.clip(_brightness(corners, rotation)[:, None] * MATERIAL, 0, 1) * 255
    ).astype(np.uint8)
    image = np.empty((height * width, 3), dtype=np.uint8)
    image[:] = np.round(BACKGROUND * 255).astype(np.uint8)
    image[is_covered] = triangle_colours[nearest[is_covered]]
    return image.reshape(height, width, 3)


def _brightness(corners: np.ndarray, rotation: np.ndarray) -> np.ndarray:
    """Lambert brightness per triangle, from view-space corners.

    Normals are turned towards the viewer first: open meshes and inverted windings, common in
    uploaded files, then shade like their visible side instead of going dark.
    """
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    normals *= np.where(normals[:, 2] < 0, -1.0, 1.0)[:, None]
    lengths = np.linalg.norm(normals, axis=1)
    normals /= np.where(lengths > 0, lengths, 1)[:, None]
    key = rotation @ (KEY_LIGHT / np.linalg.norm(KEY_LIGHT))
    fill = rotation @ (FILL_LIGHT / np.linalg.norm(FILL_LIGHT))
    return (
        AMBIENT
        + KEY_STRENGTH * np.maximum(normals @ key, 0)
        + FILL_STRENGTH * np.maximum(normals @ fill, 0)
    )


def _nearest_triangle_per_pixel(
    screen_x: np.ndarray, screen_y: np.ndarray, depth: np.ndarray, width: int, height: int
) -> np.ndarray:
    """Index of the visible triangle at each pixel centre (row-major), -1 where none is.

    Scanline rasterisation, vectorised: each triangle's rows become spans (the x range where all
    three barycentric weights are >= 0), spans become pixels, and pixels compete through
    `np.minimum.at` on one integer key that packs the quantised depth above the triangle index,
    so the nearest triangle wins in one pass. Work is proportional to the pixels covered.
    """
    planes = _BarycentricPlanes(screen_x, screen_y, depth)
    y_first = np.clip(np.ceil(screen_y.min(axis=1) - 0.5), 0, height).astype(np.int64)
    y_stop = np.clip(np.floor(screen_y.max(axis=1) - 0.5) + 1, 0, height).astype(np.int64)
    x_first = np.clip(np.ceil(screen_x.min(axis=1) - 0.5), 0, width).astype(np.int64)
    x_stop = np.clip(np.floor(screen_x.max(axis=1) - 0.5) + 1, 0, width).astype(np.int64)
    rows = np.maximum(y_stop - y_first, 0)
    box_area = rows * np.maximum(x_stop - x_first, 0)

    triangle_bits = max(len(screen_x).bit_length(), 1)
    depth_steps = (1 << (62 - triangle_bits)) - 1
    depth_scale = depth_steps / max(float(depth.max()), 1e-12)
    empty = np.iinfo(np.int64).max
    depth_buffer = np.full(width * height, empty, dtype=np.int64)

    drawn = np.flatnonzero((box_area > 0) & planes.is_drawable)
    # Batches bound temporary memory; a bounding box over-counts a triangle's pixels ~2x.
    ends = np.cumsum(box_area[drawn])
    start = 0
    while start < len(drawn):
        done = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, done + CANDIDATES_PER_BATCH, side="right")), start + 1)
        batch = drawn[start:stop]
        start = stop

        triangle = np.repeat(batch, rows[batch])
        row = y_first[triangle] + _offsets_within_runs(rows[batch])
        span_first, span_stop = planes.span(triangle, row + 0.5)
        span_first = np.maximum(span_first, x_first[triangle])
        span_length = np.maximum(np.minimum(span_stop, x_stop[triangle]) - span_first, 0)

        triangle = np.repeat(triangle, span_length)
        pixel_y = np.repeat(row, span_length)
        pixel_x = np.repeat(span_first, span_length) + _offsets_within_runs(span_length)
        pixel_depth = planes.depth(triangle, pixel_x + 0.5, pixel_y + 0.5)
        keys = np.clip(pixel_depth * depth_scale, 0, depth_steps).astype(np.int64)
        np.minimum.at(depth_buffer, pixel_y * width + pixel_x, (keys << triangle_bits) | triangle)

    nearest = np.full(width * height, -1, dtype=np.int64)
    is_covered = depth_buffer != empty
    nearest[is_covered] = depth_buffer[is_covered] & ((1 << triangle_bits) - 1)
    return nearest


def _offsets_within_runs(run_lengths: np.ndarray) -> np.ndarray:
    """For runs of the given lengths laid end to end, each element's index within its run."""
    run_starts = np.cumsum(run_lengths) - run_lengths
    return np.arange(int(run_lengths.sum())) - np.repeat(run_starts, run_lengths)


class _BarycentricPlanes:
    """Per triangle, its barycentric weights and depth as planes a*x + b*y + c over the screen."""

    def __init__(self, screen_x: np.ndarray, screen_y: np.ndarray, depth: np.ndarray):
        # Weight i is the signed area opposite corner i over the whole signed area.
        x1, y1 = screen_x[:, [1, 2, 0]], screen_y[:, [1, 2, 0]]
        x2, y2 = screen_x[:, [2, 0, 1]], screen_y[:, [2, 0, 1]]
        a, b, c = y1 - y2, x2 - x1, x1 * y2 - x2 * y1
        doubled_area = c.sum(axis=1)
        # Edge-on triangles cover no pixel centre and would divide by zero.
        self.is_drawable = np.abs(doubled_area) > 1e-9
        inverse = np.where(self.is_drawable, 1 / np.where(self.is_drawable, doubled_area, 1), 0)
        self.a, self.b, self.c = (
            np.ascontiguousarray((plane * inverse[:, None]).T) for plane in (a, b, c)
        )
        self.depth_a = (self.a.T * depth).sum(axis=1)
        self.depth_b = (self.b.T * depth).sum(axis=1)
        self.depth_c = (self.c.T * depth).sum(axis=1)

    def span(self, triangle: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First and stop pixel column whose centre lies inside `triangle` on the row at `y`."""
        low = np.full(len(triangle), -np.inf)
        high = np.full(len(triangle), np.inf)
        for a, b, c in zip(self.a, self.b, self.c, strict=True):
            slope, intercept = a[triangle], b[triangle] * y + c[triangle]
            # Weight slope*x + intercept >= 0 bounds x from one side, or rules the row in or out.
            bound = np.divide(-intercept, slope, out=np.zeros_like(slope), where=slope != 0)
            low = np.where(slope > 0, np.maximum(low, bound), low)
            high = np.where(slope < 0, np.minimum(high, bound), high)
            low = np.where((slope == 0) & (intercept < 0), np.inf, low)
        first = np.ceil(np.clip(low, -1, 1 << 30) - 0.5).astype(np.int64)
        stop = np.floor(np.clip(high, -1, 1 << 30) - 0.5).astype(np.int64) + 1
        return first, stop

    def depth(self, triangle: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Depth of `triangle`'s plane at screen point (x, y)."""
        return self.depth_a[triangle] * x + self.depth_b[triangle] * y + self.depth_c[triangle]


def _png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
