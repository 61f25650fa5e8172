"""Mesh previews and image thumbnails: right size, not blank, the object where it should be."""

import io
import math
import struct
import zipfile

import numpy as np
import pytest
import trimesh
from PIL import Image

from fabflow.files.rendering import (
    BACKGROUND,
    FILL,
    ThumbnailError,
    render_mesh_thumbnail,
    render_trimesh_thumbnail,
    resize_image_thumbnail,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BACKGROUND_RGB = tuple(round(channel * 255) for channel in BACKGROUND)


def decoded(png: bytes) -> np.ndarray:
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def object_share(pixels: np.ndarray) -> float:
    """Share of pixels that differ from the background (anti-aliased edges count as half-ish)."""
    return float((np.abs(pixels.astype(int) - BACKGROUND_RGB).sum(axis=2) > 6).mean())


def mesh_file(mesh: trimesh.Trimesh, file_type: str) -> bytes:
    exported = mesh.export(file_type=file_type)
    return exported.encode() if isinstance(exported, str) else exported


@pytest.mark.parametrize("file_type", ["stl", "3mf", "obj"])
def test_cube_preview_is_a_png_of_the_requested_size_showing_three_faces(file_type):
    cube = mesh_file(trimesh.creation.box((20, 20, 20)), file_type)

    pixels = decoded(render_mesh_thumbnail(cube, file_type=file_type))

    assert pixels.shape == (512, 512, 3)
    assert tuple(pixels[0, 0]) == BACKGROUND_RGB
    assert tuple(pixels[-1, -1]) == BACKGROUND_RGB
    # A cube seen from three-quarters above fills a hexagon: about half of a square frame.
    assert 0.4 < object_share(pixels) < 0.7
    # Top, front and side are lit differently: three large areas of distinct colour.
    colours, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)
    large_areas = {
        tuple(int(channel) for channel in colour)
        for colour, count in zip(colours, counts, strict=True)
        if count > 0.05 * 512 * 512
    }
    assert len(large_areas - {BACKGROUND_RGB}) == 3


def test_sphere_silhouette_is_a_disc_filling_the_frame():
    # A sphere's outline is a circle from every direction, so its area is known exactly.
    sphere = trimesh.creation.icosphere(subdivisions=5, radius=7)

    pixels = decoded(render_trimesh_thumbnail(sphere, size=(300, 300)))

    assert object_share(pixels) == pytest.approx(math.pi * (FILL / 2) ** 2, abs=0.01)
    rows, columns = np.nonzero(np.abs(pixels.astype(int) - BACKGROUND_RGB).sum(axis=2) > 6)
    assert rows.mean() == pytest.approx(150, abs=1)
    assert columns.mean() == pytest.approx(150, abs=1)


def test_preview_of_a_wide_mesh_fits_a_wide_frame():
    plank = trimesh.creation.box((200, 20, 5))

    pixels = decoded(render_trimesh_thumbnail(plank, size=(640, 200)))

    assert pixels.shape == (200, 640, 3)
    assert tuple(pixels[0, 0]) == BACKGROUND_RGB
    assert object_share(pixels) > 0.1


@pytest.mark.parametrize("file_type", ["stl", "3mf", "obj"])
def test_file_type_is_guessed_from_content(file_type):
    data = mesh_file(trimesh.creation.box((10, 20, 30)), file_type)

    pixels = decoded(render_mesh_thumbnail(data, size=(64, 64)))

    assert object_share(pixels) > 0.2


def test_open_mesh_with_inverted_faces_still_renders():
    box = trimesh.creation.box((10, 10, 10))
    open_box = trimesh.Trimesh(box.vertices, box.faces[2:][:, ::-1], process=False)

    pixels = decoded(render_trimesh_thumbnail(open_box, size=(128, 128)))

    assert 0.3 < object_share(pixels) < 0.8


