// Module entry: threads, device queries, and registration of the shim's parts.
#include <dlfcn.h>

#include <thread>

#include "common.h"

namespace b2b {
namespace {

// OpenBLAS (Debian's libtorch reaches it through libblas.so.3 for matrix products) keeps its own thread
// pool, sized to every core and never told about at::set_num_threads, whose threads busy-wait after
// each call. Beside libtorch's OpenMP pool they fought for the cores: a "1-thread" run spun two
// threads in every product, and a channels-last NAFNet step ran 2× slower on two threads than on one.
// So OpenBLAS runs single-threaded; parallel work goes through libtorch's pool (the products of the
// 1×1 convolutions are split by rows there, fused.cc; ATen's own convolutions call BLAS per sample
// inside its parallel loops).
void SetBlasThreads(int n) {
  using SetFn = void (*)(int);
  static SetFn set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (set) set(n);
}

void SetThreads(int n) {
  at::set_num_threads(n);
  SetBlasThreads(1);
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1) throw Napi::RangeError::New(env, "thread count must be at least 1");
  Guard(env, [&] { SetThreads(n); });
  return env.Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value CudaAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), torch::cuda::is_available());
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(torch::cuda::device_count()));
}

Napi::Value ParallelInfo(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), at::get_parallel_info());
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData(data);
  SetData(data);
  InitAllocator(env, exports);
  InitTensor(env, exports);
  InitDispatch(env, exports);
  InitAutograd(env, exports);
  InitGenerator(env, exports);
  InitFused(env, exports);
  InitAutocast(env, exports);
  InitDist(env, exports);
  // libtorch starts with one intra-op thread here: default to every core, B2B_THREADS overrides.
  const char* env_threads = std::getenv("B2B_THREADS");
  int threads = env_threads ? std::atoi(env_threads) : int(std::thread::hardware_concurrency());
  SetThreads(threads > 0 ? threads : 1);
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads));
  exports.Set("cudaAvailable", Napi::Function::New(env, CudaAvailable));
  exports.Set("cudaDeviceCount", Napi::Function::New(env, CudaDeviceCount));
  exports.Set("parallelInfo", Napi::Function::New(env, ParallelInfo));
  exports.Set("torchVersion", Napi::String::New(env, TORCH_VERSION));
  // Whether the addon was linked against a CUDA libtorch (scripts/build-native.sh sets it).
#ifndef B2B_CUDA_BUILD
#define B2B_CUDA_BUILD 0
#endif
  exports.Set("cudaBuild", Napi::Boolean::New(env, B2B_CUDA_BUILD != 0));
  return exports;
}

}  // namespace b2b

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return b2b::Init(env, exports); }

NODE_API_MODULE(b2b_native, InitModule)
