#!/usr/bin/env bash
# Builds the native addon native/build/Release/b2b_native.node: each source compiled in parallel against
# libtorch (native/libtorch.cjs gives the flags: Debian's libtorch-dev, or LIBTORCH=DIR), then one link.
#   LIBTORCH=DIR       another libtorch, e.g. the torch folder of a pip-installed CUDA PyTorch:
#                      LIBTORCH=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')
#   NODE_INCLUDE=DIR   Node's headers (node_api.h); default: include/node beside the running node
#   JOBS=N             parallel compiles (default: every core)
set -euo pipefail
cd "$(dirname "$0")/../native"
node_include=${NODE_INCLUDE:-$(dirname "$(dirname "$(command -v node)")")/include/node}
[[ -f $node_include/node_api.h ]] || { echo "build-native: $node_include/node_api.h not found (set NODE_INCLUDE)" >&2; exit 1; }
addon_api=$(node -p "require('node-addon-api').include_dir" 2>/dev/null || echo ../node_modules/node-addon-api)
torch_flags=$(node libtorch.cjs cflags)
libs=$(node libtorch.cjs libs)
out=build/Release
mkdir -p "$out/obj"
cxx=${CXX:-g++}
flags=(-fPIC -O3 -fopenmp -fexceptions -frtti -Wall -Wno-unused-parameter -Wno-deprecated-declarations -Wno-sign-compare
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DBUILDING_NODE_EXTENSION -I"$node_include" -I"$addon_api" $torch_flags)
pids=()
for src in src/*.cc; do
  obj=$out/obj/$(basename "${src%.cc}").o
  "$cxx" "${flags[@]}" -c "$src" -o "$obj" &
  pids+=($!)
  while (($(jobs -rp | wc -l) >= ${JOBS:-$(nproc)})); do wait -n; done
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
((status == 0)) || { echo "build-native: compilation failed" >&2; exit 1; }
# A Node addon leaves Node's own symbols undefined: the running node provides them.
"$cxx" -shared -fopenmp -o "$out/b2b_native.node.tmp" "$out"/obj/*.o $libs
mv "$out/b2b_native.node.tmp" "$out/b2b_native.node"
