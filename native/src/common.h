// blur2blur native shim: shared declarations.
// The shim is deliberately small: tensors are opaque handles, every ATen operator is reached through
// the dispatcher by schema (dispatch.cc), and everything else (API, modules, training) is TypeScript.
#pragma once
#include <napi.h>
#include <torch/torch.h>

#include <deque>
#include <string>
#include <vector>

namespace b2b {

// Runs `body` and turns every C++ exception into a JS Error carrying libtorch's message
// (without the C++ backtrace that c10::Error appends).
template <typename F>
auto Guard(Napi::Env env, F&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(env, e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// Tensor handles. JS holds a tensor as a plain number: an index into this addon's handle table plus a
// generation count, so a handle used after dispose() is detected even when its slot was reused.
// No per-tensor JS wrapper object and no finalizer: Node defers N-API finalizers to event-loop turns,
// which let a synchronous training loop accumulate native memory. Release is explicit (TypeScript
// scopes and dispose(); a FinalizationRegistry there is the safety net). Tensor bytes are not reported
// to V8 as external memory: that made V8 run a full mark-compact ~3 times per training step.
class HandleTable {
 public:
  double Add(Napi::Env env, at::Tensor t);
  const at::Tensor& Get(Napi::Env env, const Napi::Value& id) const;  // throws on stale or bad ids
  bool Valid(const Napi::Value& id) const;
  void Release(Napi::Env env, const Napi::Value& id);  // a stale id is ignored (dispose twice is fine)
  int64_t Live() const { return live_; }

 private:
  struct Slot {
    at::Tensor tensor;
    uint32_t generation = 0;
  };
  static constexpr double kSlots = 4194304.0;  // 2^22 slots; id = generation·2^22 + slot
  bool Decode(const Napi::Value& id, uint32_t* slot) const;
  std::deque<Slot> slots_;  // deque: references stay valid while slots are added
  std::vector<uint32_t> free_;
  int64_t live_ = 0;
};

// Per-addon-instance data.
struct AddonData {
  HandleTable tensors;
  Napi::FunctionReference generatorCtor;
};

// This thread's addon data (one addon instance per JS thread; set in Init). Cheaper than
// env.GetInstanceData on every operator call.
AddonData& Data();
void SetData(AddonData* d);

// A new handle (a JS number) owning a reference to t.
Napi::Value WrapTensor(Napi::Env env, at::Tensor t);
// The tensor behind a handle; throws a TypeError for non-handles and an Error after dispose().
const at::Tensor& TensorArg(Napi::Env env, const Napi::Value& v);

c10::ScalarType ParseDType(Napi::Env env, const std::string& name);
std::string DTypeName(c10::ScalarType t);
c10::Device ParseDevice(Napi::Env env, const std::string& name);

// Module registration per source file.
void InitAllocator(Napi::Env env, Napi::Object exports);
void InitTensor(Napi::Env env, Napi::Object exports);
void InitDispatch(Napi::Env env, Napi::Object exports);
void InitAutograd(Napi::Env env, Napi::Object exports);
void InitGenerator(Napi::Env env, Napi::Object exports);
void InitFused(Napi::Env env, Napi::Object exports);
void InitAutocast(Napi::Env env, Napi::Object exports);
void InitDist(Napi::Env env, Napi::Object exports);

// Generators (generator.cc): a JS Generator object unwrapped for op arguments.
bool IsGenerator(Napi::Env env, const Napi::Value& v);
at::Generator GeneratorArg(Napi::Env env, const Napi::Value& v);

}  // namespace b2b
