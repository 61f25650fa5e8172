"""Conversions between the geometry kernel (manifold3d) and the mesh type we pass around (trimesh)."""

import manifold3d
import trimesh


class GeometryError(RuntimeError):
    """The geometry kernel produced no valid solid: a bug in a generator, not a user error."""


def to_trimesh(solid: manifold3d.Manifold) -> trimesh.Trimesh:
    """Return `solid` as a trimesh, refusing an empty or invalid result."""
    if solid.status() != manifold3d.Error.NoError:
        raise GeometryError(f"manifold3d reported {solid.status()}")
    if solid.is_empty():
        raise GeometryError("the solid is empty")
    mesh = solid.to_mesh64()
    # manifold3d's output is already merged and consistently wound; processing would only cost
    # time and could merge vertices that the kernel kept apart on purpose.
    return trimesh.Trimesh(
        vertices=mesh.vert_properties[:, :3], faces=mesh.tri_verts, process=False
    )


def box_solid(
    width: float, depth: float, height: float, *, bottom: float = 0.0
) -> manifold3d.Manifold:
    """Axis-aligned cuboid centred on the Z axis, spanning z from `bottom` to `bottom + height`."""
    return manifold3d.Manifold.cube([width, depth, height], center=True).translate(
        [0.0, 0.0, bottom + height / 2]
    )
