"""Where generators are found: the built-ins plus the `fabflow.generators` entry point group.

A plugin package declares, in its pyproject.toml:

    [project.entry-points."fabflow.generators"]
    vase = "acme_vases:Vase"

The entry point names a `Generator` class (instantiated without arguments) or instance. Loading
is lazy and cached: nothing is imported until the first lookup, so a broken plugin cannot stop
the application from starting, only the lookup that needs it.
"""

import functools
import logging
from importlib.metadata import entry_points

from fabflow.errors import InvalidInput
from fabflow.generators.base import Generator

ENTRY_POINT_GROUP = "fabflow.generators"

logger = logging.getLogger(__name__)


class UnknownGenerator(InvalidInput):
    """No generator is registered under this key."""

    def __init__(self, key: str):
        super().__init__(f"generator: no generator is registered as {key!r}", field=("generator",))
        self.key = key


def get_generator(key: str) -> Generator:
    """Return the generator registered as `key`, or raise UnknownGenerator."""
    try:
        return _generators_by_key()[key]
    except KeyError:
        raise UnknownGenerator(key) from None


def available_generators() -> list[Generator]:
    """Return every registered generator, sorted by key."""
    return sorted(_generators_by_key().values(), key=lambda generator: generator.key)


def clear_generator_cache() -> None:
    """Forget loaded generators, so newly installed plugins are found (tests, reloads)."""
    _generators_by_key.cache_clear()


@functools.cache
def _generators_by_key() -> dict[str, Generator]:
    generators = {generator.key: generator for generator in _built_in_generators()}
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            generator = _as_generator(entry_point.load())
        except Exception:
            # One faulty plugin must not hide every other generator; the log says which.
            logger.exception("cannot load generator entry point %r", entry_point.value)
            continue
        if generator.key in generators:
            logger.warning(
                "generator key %r from %r is already registered; keeping the first",
                generator.key,
                entry_point.value,
            )
            continue
        generators[generator.key] = generator
    return generators


def _built_in_generators() -> list[Generator]:
    # Imported on first lookup, like the plugins, so that importing the registry builds nothing.
    from fabflow.generators.box import BoxWithLid
    from fabflow.generators.ring import Ring

    return [Ring(), BoxWithLid()]


def _as_generator(loaded: object) -> Generator:
    generator = loaded() if isinstance(loaded, type) else loaded
    if not isinstance(generator, Generator):
        raise TypeError(f"{loaded!r} does not implement the Generator protocol")
    return generator
