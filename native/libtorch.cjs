// Prints compiler or linker flags for the libtorch the addon builds against (scripts/build-native.sh).
//   (default)       Debian's libtorch-dev under /usr
//   LIBTORCH=DIR    another libtorch: an unpacked libtorch archive, or the `torch` folder of a pip install
//                   (DIR/include, DIR/lib; a CUDA build's libtorch_cuda.so is then linked too)
//   NCCL              with a CUDA libtorch, NCCL's process group is compiled when nccl.h and CUDA's headers are
//                     found: $NCCL_INCLUDE, $CUDA_HOME/include, /usr/local/cuda/include, the nvidia/*/include
//                     folders of the pip wheels beside a pip torch, /usr/include. B2B_NO_NCCL=1 builds without it.
// `node libtorch.cjs cflags | libs | info`. The C++ ABI flag is read from the build's TorchConfig.cmake and
// the language standard from its version (C++20 from torch 2.13, whose headers require it; C++17 before).
const fs = require('node:fs');
const path = require('node:path');
const root = process.env.LIBTORCH ? path.resolve(process.env.LIBTORCH) : null;
const inc = root ? path.join(root, 'include') : '/usr/include';
const lib = root ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu';
const cmakeDirs = root ? [path.join(root, 'share/cmake/Torch')] : ['/usr/lib/x86_64-linux-gnu/cmake/Torch', '/usr/share/cmake/Torch'];

function fail(msg) {
  console.error(`libtorch.cjs: ${msg}`);
  process.exit(1);
}

function version() {
  const file = path.join(inc, 'torch/csrc/api/include/torch/version.h');
  if (!fs.existsSync(file))
    fail(`${file} not found: ${root ? `LIBTORCH=${root} is not a libtorch (expected include/ and lib/)` : 'install libtorch-dev'}`);
  const text = fs.readFileSync(file, 'utf8');
  const num = (k) => Number((text.match(new RegExp(`#define TORCH_VERSION_${k}\\s+(\\d+)`)) ?? [])[1] ?? NaN);
  return { major: num('MAJOR'), minor: num('MINOR'), patch: num('PATCH') };
}

function cxx11Abi() {
  for (const d of cmakeDirs) {
    const f = path.join(d, 'TorchConfig.cmake');
    if (!fs.existsSync(f)) continue;
    const m = fs.readFileSync(f, 'utf8').match(/_GLIBCXX_USE_CXX11_ABI=([01])/);
    if (m) return m[1];
  }
  return '1'; // every libtorch since 2.6, and Debian's
}

const cuda = fs.existsSync(path.join(lib, 'libtorch_cuda.so'));
// Gloo's headers (Debian's libgloo-dev, or inside a pip torch's include/): c10d's process group needs them.
// B2B_NO_DIST=1 builds without it.
const gloo = process.env.B2B_NO_DIST ? undefined : [inc, '/usr/include'].find((d) => fs.existsSync(path.join(d, 'gloo', 'config.h')));
// NCCL's process group (CUDA libtorch only): its header includes nccl.h and CUDA's runtime headers.
// libtorch_cuda holds its code and loads libnccl, so nothing more is linked.
function ncclIncludes() {
  if (!cuda || !gloo || process.env.B2B_NO_NCCL) return undefined;
  if (!fs.existsSync(path.join(inc, 'torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp'))) return undefined;
  const wheels = root ? path.join(root, '..', 'nvidia') : null;
  const dirs = [
    process.env.NCCL_INCLUDE,
    process.env.CUDA_HOME && path.join(process.env.CUDA_HOME, 'include'),
    '/usr/local/cuda/include',
    ...(wheels && fs.existsSync(wheels) ? fs.readdirSync(wheels).map((d) => path.join(wheels, d, 'include')) : []),
    '/usr/include',
  ].filter((d) => d && fs.existsSync(d));
  const has = (h) => dirs.some((d) => fs.existsSync(path.join(d, h)));
  return has('nccl.h') && has('cuda_runtime_api.h') ? dirs : undefined;
}
const nccl = ncclIncludes();
const v = version();
const std = v.major > 2 || (v.major === 2 && v.minor >= 13) ? 'c++20' : 'c++17';

switch (process.argv[2]) {
  case 'cflags':
    console.log(
      [
        `-std=${std}`,
        `-D_GLIBCXX_USE_CXX11_ABI=${cxx11Abi()}`,
        `-DB2B_CUDA_BUILD=${cuda ? 1 : 0}`,
        ...(gloo ? ['-DB2B_DIST', '-DUSE_C10D_GLOO', ...(gloo === inc ? [] : [`-I${gloo}`])] : []),
        ...(nccl ? ['-DB2B_NCCL', '-DUSE_C10D_NCCL'] : []),
        `-I${inc}`,
        `-I${path.join(inc, 'torch/csrc/api/include')}`,
        // after libtorch's own folders, so that a system folder among them cannot shadow its headers
        ...(nccl ?? []).filter((d) => d !== '/usr/include').map((d) => `-I${d}`),
      ].join(' '),
    );
    break;
  case 'libs': {
    const libs = ['-L' + lib, '-Wl,-rpath,' + lib, '-Wl,--no-as-needed', '-ltorch', '-ltorch_cpu', '-lc10'];
    if (cuda) libs.push('-ltorch_cuda', '-lc10_cuda');
    libs.push('-Wl,--as-needed');
    console.log(libs.join(' '));
    break;
  }
  case 'info':
    console.log(
      `libtorch ${v.major}.${v.minor}.${v.patch} at ${root ?? '/usr'} (${cuda ? 'CUDA' : 'CPU'}, ${std}, CXX11 ABI ${cxx11Abi()}, ${gloo ? `Gloo${nccl ? ', NCCL' : ''}` : 'no Gloo headers: no data parallelism'})`,
    );
    break;
  default:
    fail('usage: node libtorch.cjs cflags|libs|info');
}
