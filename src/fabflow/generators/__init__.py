"""Parametric generators: a product configuration in, print-ready meshes out.

Use `get_generator(key)` and `generate_meshes(generator, configuration)`; export the meshes with
`fabflow.generators.export.export_mesh`.
"""

from fabflow.generators.base import (
    GeneratedMesh,
    Generator,
    GeneratorParameters,
    InvalidConfiguration,
    ParameterError,
    generate_meshes,
    parameter_schema,
    validate_configuration,
)
from fabflow.generators.registry import (
    UnknownGenerator,
    available_generators,
    get_generator,
)

__all__ = [
    "GeneratedMesh",
    "Generator",
    "GeneratorParameters",
    "InvalidConfiguration",
    "ParameterError",
    "UnknownGenerator",
    "available_generators",
    "generate_meshes",
    "get_generator",
    "parameter_schema",
    "validate_configuration",
]
