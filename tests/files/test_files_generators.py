"""Parametric generators: dimensions, watertightness, export round trips, configuration errors."""

import io
import subprocess
import sys
import textwrap
from dataclasses import dataclass

import numpy as np
import pytest
import trimesh
from trimesh import intersections

from fabflow.generators import (
    GeneratedMesh,
    GeneratorParameters,
    InvalidConfiguration,
    UnknownGenerator,
    available_generators,
    generate_meshes,
    get_generator,
    parameter_schema,
    registry,
    validate_configuration,
)
from fabflow.generators.export import UnsupportedFormat, export_mesh

TOLERANCE_MM = 0.01


@pytest.fixture(autouse=True)
def fresh_generator_registry():
    registry.clear_generator_cache()
    yield
    registry.clear_generator_cache()


def diameters_in_plane(mesh: trimesh.Trimesh, height: float) -> tuple[float, float]:
    """Smallest and largest diameter of the mesh's cross-section at `height`, about the Z axis."""
    segments = intersections.mesh_plane(mesh, [0, 0, 1], [0, 0, height])[:, :, :2]
    start, direction = segments[:, 0], segments[:, 1] - segments[:, 0]
    along = np.clip(-(start * direction).sum(1) / (direction * direction).sum(1), 0, 1)
    nearest = np.linalg.norm(start + along[:, None] * direction, axis=1).min()
    farthest = np.linalg.norm(segments.reshape(-1, 2), axis=1).max()
    return 2 * nearest, 2 * farthest


@pytest.mark.parametrize("profile", ["flat", "dome", "comfort", "court"])
@pytest.mark.parametrize(("size", "width", "thickness"), [(18.0, 6.0, 2.0), (23.5, 3.0, 1.2)])
def test_ring_is_watertight_with_the_configured_dimensions(profile, size, width, thickness):
    configuration = {"size": size, "width": width, "thickness": thickness, "profile": profile}

    [part] = generate_meshes(get_generator("ring"), configuration)

    assert part.name == "ring"
    assert part.mesh.is_watertight
    assert part.mesh.is_volume
    outer = size + 2 * thickness
    np.testing.assert_allclose(part.mesh.extents, [outer, outer, width], atol=TOLERANCE_MM)
    # Ring sizes are the inner diameter where the band is narrowest: mid-width for every profile.
    inner_diameter, outer_diameter = diameters_in_plane(part.mesh, width / 2)
    assert inner_diameter == pytest.approx(size, abs=TOLERANCE_MM)
    assert outer_diameter == pytest.approx(outer, abs=TOLERANCE_MM)


def test_ring_profiles_round_the_sides_they_name():
    ring = get_generator("ring")
    edge_diameters = {}
    for profile in ["flat", "dome", "comfort", "court"]:
        configuration = {"size": 18.0, "width": 6.0, "thickness": 2.0, "profile": profile}
        [part] = generate_meshes(ring, configuration)
        edge_diameters[profile] = diameters_in_plane(part.mesh, 0.01)

    flat_inner, flat_outer = edge_diameters["flat"]
    assert edge_diameters["dome"][0] == pytest.approx(flat_inner, abs=TOLERANCE_MM)
    assert edge_diameters["dome"][1] < flat_outer - 1
    assert edge_diameters["comfort"][0] > flat_inner + 1
    assert edge_diameters["comfort"][1] == pytest.approx(flat_outer, abs=TOLERANCE_MM)
    assert edge_diameters["court"][0] > flat_inner + 1
    assert edge_diameters["court"][1] < flat_outer - 1


