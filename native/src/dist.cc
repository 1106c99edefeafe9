// Data-parallel training over PyTorch's own distributed engine (c10d): a TCP store for rendezvous and
// a process group, Gloo (CPU tensors; a CUDA libtorch's Gloo also reduces CUDA tensors) or NCCL (CUDA
// tensors, one GPU per rank). Gloo is compiled when its headers are found (B2B_DIST), NCCL when the
// libtorch has CUDA and nccl.h is found (B2B_NCCL; native/libtorch.cjs); otherwise the functions
// report what this build lacks.
#include "common.h"

#ifdef B2B_DIST
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef B2B_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <memory>
#endif

namespace b2b {
namespace {

#ifdef B2B_DIST
// Exactly one of gloo and nccl is set. Their common base differs between libtorch versions
// (ProcessGroup before 2.0, Backend since), so the collectives go through Each rather than a base pointer.
struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
#ifdef B2B_NCCL
  c10::intrusive_ptr<c10d::ProcessGroupNCCL> nccl;
#endif
  int rank = 0;
  int size = 1;
};

template <class F>
void Each(Group& g, F&& f) {
#ifdef B2B_NCCL
  if (g.nccl) return f(*g.nccl);
#endif
  f(*g.gloo);
}
std::unique_ptr<Group>& Current() {
  static std::unique_ptr<Group> g;
  return g;
}

Group& Need(Napi::Env env) {
  if (!Current()) throw Napi::Error::New(env, "no process group: call distInit first");
  return *Current();
}

// distInit(masterAddr, masterPort, rank, worldSize, timeoutMs, backend): rank 0 serves the store; with
// 'gloo' every rank binds Gloo to the address it reaches the master by (127.0.0.1 for local workers),
// with 'nccl' NCCL finds its own transport (NVLink, InfiniBand, sockets).
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string addr = info[0].As<Napi::String>().Utf8Value();
  int port = info[1].As<Napi::Number>().Int32Value();
  int rank = info[2].As<Napi::Number>().Int32Value();
  int size = info[3].As<Napi::Number>().Int32Value();
  auto timeout = std::chrono::milliseconds(int64_t(info[4].As<Napi::Number>().DoubleValue()));
  std::string backend = info[5].As<Napi::String>().Utf8Value();
  if (Current()) throw Napi::Error::New(env, "a process group is already initialised in this process");
#ifndef B2B_NCCL
  if (backend == "nccl")
    throw Napi::Error::New(env, "this build of the addon has no NCCL (it needs a CUDA libtorch and nccl.h when it is built)");
#endif
  if (backend != "gloo" && backend != "nccl") throw Napi::Error::New(env, "unknown process-group backend '" + backend + "' (gloo or nccl)");
  Guard(env, [&] {
    c10d::TCPStoreOptions so;
    so.port = uint16_t(port);
    so.isServer = rank == 0;
    so.numWorkers = size;
    so.waitWorkers = true;
    so.timeout = timeout;
    auto g = std::make_unique<Group>();
    g->store = c10::make_intrusive<c10d::TCPStore>(addr, so);
#ifdef B2B_NCCL
    if (backend == "nccl") {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      g->nccl = c10::make_intrusive<c10d::ProcessGroupNCCL>(g->store, rank, size, opts);
    }
#endif
    if (backend == "gloo") {
      auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(addr));
      g->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(g->store, rank, size, opts);
    }
    g->rank = rank;
    g->size = size;
    Current() = std::move(g);
  });
  return env.Undefined();
}

// distAllReduceSum(handle): in place, summed over the ranks.
Napi::Value AllReduceSum(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group& g = Need(env);
  std::vector<at::Tensor> ts{TensorArg(env, info[0])};
  Guard(env, [&] { Each(g, [&](auto& pg) { pg.allreduce(ts)->wait(); }); });
  return env.Undefined();
}

// distAllReduceMax(handle): in place, the maximum over the ranks.
Napi::Value AllReduceMax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group& g = Need(env);
  std::vector<at::Tensor> ts{TensorArg(env, info[0])};
  Guard(env, [&] {
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::MAX;
    Each(g, [&](auto& pg) { pg.allreduce(ts, o)->wait(); });
  });
  return env.Undefined();
}

// distBroadcast(handle, root): in place, root's values everywhere.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group& g = Need(env);
  std::vector<at::Tensor> ts{TensorArg(env, info[0])};
  int root = info[1].As<Napi::Number>().Int32Value();
  Guard(env, [&] {
    c10d::BroadcastOptions o;
    o.rootRank = root;
    Each(g, [&](auto& pg) { pg.broadcast(ts, o)->wait(); });
  });
  return env.Undefined();
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group& g = Need(env);
  Guard(env, [&] { Each(g, [&](auto& pg) { pg.barrier()->wait(); }); });
  return env.Undefined();
}

Napi::Value Destroy(const Napi::CallbackInfo& info) {
  Current().reset();
  return info.Env().Undefined();
}
#else
Napi::Value Unavailable(const Napi::CallbackInfo& info) {
  throw Napi::Error::New(info.Env(), "this build of the addon has no distributed backend (Gloo's headers were not found when it was built)");
}
#endif

}  // namespace

void InitDist(Napi::Env env, Napi::Object exports) {
#ifdef B2B_DIST
  exports.Set("distAvailable", Napi::Boolean::New(env, true));
  Napi::Array backends = Napi::Array::New(env);
  backends.Set(uint32_t(0), Napi::String::New(env, "gloo"));
#ifdef B2B_NCCL
  backends.Set(uint32_t(1), Napi::String::New(env, "nccl"));
#endif
  exports.Set("distBackends", backends);
  exports.Set("distInit", Napi::Function::New(env, Init));
  exports.Set("distAllReduceSum", Napi::Function::New(env, AllReduceSum));
  exports.Set("distAllReduceMax", Napi::Function::New(env, AllReduceMax));
  exports.Set("distBroadcast", Napi::Function::New(env, Broadcast));
  exports.Set("distBarrier", Napi::Function::New(env, Barrier));
  exports.Set("distDestroy", Napi::Function::New(env, Destroy));
#else
  exports.Set("distAvailable", Napi::Boolean::New(env, false));
  exports.Set("distBackends", Napi::Array::New(env));
  for (const char* n : {"distInit", "distAllReduceSum", "distAllReduceMax", "distBroadcast", "distBarrier", "distDestroy"}) {
    exports.Set(n, Napi::Function::New(env, Unavailable));
  }
#endif
}

}  // namespace b2b
