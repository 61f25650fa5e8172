"""What every parametric generator provides, and how a configuration is checked against it.

A generator turns a product configuration (the JSON a customer or the API supplies) into one or
more meshes in millimetres, ready to print. Third-party packages add generators through the
`fabflow.generators` entry point group (see `registry.py`); they implement the `Generator`
protocol below and declare their parameters as a `GeneratorParameters` pydantic model.
"""

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import pydantic
import trimesh
from pydantic.alias_generators import to_camel

from fabflow.errors import InvalidInput


class GeneratorParameters(pydantic.BaseModel):
    """Base of a generator's parameter model: lengths in millimetres, camelCase keys in JSON.

    Subclasses declare fields with bounds (`Field(ge=..., le=...)`) and override
    `consistency_errors` for rules that involve several parameters at once.
    """

    # Configurations are JSON written by people and programs: unknown keys are typos worth
    # reporting, strict types keep `true` or `"12"` from passing as a length, and NaN or infinity
    # would only fail later inside the geometry kernel.
    model_config = pydantic.ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        strict=True,
        allow_inf_nan=False,
        frozen=True,
        field_title_generator=lambda name, _field: name.replace("_", " ").capitalize(),
    )

    def consistency_errors(self) -> list["ParameterError"]:
        """Return the rules broken by a combination of parameters (none by default)."""
        return []


@dataclass(frozen=True)
class ParameterError:
    """One parameter at fault, named as in the configuration (camelCase)."""

    parameter: str
    message: str

    def __str__(self) -> str:
        return f"{self.parameter}: {self.message}"


class InvalidConfiguration(InvalidInput):
    """A configuration a generator cannot build; the message names each parameter at fault."""

    def __init__(self, errors: list[ParameterError]):
        self.errors = errors
        super().__init__(
            "; ".join(str(error) for error in errors),
            field=("configuration", errors[0].parameter) if errors else ("configuration",),
        )


@dataclass(frozen=True)
class GeneratedMesh:
    """One printable part of a product: a watertight mesh in millimetres, Z up."""

    name: str
    mesh: trimesh.Trimesh


@runtime_checkable
class Generator(Protocol):
    """A parametric product: stable `key` (stored in products), display `name`, parameter model."""

    key: str
    name: str
    description: str
    Parameters: ClassVar[type[GeneratorParameters]]

    def generate(self, parameters: GeneratorParameters) -> list[GeneratedMesh]:
        """Build the product's parts from already validated parameters."""
        ...


def validate_configuration(
    generator: Generator, configuration: dict[str, Any]
) -> GeneratorParameters:
    """Return the generator's parameters built from `configuration`, or raise InvalidConfiguration.

    Every error message starts with the parameter's configuration key, e.g. "size: field required".
    """
    if not isinstance(configuration, dict):
        raise InvalidConfiguration([ParameterError("configuration", "must be an object")])
    try:
        parameters = generator.Parameters.model_validate(configuration)
    except pydantic.ValidationError as error:
        raise InvalidConfiguration(
            [_parameter_error(detail) for detail in error.errors(include_url=False)]
        ) from None
    if errors := parameters.consistency_errors():
        raise InvalidConfiguration(errors)
    return parameters


def generate_meshes(generator: Generator, configuration: dict[str, Any]) -> list[GeneratedMesh]:
    """Validate `configuration` and build the product's meshes in one call."""
    return generator.generate(validate_configuration(generator, configuration))


def parameter_schema(generator: Generator) -> dict[str, Any]:
    """Return the JSON Schema of the generator's parameters, with configuration (camelCase) keys."""
    return generator.Parameters.model_json_schema(by_alias=True)


def _parameter_error(detail: Any) -> ParameterError:
    parameter = ".".join(str(part) for part in detail["loc"]) or "configuration"
    return ParameterError(parameter, _readable_message(detail))


def _readable_message(detail: Any) -> str:
    kind = detail["type"]
    context = detail.get("ctx", {})
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown parameter"
    if kind in {"float_type", "float_parsing", "finite_number"}:
        return "must be a number"
    if kind in {"int_type", "int_parsing", "int_from_float"}:
        return "must be a whole number"
    if kind == "greater_than_equal":
        return f"must be at least {_number(context['ge'])}"
    if kind == "greater_than":
        return f"must be more than {_number(context['gt'])}"
    if kind == "less_than_equal":
        return f"must be at most {_number(context['le'])}"
    if kind == "less_than":
        return f"must be less than {_number(context['lt'])}"
    if kind in {"literal_error", "enum"}:
        return f"must be one of {context['expected']}"
    return str(detail["msg"]).lower()


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, int | float) else str(value)
