#!/usr/bin/env bash
# Packs what blur2blur needs to run on a machine that has a GPU and PyTorch but no Node.js: this
# machine's node binary, Node-API's headers (to build the addon there), the built dist/ and the runtime
# npm packages (sharp and its libvips, node-addon-api), and optionally a folder of photos, into one
# .tar.xz that unpacks into a checkout of the repository (the repository itself is not in it): dist/ and
# node_modules/ as a build leaves them, node and the headers under .pack/, the photos in .pack/photos.
#   bash scripts/gpu-pack.sh OUT.tar.xz [PHOTOS_DIR]
# There, in the checkout's root:
#   tar -xJf OUT.tar.xz
#   PATH=$PWD/.pack/bin:$PATH NODE_INCLUDE=$PWD/.pack/include/node bash scripts/gpu-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/gpu-pack.sh OUT.tar.xz [PHOTOS_DIR]}
photos=${2:-}
[[ -f dist/src/cli/b2b.js ]] || { echo "gpu-pack: dist/ is not built (npm run build)" >&2; exit 1; }
[[ -z $photos || -d $photos ]] || { echo "gpu-pack: $photos is not a folder" >&2; exit 1; }
[[ ! -e $out ]] || { echo "gpu-pack: $out exists; give a new name" >&2; exit 1; }
node_bin=$(command -v node)
node_inc=${NODE_INCLUDE:-$(dirname "$(dirname "$node_bin")")/include/node}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/.pack/bin" "$stage/.pack/include/node" "$stage/node_modules"
cp "$node_bin" "$stage/.pack/bin/node"
# Node-API alone: node-addon-api's napi.h needs these, not V8's or OpenSSL's headers.
for h in node_api.h node_api_types.h js_native_api.h js_native_api_types.h; do
  cp "$node_inc/$h" "$stage/.pack/include/node/" || { echo "gpu-pack: $node_inc/$h not found (set NODE_INCLUDE)" >&2; exit 1; }
done
cp -r dist "$stage/dist"
for m in sharp @img detect-libc semver node-addon-api onnx-proto protobufjs @protobufjs long; do cp -r "node_modules/$m" "$stage/node_modules/"; done
[[ -z $photos ]] || cp -r "$photos" "$stage/.pack/photos"
tar -C "$stage" -cf - . | xz -T0 -6 >"$out.tmp"
mv "$out.tmp" "$out"
echo "gpu-pack: $out, $(du -h "$out" | cut -f1)"
