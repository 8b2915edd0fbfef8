"""Capacity planning: how long an experiment's LLM calls take on a given number of GPUs.

Pure arithmetic over a small record of inputs, so a researcher can size a cluster before
paying for it. The model: every active agent sends ``requests_per_active_agent`` chat
requests per step; vLLM serves them with continuous batching, so a step costs its total
tokens divided by the cluster's aggregate token throughput, but never less than the time
one request takes to generate its answer at the per-stream decode speed seen under load.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from oasis.errors import OasisError

# OpenAI's rule of thumb for English text with BPE tokenizers (Llama 3's and Qwen's are
# close to it); good to about 15% on our prompts, which is finer than the throughput figures.
CHARS_PER_TOKEN = 4.0

# bf16 weights; the rest of the GPU is left for the KV cache, which is what gives vLLM
# its batch size and therefore its throughput.
BYTES_PER_PARAM = 2
WEIGHT_SHARE_OF_MEMORY = 0.5
MAX_TENSOR_PARALLEL = 8

GPU_MEMORY_GB: dict[str, float] = {"h100": 80.0, "a100": 80.0}


class PlanError(OasisError, ValueError):
    """The plan's inputs are inconsistent, or no figure covers the model and GPU asked for."""


@dataclass(frozen=True, slots=True)
class Throughput:
    """A published vLLM throughput figure for one model size on one GPU kind.

    Attributes:
        gpu: GPU kind, a key of :data:`GPU_MEMORY_GB`.
        params_b: model size in billions of parameters.
        tokens_per_s_per_gpu: prompt plus generated tokens per second one GPU sustains at
            saturation (a tensor-parallel replica's figure divided by its GPU count).
        stream_tokens_per_s: generated tokens per second one request sees at that load.
    """

    gpu: str
    params_b: float
    tokens_per_s_per_gpu: float
    stream_tokens_per_s: float


# Approximations, rounded to the order of magnitude that public benchmarks report for
# vLLM >= 0.6 on ShareGPT-like traffic: vLLM's "v0.6.0: 2.7x throughput improvement" post
# (blog.vllm.ai, Sept 2024; Llama-3-8B on 1xH100, Llama-3-70B on 4xH100) and Lambda's
# vllm-benchmark report (H100 about twice A100). Expect +-50%: prompt-heavy traffic with
# prefix caching (ours) usually does better, long generations worse. Measure your own
# model with `vllm bench serve` and pass a table of your figures for real sizing.
PUBLISHED_THROUGHPUT: tuple[Throughput, ...] = (
    Throughput("h100", 8.0, 12_000.0, 40.0),
    Throughput("h100", 70.0, 1_500.0, 20.0),
    Throughput("a100", 8.0, 6_000.0, 25.0),
    Throughput("a100", 70.0, 750.0, 12.0),
)


@dataclass(frozen=True, slots=True)
class PlanInputs:
    """What the planner needs to know about an experiment and a cluster.

    Attributes:
        n_users: population size.
        activation_probability: mean chance that a user acts in a step.
        steps: number of simulated steps.
        prompt_tokens: mean prompt tokens per request.
        completion_tokens: mean generated tokens per request.
        requests_per_active_agent: chat requests an active agent makes per step, in
            sequence (1 for a single decision call).
        gpus: GPUs available for vLLM servers.
        model_params: model size in parameters (8e9 for an 8B model).
        gpu: GPU kind, a key of :data:`GPU_MEMORY_GB`.
    """

    n_users: int
    activation_probability: float
    steps: int
    prompt_tokens: float
    completion_tokens: float
    requests_per_active_agent: float
    gpus: int
    model_params: float
    gpu: str = "h100"

    def __post_init__(self) -> None:
        if not 0.0 <= self.activation_probability <= 1.0:
            raise PlanError(f"activation_probability {self.activation_probability} not in [0, 1]")
        if min(self.n_users, self.steps, self.prompt_tokens, self.completion_tokens) < 0:
            raise PlanError("n_users, steps and token counts must not be negative")
        if self.gpus < 1 or self.model_params <= 0 or self.requests_per_active_agent < 0:
            raise PlanError("need gpus >= 1, model_params > 0, requests_per_active_agent >= 0")
        if self.gpu not in GPU_MEMORY_GB:
            raise PlanError(f"unknown gpu {self.gpu!r}; known: {sorted(GPU_MEMORY_GB)}")


@dataclass(frozen=True, slots=True)
class Plan:
    """The planner's answer for one experiment on one cluster."""

    active_agents: float
    requests_per_step: float
    prompt_tokens_per_step: float
    completion_tokens_per_step: float
    tensor_parallel: int
    replicas: int
    tokens_per_s: float
    seconds_per_step: float
    bound: str
    total_hours: float
    extrapolated: bool

    @property
    def tokens_per_step(self) -> float:
        """Prompt plus generated tokens per step."""
        return self.prompt_tokens_per_step + self.completion_tokens_per_step


