// Prints compiler/linker flags for libtorch. Default: Debian's libtorch-dev under /usr.
// LIBTORCH=/path/to/libtorch points to another build (e.g. a CUDA one with lib/libtorch_cuda.so).
const fs = require('node:fs');
const path = require('node:path');
const root = process.env.LIBTORCH;
const inc = root ? path.join(root, 'include') : '/usr/include';
const lib = root ? path.join(root, 'lib') : '/usr/lib/x86_64-linux-gnu';
if (process.argv[2] === 'include') {
  console.log([inc, path.join(inc, 'torch/csrc/api/include')].join(' '));
} else {
  const libs = ['-L' + lib, '-Wl,-rpath,' + lib, '-Wl,--no-as-needed', '-ltorch', '-ltorch_cpu', '-lc10'];
  if (fs.existsSync(path.join(lib, 'libtorch_cuda.so'))) libs.push('-ltorch_cuda', '-lc10_cuda');
  libs.push('-Wl,--as-needed');
  console.log(libs.join(' '));
}
