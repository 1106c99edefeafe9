#!/usr/bin/env bash
# The GPU check, on a machine with an NVIDIA GPU and a pip-installed CUDA PyTorch. From the repository
# root, with node ≥ 20, node_modules/ and dist/ in place (npm ci && npm run build, or carried over from a
# machine that built them):
#   1. builds the addon against that PyTorch's libtorch (NCCL included where nccl.h is found);
#   2. runs the device tests on cuda: every trainer and the inference paths, and data-parallel training
#      (a GPU per rank over NCCL where there are two GPUs, else two ranks on cuda:0 over Gloo);
#   3. trains from the command line in a process group: one rank over NCCL (Gloo where the build has no
#      NCCL), then --nproc 2;
#   4. times the training steps on the GPU against the same steps in that PyTorch (bench:train).
# Each step's output goes to OUT/<step>.log; OUT/summary.txt has one line per step with its exit code and
# seconds. A failed step does not stop the later ones.
#   bash scripts/gpu-check.sh [OUT]            (default OUT: gpu-check)
#   PYTHON=python3.12     the python whose torch is used (default python3)
#   NODE_INCLUDE=DIR      Node's headers, where node is not installed with them (scripts/build-native.sh)
#   DEVICE=cpu            a dry run of steps 2-4 on this build, on the CPU (step 1 skipped)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-gpu-check}
DEVICE=${DEVICE:-cuda}
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
: >"$OUT/summary.txt"
b2b() { node dist/src/cli/b2b.js "$@"; }

step() { # step NAME COMMAND...: runs it with its output in OUT/NAME.log, notes the result
  local name=$1 t0=$SECONDS rc
  shift
  echo "gpu-check: $name" >&2
  "$@" >"$OUT/$name.log" 2>&1
  rc=$?
  printf '%-8s rc %d  %d s\n' "$name" "$rc" "$((SECONDS - t0))" | tee -a "$OUT/summary.txt" >&2
  return 0
}

build() {
  local torch
  torch=$("$PYTHON" -c 'import os, torch; print(os.path.dirname(torch.__file__))') || return 1
  "$PYTHON" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, torch.cuda.get_device_name(0))'
  LIBTORCH=$torch node native/libtorch.cjs info
  LIBTORCH=$torch bash scripts/build-native.sh && b2b info
}

device_tests() {
  B2B_TEST_DEVICE=$DEVICE B2B_DIST_TIMEOUT_MS=60000 node --test --test-concurrency=1 \
    dist/test/train/device.test.js dist/test/train/data-parallel.test.js dist/test/cli/device.test.js
}

process_group() {
  local pairs=$OUT/known/pairs backend=gloo two=cpu gpus=0
  [[ -d $pairs ]] || b2b simulate --camera gopro-like --role known --out "$OUT/known" --per-photo 2 --seed 0 --quiet || return 1
  if [[ $DEVICE != cpu ]]; then
    # What the build has, as `b2b info --json` reports it: devices (cpu first) and process-group backends.
    read -r gpus nccl < <(b2b info --json | node -e 'const i = JSON.parse(require("fs").readFileSync(0, "utf8"));
      console.log(i.devices.length - 1, i.distBackends.includes("nccl") ? 1 : 0)')
    [[ $nccl == 1 ]] && backend=nccl
    two=$([[ $gpus -ge 2 ]] && echo cuda || echo cuda:0)
  fi
  local common=(--pairs "$pairs" --steps 40 --batch 8 --crop 128 --val-every 40 --val-images 8)
  rm -rf "$OUT/rank1" "$OUT/nproc2"
  echo "one rank over $backend on $DEVICE"
  RANK=0 WORLD_SIZE=1 LOCAL_RANK=0 MASTER_ADDR=127.0.0.1 MASTER_PORT=29531 B2B_DIST_BACKEND=$backend \
    b2b train deblur --device "$DEVICE" "${common[@]}" --out "$OUT/rank1" || return 1
  echo "--nproc 2 on $two ($gpus GPUs)"
  b2b train deblur --device "$two" --nproc 2 "${common[@]}" --out "$OUT/nproc2"
}

bench() {
  if [[ $DEVICE == cpu ]]; then
    node dist/bench/train/bench.js --rounds 1 --only nafnet-small
  else
    B2B_PYTHON=$(command -v "$PYTHON") node dist/bench/train/bench.js --device "$DEVICE" --rounds 5
  fi
}

[[ $DEVICE == cpu ]] || step build build
step tests device_tests
step group process_group
step bench bench
cat "$OUT/summary.txt"
