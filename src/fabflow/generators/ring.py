"""A finger ring (band) revolved from its cross-section with manifold3d.

`size` is the inner diameter in millimetres, measured where the band is narrowest: national ring
sizes (US, UK, EU, JP) differ and all map to an inner diameter, so the storefront converts and
the generator stays unambiguous. The outer diameter is `size + 2 * thickness`, the height is
`width`.
"""

import math
from typing import Literal

import manifold3d
import numpy as np
import pydantic

from fabflow.generators.base import GeneratedMesh, GeneratorParameters
from fabflow.generators.meshes import to_trimesh

# Largest distance between a true circle and its polygon (radius), so diameters stay within half
# the 0.01 mm we promise, far below what a printer resolves.
CHORD_TOLERANCE_MM = 0.0025
# The domes' arcs set no dimension (their apex is an exact vertex), only smoothness: 0.01 mm is
# still finer than any printer's layer and keeps a court ring near 6,000 triangles, not 12,000.
PROFILE_TOLERANCE_MM = 0.01

# How far a domed surface rises, as a share of the band's thickness: enough to feel round while
# leaving a printable edge where two domes meet (court profile).
OUTER_DOME_SHARE = 0.4
INNER_DOME_SHARE = 0.3

RingProfile = Literal["flat", "dome", "comfort", "court"]


class RingParameters(GeneratorParameters):
    """A band: `size` is the inner diameter (mm); the profile shapes its cross-section.

    Profiles: `flat` (flat inside and out), `dome` (rounded outside, flat inside), `comfort`
    (flat outside, rounded inside) and `court` (rounded inside and out).
    """

    size: float = pydantic.Field(ge=10, le=40, description="Inner diameter in mm")
    width: float = pydantic.Field(ge=1, le=30, description="Band width (height along the finger)")
    thickness: float = pydantic.Field(ge=0.8, le=10, description="Radial wall thickness in mm")
    profile: RingProfile = "flat"


class Ring:
    """Finger ring generator: one part, lying flat on the build plate."""

    key = "ring"
    name = "Ring"
    description = "A finger ring with a flat, dome, comfort or court profile."
    Parameters = RingParameters

    def generate(self, parameters: RingParameters) -> list[GeneratedMesh]:
        """Revolve the profile into a watertight band centred on the Z axis, base at z = 0."""
        outer_radius = parameters.size / 2 + parameters.thickness
        cross_section = manifold3d.CrossSection([_profile_outline(parameters)])
        band = manifold3d.Manifold.revolve(cross_section, _circular_segments(outer_radius))
        return [GeneratedMesh(name="ring", mesh=to_trimesh(band))]


def _profile_outline(parameters: RingParameters) -> np.ndarray:
    """Counter-clockwise (radius, height) outline of the band's cross-section."""
    inner = parameters.size / 2
    outer = inner + parameters.thickness
    width = parameters.width
    is_outer_domed = parameters.profile in {"dome", "court"}
    is_inner_domed = parameters.profile in {"comfort", "court"}
    outer_rise = OUTER_DOME_SHARE * parameters.thickness if is_outer_domed else 0.0
    inner_rise = INNER_DOME_SHARE * parameters.thickness if is_inner_domed else 0.0

    # Outer side goes up (z from 0 to width), inner side comes back down: counter-clockwise.
    outer_heights, outer_setback = _arc(width, outer_rise)
    inner_heights, inner_setback = _arc(width, inner_rise)
    outer_side = np.column_stack([outer - outer_setback, outer_heights])
    inner_side = np.column_stack([inner + inner_setback, inner_heights])[::-1]
    return np.vstack([outer_side, inner_side])


def _arc(chord: float, rise: float) -> tuple[np.ndarray, np.ndarray]:
    """Heights along a chord from 0 to `chord`, and how far a circular arc of `rise` sets back.

    The setback is 0 at mid-chord (the apex, which sets the diameter exactly) and `rise` at both
    ends. A rise of 0 gives a straight side.
    """
    # A rise above half the chord would no longer be a function of height.
    rise = min(rise, chord / 2 * 0.999)
    if rise <= 0:
        return np.array([0.0, chord]), np.zeros(2)
    radius = (chord**2 / 4 + rise**2) / (2 * rise)
    half_angle = math.asin(chord / 2 / radius)
    step = 2 * math.acos(1 - PROFILE_TOLERANCE_MM / radius)
    # An odd count puts a vertex exactly on the apex.
    count = 2 * math.ceil(half_angle / step) + 1
    angles = np.linspace(-half_angle, half_angle, count)
    heights = chord / 2 + radius * np.sin(angles)
    heights[0], heights[-1] = 0.0, chord  # exact ends despite rounding
    return heights, radius * (1 - np.cos(angles))


def _circular_segments(radius: float) -> int:
    """Segments around the axis keeping the polygon within CHORD_TOLERANCE_MM of the circle.

    A multiple of four puts vertices on the X and Y axes, so the bounding box is exactly the
    outer diameter.
    """
    step = 2 * math.acos(1 - CHORD_TOLERANCE_MM / radius)
    return 4 * math.ceil(2 * math.pi / step / 4)
