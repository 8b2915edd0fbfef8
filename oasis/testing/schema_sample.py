"""Draw a JSON value that conforms to a JSON schema (the subset that the action schema uses)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

WORDS = ("news", "climate", "vote", "music", "science", "market", "game", "city", "health", "art")


def sample(schema: Mapping[str, Any], rng: np.random.Generator) -> Any:
    """A value valid under ``schema``.

    Supports anyOf/oneOf, enum/const, objects, arrays, strings (``maxLength``), integers,
    numbers and booleans; an object's optional properties are left out.
    """
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return sample(schema[key][int(rng.integers(len(schema[key])))], rng)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][int(rng.integers(len(schema["enum"])))]
    return _SAMPLERS.get(schema.get("type", "object"), _sample_null)(schema, rng)


def _sample_object(schema: Mapping[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    props = schema.get("properties", {})
    return {name: sample(props.get(name, {}), rng) for name in schema.get("required", [])}


def _sample_array(schema: Mapping[str, Any], rng: np.random.Generator) -> list[Any]:
    low = int(schema.get("minItems", 0))
    high = int(schema.get("maxItems", low + 3))
    return [sample(schema.get("items", {}), rng) for _ in range(int(rng.integers(low, high + 1)))]


def _sample_string(schema: Mapping[str, Any], rng: np.random.Generator) -> str:
    text = " ".join(WORDS[int(i)] for i in rng.integers(len(WORDS), size=int(rng.integers(1, 5))))
    return text[: schema.get("maxLength", len(text))]


def _sample_integer(schema: Mapping[str, Any], rng: np.random.Generator) -> int:
    return int(rng.integers(int(schema.get("minimum", 1)), int(schema.get("maximum", 20)) + 1))


def _sample_number(schema: Mapping[str, Any], rng: np.random.Generator) -> float:
    return float(rng.random())


def _sample_boolean(schema: Mapping[str, Any], rng: np.random.Generator) -> bool:
    return bool(rng.integers(2))


def _sample_null(schema: Mapping[str, Any], rng: np.random.Generator) -> None:
    return None


_SAMPLERS = {
    "object": _sample_object,
    "array": _sample_array,
    "string": _sample_string,
    "integer": _sample_integer,
    "number": _sample_number,
    "boolean": _sample_boolean,
}