def parse_model_size(text: str) -> float:
    """Reads a model size such as ``8b``, ``70B``, ``1.5b`` or ``500m`` as a parameter count.

    Raises:
        PlanError: if the text is not a number followed by ``b`` or ``m``.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([bBmM])\s*", text)
    if match is None:
        raise PlanError(f"model size {text!r} is not like '8b', '70b' or '500m'")
    scale = 1e9 if match.group(2).lower() == "b" else 1e6
    return float(match.group(1)) * scale


def estimate_tokens(text: str) -> int:
    """Estimates the token count of a text from its length (see :data:`CHARS_PER_TOKEN`)."""
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def mean_tokens(texts: Iterable[str]) -> float:
    """Mean estimated token count of rendered prompts or answers.

    Raises:
        PlanError: if there is no text.
    """
    counts = [estimate_tokens(text) for text in texts]
    if not counts:
        raise PlanError("mean_tokens needs at least one text")
    return sum(counts) / len(counts)


def tensor_parallel_size(model_params: float, gpu: str) -> int:
    """Smallest power-of-two GPU count whose memory holds the weights with room for a KV cache.

    Raises:
        PlanError: if the model needs more than one 8-GPU node.
    """
    weights_gb = model_params * BYTES_PER_PARAM / 1e9
    size = 1
    while weights_gb > WEIGHT_SHARE_OF_MEMORY * GPU_MEMORY_GB[gpu] * size:
        size *= 2
        if size > MAX_TENSOR_PARALLEL:
            raise PlanError(f"a {model_params / 1e9:g}B model needs more than one 8-GPU node")
    return size


def throughput_for(
    model_params: float, gpu: str, table: Sequence[Throughput] = PUBLISHED_THROUGHPUT
) -> tuple[Throughput, bool]:
    """The table's figure for this size and GPU, else one scaled from the nearest size.

    Scaling is inverse to the parameter count, since decoding is bound by reading the
    weights from memory. Returns the figure and whether it was extrapolated.

    Raises:
        PlanError: if the table has no figure for this GPU kind.
    """
    rows = [row for row in table if row.gpu == gpu]
    if not rows:
        raise PlanError(f"no throughput figure for gpu {gpu!r}")
    params_b = model_params / 1e9
    nearest = min(rows, key=lambda row: abs(math.log(row.params_b / params_b)))
    if math.isclose(nearest.params_b, params_b):
        return nearest, False
    ratio = nearest.params_b / params_b
    scaled = Throughput(
        gpu, params_b, nearest.tokens_per_s_per_gpu * ratio, nearest.stream_tokens_per_s * ratio
    )
    return scaled, True


def plan(inputs: PlanInputs, table: Sequence[Throughput] = PUBLISHED_THROUGHPUT) -> Plan:
    """Expected LLM-bound time per step and in total for an experiment on a cluster.

    Raises:
        PlanError: if the GPUs cannot hold one replica of the model.
    """
    tp = tensor_parallel_size(inputs.model_params, inputs.gpu)
    replicas = inputs.gpus // tp
    if replicas == 0:
        raise PlanError(f"the model needs {tp} GPUs per replica; only {inputs.gpus} given")
    figure, extrapolated = throughput_for(inputs.model_params, inputs.gpu, table)
    active = inputs.n_users * inputs.activation_probability
    requests = active * inputs.requests_per_active_agent
    prompt, completion = requests * inputs.prompt_tokens, requests * inputs.completion_tokens
    tokens_per_s = figure.tokens_per_s_per_gpu * tp * replicas
    busy = (prompt + completion) / tokens_per_s
    rounds = math.ceil(inputs.requests_per_active_agent) if requests > 0 else 0
    floor = rounds * inputs.completion_tokens / figure.stream_tokens_per_s
    seconds = max(busy, floor)
    return Plan(
        active_agents=active,
        requests_per_step=requests,
        prompt_tokens_per_step=prompt,
        completion_tokens_per_step=completion,
        tensor_parallel=tp,
        replicas=replicas,
        tokens_per_s=tokens_per_s,
        seconds_per_step=seconds,
        bound="throughput" if busy >= floor else "latency",
        total_hours=seconds * inputs.steps / 3600.0,
        extrapolated=extrapolated,
    )


def describe_plan(result: Plan, inputs: PlanInputs) -> list[str]:
    """Human-readable lines for ``oasis plan`` to print."""
    gpus_per_replica = "1 GPU" if result.tensor_parallel == 1 else f"{result.tensor_parallel} GPUs"
    note = " (scaled from the nearest published size)" if result.extrapolated else ""
    return [
        f"model {inputs.model_params / 1e9:g}B on {inputs.gpus} x {inputs.gpu.upper()}: "
        f"{result.replicas} vLLM replica(s), each on {gpus_per_replica} "
        f"(--tensor-parallel-size {result.tensor_parallel})",
        f"LLM agents active per step: {result.active_agents:,.0f}; "
        f"requests per step: {result.requests_per_step:,.0f}",
        f"tokens per step: {result.prompt_tokens_per_step:,.0f} prompt + "
        f"{result.completion_tokens_per_step:,.0f} generated",
        f"cluster throughput: ~{result.tokens_per_s:,.0f} tokens/s{note}",
        f"expected LLM time per step: {result.seconds_per_step:,.1f} s ({result.bound}-bound)",
        f"expected LLM time for {inputs.steps} steps: {result.total_hours:,.2f} h "
        "(published-throughput approximation, +-50%)",
    ]
