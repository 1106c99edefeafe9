// Mixed precision through libtorch's autocast: inside a region, eligible operators (convolutions, matrix
// products) run in bfloat16 or float16 while parameters and the operators autocast keeps in float32
// stay float32, exactly as torch.autocast does. The regions nest (the cast cache is cleared when the
// outermost one ends). libtorch 2.4 replaced the per-device functions by ones taking a device type.
#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include "common.h"

namespace b2b {
namespace {

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool Enabled(c10::DeviceType d) { return at::autocast::is_autocast_enabled(d); }
void SetEnabled(c10::DeviceType d, bool on) { at::autocast::set_autocast_enabled(d, on); }
c10::ScalarType Dtype(c10::DeviceType d) { return at::autocast::get_autocast_dtype(d); }
void SetDtype(c10::DeviceType d, c10::ScalarType t) { at::autocast::set_autocast_dtype(d, t); }
#else
bool Enabled(c10::DeviceType d) { return d == c10::kCPU ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled(); }
void SetEnabled(c10::DeviceType d, bool on) {
  if (d == c10::kCPU) at::autocast::set_cpu_enabled(on);
  else at::autocast::set_enabled(on);
}
c10::ScalarType Dtype(c10::DeviceType d) {
  return d == c10::kCPU ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
}
void SetDtype(c10::DeviceType d, c10::ScalarType t) {
  if (d == c10::kCPU) at::autocast::set_autocast_cpu_dtype(t);
  else at::autocast::set_autocast_gpu_dtype(t);
}
#endif

c10::DeviceType TypeArg(Napi::Env env, const Napi::Value& v) {
  std::string s = v.As<Napi::String>().Utf8Value();
  if (s == "cpu") return c10::kCPU;
  if (s == "cuda") return c10::kCUDA;
  throw Napi::TypeError::New(env, "autocast: device type must be 'cpu' or 'cuda', got '" + s + "'");
}

// autocastState(deviceType) -> { enabled, dtype }
Napi::Value State(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  c10::DeviceType d = TypeArg(env, info[0]);
  Napi::Object o = Napi::Object::New(env);
  o.Set("enabled", Enabled(d));
  o.Set("dtype", DTypeName(Dtype(d)));
  return o;
}

// setAutocast(deviceType, enabled, dtype)
Napi::Value Set(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  c10::DeviceType d = TypeArg(env, info[0]);
  bool on = info[1].As<Napi::Boolean>().Value();
  c10::ScalarType t = ParseDType(env, info[2].As<Napi::String>().Utf8Value());
  Guard(env, [&] {
    SetDtype(d, t);
    SetEnabled(d, on);
  });
  return env.Undefined();
}

// autocastEnter() / autocastExit(): the nesting count; the outermost exit clears the cast cache.
Napi::Value Enter(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::autocast::increment_nesting());
}
Napi::Value Exit(const Napi::CallbackInfo& info) {
  int left = at::autocast::decrement_nesting();
  if (left == 0) at::autocast::clear_cache();
  return Napi::Number::New(info.Env(), left);
}

}  // namespace

void InitAutocast(Napi::Env env, Napi::Object exports) {
  exports.Set("autocastState", Napi::Function::New(env, State));
  exports.Set("setAutocast", Napi::Function::New(env, Set));
  exports.Set("autocastEnter", Napi::Function::New(env, Enter));
  exports.Set("autocastExit", Napi::Function::New(env, Exit));
}

}  // namespace b2b