def test_box_and_lid_are_watertight_with_the_configured_dimensions():
    configuration = {"width": 60, "depth": 40.5, "height": 30, "wall": 2, "lidHeight": 6}

    box, lid = generate_meshes(get_generator("box"), configuration)

    assert (box.name, lid.name) == ("box", "lid")
    assert box.mesh.is_watertight and box.mesh.is_volume
    assert lid.mesh.is_watertight and lid.mesh.is_volume
    np.testing.assert_allclose(box.mesh.extents, [60, 40.5, 24], atol=TOLERANCE_MM)
    # The lid part adds the default 3 mm lip below its 6 mm shell.
    np.testing.assert_allclose(lid.mesh.extents, [60, 40.5, 9], atol=TOLERANCE_MM)
    expected_body_volume = 60 * 40.5 * 24 - (60 - 4) * (40.5 - 4) * (24 - 2)
    assert box.mesh.volume == pytest.approx(expected_body_volume, abs=0.01)


def test_lid_lip_fits_inside_the_box_with_the_clearance():
    configuration = {"width": 50, "depth": 50, "height": 20, "wall": 2, "clearance": 0.3}

    _box, lid = generate_meshes(get_generator("box"), configuration)

    lip_height = 3
    lip_slice = intersections.mesh_plane(lid.mesh, [0, 0, 1], [0, 0, 5 + lip_height / 2])
    lip_half_width = np.abs(lip_slice[:, :, 0]).max()
    box_opening_half_width = 50 / 2 - 2
    assert lip_half_width == pytest.approx(box_opening_half_width - 0.3, abs=1e-6)


@pytest.mark.parametrize("file_format", ["stl", "3mf", "obj"])
@pytest.mark.parametrize(
    ("key", "configuration"),
    [
        ("ring", {"size": 19.8, "width": 5, "thickness": 1.8, "profile": "court"}),
        ("box", {"width": 80, "depth": 30, "height": 25}),
    ],
)
def test_every_part_round_trips_through_each_format(key, configuration, file_format):
    for part in generate_meshes(get_generator(key), configuration):
        exported = export_mesh(part.mesh, file_format, name=part.name)

        loaded = trimesh.load_mesh(io.BytesIO(exported.content), file_type=exported.extension)

        assert exported.extension == file_format
        assert exported.content_type == f"model/{file_format}"
        assert loaded.is_watertight
        assert len(loaded.faces) == len(part.mesh.faces)
        np.testing.assert_allclose(loaded.bounds, part.mesh.bounds, atol=TOLERANCE_MM)


def test_3mf_declares_millimetres_and_names_the_part():
    [part] = generate_meshes(get_generator("ring"), {"size": 18, "width": 4, "thickness": 2})

    exported = export_mesh(part.mesh, "3mf", name="ring")

    with trimesh.util.zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        model = archive.read("3D/3dmodel.model").decode()
    assert 'unit="millimeter"' in model
    assert 'name="ring"' in model


def test_unsupported_export_format_names_the_choices():
    with pytest.raises(UnsupportedFormat, match=r"format: must be one of 'stl', '3mf', 'obj'"):
        export_mesh(trimesh.creation.box(), "step")


@pytest.mark.parametrize(
    ("key", "configuration", "message"),
    [
        ("ring", {"width": 5, "thickness": 2}, "size: field required"),
        ("ring", {"size": 18, "width": "wide", "thickness": 2}, "width: must be a number"),
        ("ring", {"size": 18, "width": "5", "thickness": 2}, "width: must be a number"),
        ("ring", {"size": 18, "width": True, "thickness": 2}, "width: must be a number"),
        ("ring", {"size": 18, "width": float("nan"), "thickness": 2}, "width: must be a number"),
        ("ring", {"size": 5, "width": 5, "thickness": 2}, "size: must be at least 10"),
        ("ring", {"size": 18, "width": 5, "thickness": 12}, "thickness: must be at most 10"),
        (
            "ring",
            {"size": 18, "width": 5, "thickness": 2, "profile": "round"},
            "profile: must be one of 'flat', 'dome', 'comfort' or 'court'",
        ),
        ("ring", {"size": 18, "width": 5, "thickness": 2, "colour": "red"}, "colour: unknown"),
        ("box", {"width": 60, "depth": 40}, "height: field required"),
        ("box", {"width": 60, "depth": 40, "height": 30, "lidHeight": "x"}, "lidHeight: must be"),
        ("box", {"width": 12, "depth": 40, "height": 30, "wall": 3}, "wall: is too thick"),
        ("box", {"width": 60, "depth": 40, "height": 30, "lidHeight": 1}, "lidHeight: must be at"),
        ("box", {"width": 60, "depth": 40, "height": 8, "lidHeight": 4}, "height: leaves no room"),
    ],
)
def test_invalid_configuration_names_the_parameter(key, configuration, message):
    with pytest.raises(InvalidConfiguration) as raised:
        validate_configuration(get_generator(key), configuration)

    assert message in str(raised.value)
    assert raised.value.field == ("configuration", message.split(":")[0])


