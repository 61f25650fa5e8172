"""Serialise a mesh to the file formats printers and slicers take: binary STL, 3MF and OBJ.

All three carry millimetres: STL and OBJ have no unit (slicers assume mm), 3MF declares
`unit="millimeter"`.
"""

from dataclasses import dataclass
from enum import StrEnum

import trimesh

from fabflow.errors import InvalidInput


class MeshFormat(StrEnum):
    """Mesh file formats we write."""

    STL = "stl"  # binary STL: smallest plain format, read by every slicer
    THREE_MF = "3mf"  # zipped XML with units and object names; the modern slicer format
    OBJ = "obj"  # text, for viewers and modelling tools rather than printers


CONTENT_TYPES = {
    MeshFormat.STL: "model/stl",
    MeshFormat.THREE_MF: "model/3mf",
    MeshFormat.OBJ: "model/obj",
}


class UnsupportedFormat(InvalidInput):
    """The requested mesh format is not one we write."""

    def __init__(self, file_format: str):
        choices = ", ".join(repr(str(choice)) for choice in MeshFormat)
        super().__init__(
            f"format: must be one of {choices}, not {file_format!r}", field=("format",)
        )


@dataclass(frozen=True)
class ExportedFile:
    """A mesh serialised to one format, ready to store or send."""

    content: bytes
    content_type: str
    extension: str  # without the dot, e.g. "stl"


def export_mesh(mesh: trimesh.Trimesh, file_format: str, *, name: str = "part") -> ExportedFile:
    """Serialise `mesh` to `file_format` ("stl", "3mf" or "obj"); `name` labels the 3MF object."""
    try:
        mesh_format = MeshFormat(file_format.lower())
    except ValueError:
        raise UnsupportedFormat(file_format) from None
    if mesh_format is MeshFormat.THREE_MF:
        # A named scene geometry becomes the object's name that slicers show.
        content = trimesh.Scene({name: mesh}).export(file_type="3mf")
    else:
        content = mesh.export(file_type=str(mesh_format))
    if isinstance(content, str):
        content = content.encode()
    return ExportedFile(
        content=content, content_type=CONTENT_TYPES[mesh_format], extension=str(mesh_format)
    )
