"""A rectangular box with a push-fit lid, as two parts placed for printing.

Closed, the box measures `width` x `depth` x `height`: the body is `height - lidHeight` tall and
the lid `lidHeight`, both with `wall` thick sides and floor/top. A lip under the lid, `lipHeight`
tall and `clearance` smaller than the body's opening on every side, keeps the lid in place; it
makes the lid part `lidHeight + lipHeight` tall. The lid is placed top-down, as it prints best.
"""

import manifold3d
import pydantic

from fabflow.generators.base import GeneratedMesh, GeneratorParameters, ParameterError
from fabflow.generators.meshes import box_solid, to_trimesh

# Smallest cavity worth printing: below this a slicer merges the walls into a solid block.
MINIMUM_CAVITY_MM = 1.0


class BoxParameters(GeneratorParameters):
    """Outer dimensions of the closed box, wall thickness and lid fit, all in mm."""

    width: float = pydantic.Field(ge=10, le=500, description="Outer size along X")
    depth: float = pydantic.Field(ge=10, le=500, description="Outer size along Y")
    height: float = pydantic.Field(ge=5, le=500, description="Outer height with the lid on")
    wall: float = pydantic.Field(default=2, ge=0.8, le=10, description="Wall, floor, top")
    lid_height: float = pydantic.Field(default=5, ge=0.8, le=100, description="Lid outer height")
    lip_height: float = pydantic.Field(default=3, ge=0, le=50, description="Lip below the lid")
    clearance: float = pydantic.Field(default=0.2, ge=0, le=2, description="Lip gap per side")

    def consistency_errors(self) -> list[ParameterError]:
        """Check the walls leave a cavity and the lid and its lip fit the body."""
        errors = []
        # The lip sits inside the body's wall with its own wall thickness and the clearance.
        lip_inset = 2 * self.wall + self.clearance
        narrowest = min(self.width, self.depth)
        if narrowest - 2 * lip_inset < MINIMUM_CAVITY_MM:
            errors.append(
                ParameterError("wall", f"is too thick for a {narrowest:g} mm wide box with a lid")
            )
        if self.lid_height < self.wall:
            errors.append(ParameterError("lidHeight", f"must be at least the wall ({self.wall:g})"))
        body_height = self.height - self.lid_height
        if body_height - self.wall < max(self.lip_height, MINIMUM_CAVITY_MM):
            errors.append(
                ParameterError("height", "leaves no room below the lid for the cavity and the lip")
            )
        return errors


class BoxWithLid:
    """Box-with-lid generator: two parts, `box` and `lid`."""

    key = "box"
    name = "Box with lid"
    description = "A rectangular box with a push-fit lid."
    Parameters = BoxParameters

    def generate(self, parameters: BoxParameters) -> list[GeneratedMesh]:
        """Return the body (open side up) and the lid (top down), each centred at the origin."""
        return [
            GeneratedMesh(name="box", mesh=to_trimesh(_body(parameters))),
            GeneratedMesh(name="lid", mesh=to_trimesh(_lid(parameters))),
        ]


def _body(parameters: BoxParameters) -> manifold3d.Manifold:
    width, depth, wall = parameters.width, parameters.depth, parameters.wall
    height = parameters.height - parameters.lid_height
    outside = box_solid(width, depth, height)
    # The cavity pokes through the top so the subtraction leaves no zero-thickness skin.
    cavity = box_solid(width - 2 * wall, depth - 2 * wall, height, bottom=wall)
    return outside - cavity


def _lid(parameters: BoxParameters) -> manifold3d.Manifold:
    width, depth, wall = parameters.width, parameters.depth, parameters.wall
    lid_height, lip_height = parameters.lid_height, parameters.lip_height
    outside = box_solid(width, depth, lid_height)
    lip_inset = wall + parameters.clearance
    lip = box_solid(width - 2 * lip_inset, depth - 2 * lip_inset, lid_height + lip_height)
    # The rim and the lip form one solid wall: a clearance-wide slot between them would only
    # collect dirt and weaken the lid.
    hollow_inset = 2 * wall + parameters.clearance
    hollow = box_solid(
        width - 2 * hollow_inset, depth - 2 * hollow_inset, lid_height + lip_height, bottom=wall
    )
    return (outside + lip) - hollow