def test_every_missing_parameter_is_reported_at_once():
    with pytest.raises(InvalidConfiguration) as raised:
        validate_configuration(get_generator("ring"), {})

    assert str(raised.value) == (
        "size: field required; width: field required; thickness: field required"
    )
    assert [error.parameter for error in raised.value.errors] == ["size", "width", "thickness"]


def test_configuration_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidConfiguration, match="configuration: must be an object"):
        validate_configuration(get_generator("ring"), [18, 5, 2])


def test_parameter_schema_uses_configuration_keys_and_bounds():
    schema = parameter_schema(get_generator("box"))

    assert schema["required"] == ["width", "depth", "height"]
    assert schema["properties"]["lidHeight"]["minimum"] == 0.8
    assert schema["properties"]["lidHeight"]["title"] == "Lid height"
    assert schema["additionalProperties"] is False


def test_unknown_generator_is_a_typed_error():
    with pytest.raises(UnknownGenerator, match="no generator is registered as 'vase'"):
        get_generator("vase")


class VaseParameters(GeneratorParameters):
    height: float


class Vase:
    key = "vase"
    name = "Vase"
    description = "A plugin generator."
    Parameters = VaseParameters

    def generate(self, parameters: VaseParameters) -> list[GeneratedMesh]:
        return [
            GeneratedMesh("vase", trimesh.creation.cylinder(radius=10, height=parameters.height))
        ]


@dataclass
class FakeEntryPoint:
    value: str
    loaded: object

    def load(self):
        if isinstance(self.loaded, Exception):
            raise self.loaded
        return self.loaded


def test_entry_point_generators_join_the_built_ins(monkeypatch, caplog):
    plugins = [
        FakeEntryPoint("acme_vases:Vase", Vase),
        FakeEntryPoint("broken_plugin:Thing", ImportError("no module named broken_plugin")),
        FakeEntryPoint("acme_rings:Ring", Vase()),  # a second "vase": the first one wins
        FakeEntryPoint("acme:not_a_generator", object()),
    ]
    requested_groups = []

    def fake_entry_points(*, group):
        requested_groups.append(group)
        return plugins

    monkeypatch.setattr(registry, "entry_points", fake_entry_points)

    keys = [generator.key for generator in available_generators()]
    [vase] = generate_meshes(get_generator("vase"), {"height": 30})

    assert keys == ["box", "ring", "vase"]
    assert requested_groups == ["fabflow.generators"]  # loaded once, then cached
    assert vase.mesh.extents[2] == pytest.approx(30)
    assert "cannot load generator entry point 'broken_plugin:Thing'" in caplog.text
    assert "'vase' from 'acme_rings:Ring' is already registered" in caplog.text
    assert "cannot load generator entry point 'acme:not_a_generator'" in caplog.text


def test_importing_the_generators_loads_no_generator():
    probe = textwrap.dedent(
        """
        import sys
        import importlib.metadata
        read_entry_points = importlib.metadata.entry_points
        def refuse_generator_plugins(**selection):
            assert selection.get("group") != "fabflow.generators", "plugins read at import time"
            return read_entry_points(**selection)
        importlib.metadata.entry_points = refuse_generator_plugins
        import fabflow.generators
        print(sorted(name for name in sys.modules if name.endswith((".ring", ".box"))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