def binary_stl(triangles: np.ndarray, declared_count: int | None = None) -> bytes:
    count = len(triangles) if declared_count is None else declared_count
    body = b"".join(
        struct.pack("<12fH", 0, 0, 0, *triangle.reshape(-1), 0) for triangle in triangles
    )
    return b"\0" * 80 + struct.pack("<I", count) + body


@pytest.mark.parametrize(
    ("data", "file_type", "reason"),
    [
        (b"\x00\x01garbage" * 40, "stl", "the stl file is truncated"),
        (b"solid nothing\nfacet normal x\n", "stl", "the stl file holds no triangles"),
        (
            binary_stl(np.ones((4, 3, 3)), declared_count=9),
            "stl",
            "declares 9 triangles and holds 4",
        ),
        (binary_stl(np.full((1, 3, 3), np.nan)), "stl", "not finite numbers"),
        (binary_stl(np.ones((2, 3, 3))), "stl", "all its vertices are one point"),
        (b"# an empty obj\n", "obj", "the obj file holds no triangles"),
        (b"v 0 0 0\nv 1 0 0\nf 1 2 7\n", "obj", "the obj file cannot be read"),
        (b"PK\x03\x04 not really a zip", "3mf", "the 3mf file cannot be read"),
        (b"solid cube\nendsolid\n", "step", "cannot preview 'step' files"),
    ],
)
def test_malformed_mesh_raises_thumbnail_error_with_the_reason(data, file_type, reason):
    with pytest.raises(ThumbnailError, match=reason):
        render_mesh_thumbnail(data, file_type=file_type)


def test_3mf_without_a_model_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "no model here")

    with pytest.raises(ThumbnailError, match="3mf"):
        render_mesh_thumbnail(buffer.getvalue(), file_type="3mf")


def test_unreasonable_size_is_refused():
    with pytest.raises(ThumbnailError, match="size: 8x8000 is outside"):
        render_trimesh_thumbnail(trimesh.creation.box(), size=(8, 8000))


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def test_image_thumbnail_fits_the_box_and_keeps_the_aspect_ratio():
    photo = encoded(Image.new("RGB", (2000, 1000), (200, 30, 30)), "JPEG")

    pixels = decoded(resize_image_thumbnail(photo, (512, 512)))

    assert pixels.shape == (256, 512, 3)
    assert np.abs(pixels[128, 256].astype(int) - (200, 30, 30)).max() <= 3


def test_image_thumbnail_turns_the_picture_upright_from_exif():
    sideways = Image.new("RGB", (300, 100), (10, 120, 10))
    exif = sideways.getexif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to view

    pixels = decoded(resize_image_thumbnail(encoded(sideways, "JPEG", exif=exif), (128, 128)))

    assert pixels.shape == (128, 42, 3) or pixels.shape == (128, 43, 3)


def test_image_thumbnail_keeps_transparency():
    logo = Image.new("RGBA", (100, 100), (0, 0, 0, 0))

    png = resize_image_thumbnail(encoded(logo, "PNG"), (50, 50))

    with Image.open(io.BytesIO(png)) as thumbnail:
        assert (thumbnail.mode, thumbnail.size) == ("RGBA", (50, 50))
        assert thumbnail.getpixel((25, 25))[3] == 0


def test_small_image_is_not_enlarged():
    icon = encoded(Image.new("RGB", (40, 30), "white"), "PNG")

    assert decoded(resize_image_thumbnail(icon, (512, 512))).shape == (30, 40, 3)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not an image at all", "cannot be read"),
        (encoded(Image.new("RGB", (400, 400), "blue"), "JPEG")[:300], "damaged"),
    ],
)
def test_unreadable_image_raises_thumbnail_error(data, reason):
    with pytest.raises(ThumbnailError, match=reason):
        resize_image_thumbnail(data, (128, 128))


def test_decompression_bomb_is_refused(monkeypatch):
    big = encoded(Image.new("L", (1000, 1000)), "PNG")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 600_000)  # warns from 0.6 Mpx, fails at 1.2

    with pytest.raises(ThumbnailError, match="too large"):
        resize_image_thumbnail(big, (128, 128))
