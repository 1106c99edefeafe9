// Autograd entry points: backward, grad (with create_graph for double backward) and grad mode.
#include <torch/csrc/autograd/autograd.h>

#include "common.h"

namespace b2b {
namespace {

std::vector<at::Tensor> TensorsArg(Napi::Env env, const Napi::Value& v, bool allowMissing) {
  std::vector<at::Tensor> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value e = a.Get(i);
    if (allowMissing && (e.IsUndefined() || e.IsNull())) out.emplace_back();
    else out.push_back(TensorArg(env, e));
  }
  return out;
}

// backward(tensors, gradTensors | undefined, retainGraph, createGraph)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto tensors = TensorsArg(env, info[0], false);
  auto grads = TensorsArg(env, info[1], true);
  bool retain = info[2].As<Napi::Boolean>().Value();
  bool create = info[3].As<Napi::Boolean>().Value();
  Guard(env, [&] { torch::autograd::backward(tensors, grads, retain, create); });
  return env.Undefined();
}

// grad(outputs, inputs, gradOutputs | undefined, retainGraph, createGraph, allowUnused) -> (Tensor|undefined)[]
Napi::Value Grad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto outputs = TensorsArg(env, info[0], false);
  auto inputs = TensorsArg(env, info[1], false);
  auto gradOutputs = TensorsArg(env, info[2], true);
  bool retain = info[3].As<Napi::Boolean>().Value();
  bool create = info[4].As<Napi::Boolean>().Value();
  bool allowUnused = info[5].As<Napi::Boolean>().Value();
  return Guard(env, [&]() -> Napi::Value {
    auto grads = torch::autograd::grad(outputs, inputs, gradOutputs, retain, create, allowUnused);
    Napi::Array out = Napi::Array::New(env, grads.size());
    for (size_t i = 0; i < grads.size(); i++) {
      out.Set(uint32_t(i), grads[i].defined() ? Napi::Value(WrapTensor(env, grads[i])) : env.Undefined());
    }
    return out;
  });
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

// setGradEnabled(on) -> previous state
Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(info[0].As<Napi::Boolean>().Value());
  return Napi::Boolean::New(info.Env(), prev);
}

}  // namespace

void InitAutograd(Napi::Env env, Napi::Object exports) {
  exports.Set("backward", Napi::Function::New(env, Backward));
  exports.Set("autogradGrad", Napi::Function::New(env, Grad));
  exports.Set("isGradEnabled", Napi::Function::New(env, IsGradEnabled));
  exports.Set("setGradEnabled", Napi::Function::New(env, SetGradEnabled));
}

}  // namespace b2b
