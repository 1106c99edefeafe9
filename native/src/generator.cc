// Seeded random generators, so that every random op of a run can be reproduced and resumed.
#include <ATen/CPUGeneratorImpl.h>

#include "common.h"

namespace b2b {
namespace {

class GeneratorWrap : public Napi::ObjectWrap<GeneratorWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeGenerator",
                       {
                           InstanceMethod("seed", &GeneratorWrap::Seed),
                           InstanceMethod("manualSeed", &GeneratorWrap::ManualSeed),
                           InstanceMethod("getState", &GeneratorWrap::GetState),
                           InstanceMethod("setState", &GeneratorWrap::SetState),
                           InstanceMethod("device", &GeneratorWrap::Device),
                       });
  }
  explicit GeneratorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GeneratorWrap>(info) {}
  at::Generator gen;

 private:
  Napi::Value Seed(const Napi::CallbackInfo& info) {
    return Napi::BigInt::New(info.Env(), gen.current_seed());
  }
  Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
    bool lossless;
    uint64_t s = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless)
                                    : uint64_t(info[0].As<Napi::Number>().Int64Value());
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(s);
    return info.Env().Undefined();
  }
  Napi::Value GetState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return Guard(env, [&]() -> Napi::Value {
      std::lock_guard<std::mutex> lock(gen.mutex());
      return WrapTensor(env, gen.get_state());
    });
  }
  Napi::Value SetState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const at::Tensor& state = TensorArg(env, info[0]);
    Guard(env, [&] {
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(state);
    });
    return env.Undefined();
  }
  Napi::Value Device(const Napi::CallbackInfo& info) {
    return Napi::String::New(info.Env(), gen.device().str());
  }
};

// newGenerator(seed, device): a private generator for that device.
Napi::Value NewGenerator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string device = info.Length() > 1 ? info[1].As<Napi::String>().Utf8Value() : "cpu";
  c10::Device dev = ParseDevice(env, device);
  Napi::Object obj = Data().generatorCtor.New({});
  GeneratorWrap* w = GeneratorWrap::Unwrap(obj);
  Guard(env, [&] {
    if (dev.is_cpu()) {
      w->gen = at::make_generator<at::CPUGeneratorImpl>();
    } else {
      // Other devices: clone the device's default generator type through the global context.
      w->gen = at::globalContext().defaultGenerator(dev).clone();
    }
  });
  obj.Get("manualSeed").As<Napi::Function>().Call(obj, {info[0]});
  return obj;
}

// manualSeed(seed): seeds the default generators (as torch.manual_seed).
Napi::Value ManualSeedAll(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t s = uint64_t(info[0].As<Napi::Number>().Int64Value());
  Guard(env, [&] { torch::manual_seed(s); });
  return env.Undefined();
}

}  // namespace

bool IsGenerator(Napi::Env env, const Napi::Value& v) {
  return v.IsObject() &&
         v.As<Napi::Object>().InstanceOf(Data().generatorCtor.Value());
}

at::Generator GeneratorArg(Napi::Env env, const Napi::Value& v) {
  return GeneratorWrap::Unwrap(v.As<Napi::Object>())->gen;
}

void InitGenerator(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = GeneratorWrap::Define(env);
  Data().generatorCtor = Napi::Persistent(ctor);
  exports.Set("newGenerator", Napi::Function::New(env, NewGenerator));
  exports.Set("manualSeed", Napi::Function::New(env, ManualSeedAll));
}

}  // namespace b2b
