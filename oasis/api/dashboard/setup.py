"""The set-up page's JSON: the experiment file's schema, and a check of an experiment as typed.

The page builds an experiment from the same pydantic models the command line validates with
(their JSON Schema, every field's description as help), and shows for what is typed the very
line ``oasis run experiment.yaml`` would print, and the file's YAML.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from oasis.config import ExperimentConfig, experiment_yaml, validate_experiment
from oasis.errors import OasisError, error_line

FILE_NAME = "experiment.yaml"  # the name the page downloads the file as, and errors name

router = APIRouter(prefix="/dashboard/setup", tags=["dashboard"])


class SetupCheckOut(BaseModel):
    """An experiment as typed: its YAML, and the command line's error for it (null if valid)."""

    error: str | None
    yaml: str


@router.get("/schema")
def schema() -> dict[str, Any]:
    """The experiment file's JSON Schema (``ExperimentConfig``'s), descriptions included."""
    return ExperimentConfig.model_json_schema()


@router.post("/check", response_model=SetupCheckOut)
def check(experiment: dict[str, Any]) -> SetupCheckOut:
    """Validate an experiment's keys as ``oasis run experiment.yaml`` would."""
    try:
        validate_experiment(experiment, FILE_NAME)
    except OasisError as exc:
        return SetupCheckOut(error=error_line(exc), yaml=experiment_yaml(experiment))
    return SetupCheckOut(error=None, yaml=experiment_yaml(experiment))
