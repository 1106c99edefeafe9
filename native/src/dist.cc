// Data-parallel training over PyTorch's own distributed engine (c10d): a TCP store for rendezvous and
// a Gloo process group (CPU tensors; with a CUDA build Gloo also reduces CUDA tensors through host
// copies). Compiled when Gloo's headers are found (B2B_DIST, scripts/build-native.sh); otherwise the
// functions report that this build has none.
#include "common.h"

#ifdef B2B_DIST
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <memory>
#endif

namespace b2b {
namespace {

#ifdef B2B_DIST
struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
  int rank = 0;
  int size = 1;
};
std::unique_ptr<Group>& Current() {
  static std::unique_ptr<Group> g;
  return g;
}

Group& Need(Napi::Env env) {
  if (!Current()) throw Napi::Error::New(env, "no process group: call distInit first");
  return *Current();
}

// distInit(masterAddr, masterPort, rank, worldSize, timeoutMs): rank 0 serves the store; every rank
// binds Gloo to the address it reaches the master by (127.0.0.1 for local workers).
Napi::Value Init(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string addr = info[0].As<Napi::String>().Utf8Value();
  int port = info[1].As<Napi::Number>().Int32Value();
  int rank = info[2].As<Napi::Number>().Int32Value();
  int size = info[3].As<Napi::Number>().Int32Value();
  auto timeout = std::chrono::milliseconds(int64_t(info[4].As<Napi::Number>().DoubleValue()));
  if (Current()) throw Napi::Error::New(env, "a process group is already initialised in this process");
  Guard(env, [&] {
    c10d::TCPStoreOptions so;
    so.port = uint16_t(port);
    so.isServer = rank == 0;
    so.numWorkers = size;
    so.waitWorkers = true;
    so.timeout = timeout;
    auto g = std::make_unique<Group>();
    g->store = c10::make_intrusive<c10d::TCPStore>(addr, so);
    auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
    opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(addr));
    g->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(g->store, rank, size, opts);
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
  Guard(env, [&] { g.pg->allreduce(ts)->wait(); });
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
    g.pg->allreduce(ts, o)->wait();
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
    g.pg->broadcast(ts, o)->wait();
  });
  return env.Undefined();
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Group& g = Need(env);
  Guard(env, [&] { g.pg->barrier()->wait(); });
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
  exports.Set("distInit", Napi::Function::New(env, Init));
  exports.Set("distAllReduceSum", Napi::Function::New(env, AllReduceSum));
  exports.Set("distAllReduceMax", Napi::Function::New(env, AllReduceMax));
  exports.Set("distBroadcast", Napi::Function::New(env, Broadcast));
  exports.Set("distBarrier", Napi::Function::New(env, Barrier));
  exports.Set("distDestroy", Napi::Function::New(env, Destroy));
#else
  exports.Set("distAvailable", Napi::Boolean::New(env, false));
  for (const char* n : {"distInit", "distAllReduceSum", "distAllReduceMax", "distBroadcast", "distBarrier", "distDestroy"}) {
    exports.Set(n, Napi::Function::New(env, Unavailable));
  }
#endif
}

}  // namespace b2b
