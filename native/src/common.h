// blur2blur native shim: shared declarations.
// The shim is deliberately small: tensors are opaque handles, every ATen operator is reached through
// the dispatcher by schema (dispatch.cc), and everything else (API, modules, training) is TypeScript.
#pragma once
#include <napi.h>
#include <torch/torch.h>

#include <atomic>
#include <string>

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

// A JS object owning one at::Tensor. dispose() releases it at once; the destructor (run by V8's
// garbage collector) is only a safety net.
class TensorWrap : public Napi::ObjectWrap<TensorWrap> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit TensorWrap(const Napi::CallbackInfo& info);
  ~TensorWrap() override;

  void Set(Napi::Env env, at::Tensor t);
  void Release(Napi::Env env);
  const at::Tensor& Get(Napi::Env env) const;  // throws on a disposed tensor
  bool Defined() const { return tensor_.defined(); }
  at::TensorImpl* Impl() const { return tensor_.unsafeGetTensorImpl(); }

  static std::atomic<int64_t> live;  // tensors currently held by JS objects

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  Napi::Value Shape(const Napi::CallbackInfo& info);
  Napi::Value Strides(const Napi::CallbackInfo& info);
  Napi::Value DType(const Napi::CallbackInfo& info);
  Napi::Value Device(const Napi::CallbackInfo& info);
  Napi::Value Numel(const Napi::CallbackInfo& info);
  Napi::Value Dim(const Napi::CallbackInfo& info);
  Napi::Value IsContiguous(const Napi::CallbackInfo& info);
  Napi::Value RequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info);
  Napi::Value Grad(const Napi::CallbackInfo& info);
  Napi::Value SetGrad(const Napi::CallbackInfo& info);
  Napi::Value IsLeaf(const Napi::CallbackInfo& info);
  Napi::Value ToArray(const Napi::CallbackInfo& info);
  Napi::Value Item(const Napi::CallbackInfo& info);
  Napi::Value SameStorage(const Napi::CallbackInfo& info);
  Napi::Value SetData(const Napi::CallbackInfo& info);

  at::Tensor tensor_;
  int64_t external_ = 0;  // bytes reported to V8 as external memory
};

// Per-addon-instance data.
struct AddonData {
  Napi::FunctionReference tensorCtor;
  Napi::FunctionReference generatorCtor;
};

Napi::Object WrapTensor(Napi::Env env, at::Tensor t);
bool IsTensor(Napi::Env env, const Napi::Value& v);
TensorWrap* UnwrapTensor(Napi::Env env, const Napi::Value& v);  // throws if not a tensor
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

// Generators (generator.cc): a JS Generator object unwrapped for op arguments.
bool IsGenerator(Napi::Env env, const Napi::Value& v);
at::Generator GeneratorArg(Napi::Env env, const Napi::Value& v);

}  // namespace b2b
