#!/usr/bin/env bash
# Installs whatever is missing for blur2blur, then builds. Idempotent and silent when nothing is to do.
#   apt:  libtorch-dev (the engine), libgloo-dev (c10d's Gloo headers: data-parallel training), libopenblas0-pthread (fast BLAS behind libtorch), ffmpeg (video),
#         python3-torch (the reference side of the engine benchmark and the fixture generator),
#         chromium (the report and web-page tests open pages in it, headless, through playwright-core),
#         python3-onnx (ONNX's own checker and shape inference, run on exported models by the tests)
#   npm:  the packages in package-lock.json
#   addon: native/ built against the system libtorch (or $LIBTORCH: scripts/build-native.sh), rebuilt when its sources change
#   ts:   tsc into dist/ (incremental)
set -euo pipefail
cd "$(dirname "$0")/.."
stamps=.setup-stamps
mkdir -p "$stamps"

say() { printf 'setup: %s\n' "$*" >&2; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

apt_packages=(libtorch-dev libgloo-dev libopenblas0-pthread ffmpeg python3-torch chromium python3-onnx)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

lock_hash=$(hash_of package.json package-lock.json)
if [[ ! -d node_modules || "$(cat "$stamps/npm" 2>/dev/null)" != "$lock_hash" ]]; then
  say "installing npm packages"
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error >/dev/null # onnxruntime-node: its CPU build is in the package; skip the CUDA download
  echo "$lock_hash" >"$stamps/npm"
fi

addon=native/build/Release/b2b_native.node
src_hash=$(hash_of native/libtorch.cjs scripts/build-native.sh native/src/* <(echo "${LIBTORCH:-system}"))
if [[ ! -f $addon || "$(cat "$stamps/addon" 2>/dev/null)" != "$src_hash" ]]; then
  say "building the native addon against $(node native/libtorch.cjs info) (about a minute)"
  bash scripts/build-native.sh
  echo "$src_hash" >"$stamps/addon"
fi

ts_hash=$(hash_of tsconfig.json tsconfig.lib.json $(find src test bench -name '*.ts' 2>/dev/null | sort))
if [[ ! -d dist || "$(cat "$stamps/ts" 2>/dev/null)" != "$ts_hash" ]]; then
  rm -rf dist # a full build: files of removed sources must not linger (their tests would still run)
  node_modules/.bin/tsc -p tsconfig.json
  node_modules/.bin/tsc -p tsconfig.lib.json # the package's type declarations (src/index.ts and the engine subpaths)
  echo "$ts_hash" >"$stamps/ts"
fi
