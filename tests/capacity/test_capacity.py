import math

import pytest

from oasis.planning.capacity import (
    CHARS_PER_TOKEN,
    PUBLISHED_THROUGHPUT,
    PlanInputs,
    Throughput,
    describe_plan,
    estimate_tokens,
    mean_tokens,
    parse_model_size,
    plan,
    tensor_parallel_size,
    throughput_for,
)


def inputs(**overrides: object) -> PlanInputs:
    base: dict[str, object] = {
        "n_users": 10_000,
        "activation_probability": 0.1,
        "steps": 72,
        "prompt_tokens": 1_500.0,
        "completion_tokens": 100.0,
        "requests_per_active_agent": 1.0,
        "gpus": 1,
        "model_params": 8e9,
        "gpu": "h100",
    }
    base.update(overrides)
    return PlanInputs(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "params"),
    [("8b", 8e9), ("70B", 70e9), ("1.5b", 1.5e9), ("500m", 5e8), (" 14b ", 14e9)],
)
def test_parse_model_size(text: str, params: float) -> None:
    assert parse_model_size(text) == pytest.approx(params)


@pytest.mark.parametrize("text", ["", "8", "8gb", "b8", "eight b", "-8b"])
def test_parse_model_size_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="model size"):
        parse_model_size(text)


def test_token_estimate_is_chars_over_four_rounded_up() -> None:
    assert CHARS_PER_TOKEN == 4.0
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens("x" * 4_000) == 1_000


def test_mean_tokens() -> None:
    assert mean_tokens(["x" * 400, "x" * 800]) == 150.0
    with pytest.raises(ValueError):
        mean_tokens([])


@pytest.mark.parametrize(
    ("params", "gpu", "tp"),
    [
        (8e9, "h100", 1),
        (20e9, "h100", 1),
        (21e9, "h100", 2),
        (40e9, "h100", 2),
        (41e9, "h100", 4),
        (70e9, "a100", 4),
    ],
)
def test_tensor_parallel_size(params: float, gpu: str, tp: int) -> None:
    # weights at 2 bytes per parameter may take half of the group's 80 GB per GPU
    assert tensor_parallel_size(params, gpu) == tp


def test_model_beyond_one_node_is_refused() -> None:
    with pytest.raises(ValueError, match="8-GPU node"):
        tensor_parallel_size(405e9, "h100")


def test_throughput_exact_row_is_not_extrapolated() -> None:
    figure, extrapolated = throughput_for(70e9, "h100")
    assert (figure.tokens_per_s_per_gpu, extrapolated) == (1_500.0, False)


def test_throughput_scales_inversely_from_nearest_size() -> None:
    figure, extrapolated = throughput_for(16e9, "h100")
    assert extrapolated
    assert figure.tokens_per_s_per_gpu == pytest.approx(12_000.0 / 2)
    assert figure.stream_tokens_per_s == pytest.approx(40.0 / 2)
    big, _ = throughput_for(100e9, "a100")  # nearer 70B than 8B in log space
    assert big.tokens_per_s_per_gpu == pytest.approx(750.0 * 0.7)


def test_unknown_gpu_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown gpu"):
        inputs(gpu="tpu")
    with pytest.raises(ValueError, match="no throughput"):
        throughput_for(8e9, "h100", [Throughput("a100", 8.0, 1.0, 1.0)])


def test_plan_8b_on_one_h100_is_throughput_bound() -> None:
    result = plan(inputs())
    assert result.active_agents == pytest.approx(1_000)
    assert result.requests_per_step == pytest.approx(1_000)
    assert result.prompt_tokens_per_step == pytest.approx(1_500_000)
    assert result.completion_tokens_per_step == pytest.approx(100_000)
    assert result.tokens_per_step == pytest.approx(1_600_000)
    assert (result.tensor_parallel, result.replicas) == (1, 1)
    assert result.seconds_per_step == pytest.approx(1_600_000 / 12_000)
    assert result.bound == "throughput"
    assert result.total_hours == pytest.approx(1_600_000 / 12_000 * 72 / 3600)


def test_plan_scales_with_gpus() -> None:
    result = plan(inputs(gpus=8))
    assert result.replicas == 8
    assert result.tokens_per_s == pytest.approx(96_000)
    assert result.seconds_per_step == pytest.approx(1_600_000 / 96_000)


def test_plan_70b_uses_tensor_parallel_replicas() -> None:
    result = plan(inputs(model_params=70e9, gpus=10))
    # two replicas of 4 GPUs each; the last 2 GPUs cannot hold a replica
    assert (result.tensor_parallel, result.replicas) == (4, 2)
    assert result.tokens_per_s == pytest.approx(1_500 * 8)
    assert result.seconds_per_step == pytest.approx(1_600_000 / 12_000)


def test_plan_refuses_too_few_gpus_for_one_replica() -> None:
    with pytest.raises(ValueError, match="4 GPUs per replica"):
        plan(inputs(model_params=70e9, gpus=2))


def test_small_population_is_latency_bound() -> None:
    result = plan(inputs(n_users=100, gpus=8, requests_per_active_agent=2.0))
    # 10 agents x 2 requests = 32,000 tokens, 0.33 s of cluster time, but each agent's
    # two sequential answers of 100 tokens at 40 tokens/s take 5 s
    assert result.requests_per_step == pytest.approx(20)
    assert result.seconds_per_step == pytest.approx(5.0)
    assert result.bound == "latency"


def test_nobody_active_costs_nothing() -> None:
    result = plan(inputs(activation_probability=0.0))
    assert result.seconds_per_step == 0.0
    assert result.total_hours == 0.0


def test_a_custom_table_replaces_published_figures() -> None:
    table = [Throughput("h100", 8.0, 1_000.0, 10.0)]
    assert plan(inputs(), table).seconds_per_step == pytest.approx(1_600.0)


@pytest.mark.parametrize(
    "bad",
    [
        {"activation_probability": 1.5},
        {"n_users": -1},
        {"gpus": 0},
        {"model_params": 0.0},
        {"prompt_tokens": -5.0},
    ],
)
def test_inputs_are_validated(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        inputs(**bad)


def test_published_table_is_sane() -> None:
    for row in PUBLISHED_THROUGHPUT:
        assert row.tokens_per_s_per_gpu > row.stream_tokens_per_s > 0
    by_key = {(row.gpu, row.params_b): row for row in PUBLISHED_THROUGHPUT}
    assert by_key["h100", 8.0].tokens_per_s_per_gpu > by_key["a100", 8.0].tokens_per_s_per_gpu
    assert by_key["h100", 8.0].tokens_per_s_per_gpu > by_key["h100", 70.0].tokens_per_s_per_gpu


def test_describe_plan_mentions_the_figures() -> None:
    given = inputs(model_params=70e9, gpus=8)
    text = "\n".join(describe_plan(plan(given), given))
    assert "2 vLLM replica(s), each on 4 GPUs" in text
    assert "--tensor-parallel-size 4" in text
    assert "133.3 s (throughput-bound)" in text
    assert f"{1_600_000 / 12_000 * 72 / 3600:,.2f} h" in text
    assert math.isfinite(plan(given).total_hours)
