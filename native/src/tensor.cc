// TensorWrap: the JS handle of one at::Tensor, and conversion from/to typed arrays.
#include <cstring>

#include "common.h"

namespace b2b {

std::atomic<int64_t> TensorWrap::live{0};

namespace {

struct DTypeEntry {
  const char* name;
  c10::ScalarType type;
  napi_typedarray_type array;  // the JS typed array that carries its raw elements
};

// float16/bfloat16 travel as their raw 16-bit patterns (Node 20 has no Float16Array);
// complex travels as interleaved (re, im) pairs of the real element type.
const DTypeEntry kDTypes[] = {
    {"float32", c10::ScalarType::Float, napi_float32_array},
    {"float64", c10::ScalarType::Double, napi_float64_array},
    {"float16", c10::ScalarType::Half, napi_uint16_array},
    {"bfloat16", c10::ScalarType::BFloat16, napi_uint16_array},
    {"int64", c10::ScalarType::Long, napi_bigint64_array},
    {"int32", c10::ScalarType::Int, napi_int32_array},
    {"int16", c10::ScalarType::Short, napi_int16_array},
    {"int8", c10::ScalarType::Char, napi_int8_array},
    {"uint8", c10::ScalarType::Byte, napi_uint8_array},
    {"bool", c10::ScalarType::Bool, napi_uint8_array},
    {"complex64", c10::ScalarType::ComplexFloat, napi_float32_array},
    {"complex128", c10::ScalarType::ComplexDouble, napi_float64_array},
};

const DTypeEntry& EntryOf(c10::ScalarType t) {
  for (const auto& e : kDTypes) {
    if (e.type == t) return e;
  }
  throw std::runtime_error(std::string("unsupported dtype ") + c10::toString(t));
}

std::vector<int64_t> ShapeArg(Napi::Env env, const Napi::Value& v) {
  if (!v.IsArray()) throw Napi::TypeError::New(env, "shape must be an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) out[i] = a.Get(i).As<Napi::Number>().Int64Value();
  return out;
}

}  // namespace

c10::ScalarType ParseDType(Napi::Env env, const std::string& name) {
  for (const auto& e : kDTypes) {
    if (name == e.name) return e.type;
  }
  throw Napi::TypeError::New(env, "unknown dtype '" + name + "'");
}

std::string DTypeName(c10::ScalarType t) { return EntryOf(t).name; }

c10::Device ParseDevice(Napi::Env env, const std::string& name) {
  return Guard(env, [&] { return c10::Device(name); });
}

// ---- TensorWrap ---------------------------------------------------------------------------------

Napi::Function TensorWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeTensor",
                     {
                         InstanceMethod("dispose", &TensorWrap::Dispose),
                         InstanceMethod("isDisposed", &TensorWrap::IsDisposed),
                         InstanceMethod("shape", &TensorWrap::Shape),
                         InstanceMethod("strides", &TensorWrap::Strides),
                         InstanceMethod("dtype", &TensorWrap::DType),
                         InstanceMethod("device", &TensorWrap::Device),
                         InstanceMethod("numel", &TensorWrap::Numel),
                         InstanceMethod("dim", &TensorWrap::Dim),
                         InstanceMethod("isContiguous", &TensorWrap::IsContiguous),
                         InstanceMethod("requiresGrad", &TensorWrap::RequiresGrad),
                         InstanceMethod("setRequiresGrad", &TensorWrap::SetRequiresGrad),
                         InstanceMethod("grad", &TensorWrap::Grad),
                         InstanceMethod("setGrad", &TensorWrap::SetGrad),
                         InstanceMethod("isLeaf", &TensorWrap::IsLeaf),
                         InstanceMethod("toArray", &TensorWrap::ToArray),
                         InstanceMethod("item", &TensorWrap::Item),
                         InstanceMethod("sameStorage", &TensorWrap::SameStorage),
                         InstanceMethod("setData", &TensorWrap::SetData),
                     });
}

TensorWrap::TensorWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorWrap>(info) {}

TensorWrap::~TensorWrap() {
  if (tensor_.defined()) live--;
  // The external-memory counter cannot be adjusted here (no env during finalisation is safe to use
  // for that in all Node versions); the amount is small relative to V8's heuristics window.
}

void TensorWrap::Set(Napi::Env env, at::Tensor t) {
  Release(env);
  tensor_ = std::move(t);
  if (tensor_.defined()) {
    live++;
    if (!tensor_.is_view() && tensor_.device().is_cpu()) {
      external_ = int64_t(tensor_.nbytes());
      Napi::MemoryManagement::AdjustExternalMemory(env, external_);
    }
  }
}

void TensorWrap::Release(Napi::Env env) {
  if (!tensor_.defined()) return;
  tensor_.reset();
  live--;
  if (external_ != 0) {
    Napi::MemoryManagement::AdjustExternalMemory(env, -external_);
    external_ = 0;
  }
}

const at::Tensor& TensorWrap::Get(Napi::Env env) const {
  if (!tensor_.defined()) throw Napi::Error::New(env, "tensor used after dispose()");
  return tensor_;
}

Napi::Value TensorWrap::Dispose(const Napi::CallbackInfo& info) {
  Release(info.Env());
  return info.Env().Undefined();
}

Napi::Value TensorWrap::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !tensor_.defined());
}

static Napi::Array IntArray(Napi::Env env, c10::IntArrayRef v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(uint32_t(i), double(v[i]));
  return a;
}

Napi::Value TensorWrap::Shape(const Napi::CallbackInfo& info) {
  return IntArray(info.Env(), Get(info.Env()).sizes());
}
Napi::Value TensorWrap::Strides(const Napi::CallbackInfo& info) {
  return IntArray(info.Env(), Get(info.Env()).strides());
}
Napi::Value TensorWrap::DType(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), DTypeName(Get(info.Env()).scalar_type()));
}
Napi::Value TensorWrap::Device(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), Get(info.Env()).device().str());
}
Napi::Value TensorWrap::Numel(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(Get(info.Env()).numel()));
}
Napi::Value TensorWrap::Dim(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(Get(info.Env()).dim()));
}
Napi::Value TensorWrap::IsContiguous(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Get(info.Env()).is_contiguous());
}
Napi::Value TensorWrap::RequiresGrad(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Get(info.Env()).requires_grad());
}
Napi::Value TensorWrap::SetRequiresGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bool on = info[0].As<Napi::Boolean>().Value();
  Guard(env, [&] { Get(env).set_requires_grad(on); });
  return env.Undefined();
}
Napi::Value TensorWrap::Grad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& g = Get(env).grad();
  if (!g.defined()) return env.Undefined();
  return WrapTensor(env, g);
}
Napi::Value TensorWrap::SetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = Get(env);
  Guard(env, [&] {
    if (info.Length() == 0 || info[0].IsUndefined() || info[0].IsNull()) {
      t.mutable_grad().reset();
    } else {
      t.mutable_grad() = TensorArg(env, info[0]);
    }
  });
  return env.Undefined();
}
Napi::Value TensorWrap::IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), Get(info.Env()).is_leaf());
}

Napi::Value TensorWrap::ToArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guard(env, [&]() -> Napi::Value {
    at::Tensor t = Get(env).detach().to(c10::Device(c10::kCPU)).contiguous();
    const DTypeEntry& e = EntryOf(t.scalar_type());
    size_t bytes = t.nbytes();
    Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, bytes);
    if (bytes > 0) std::memcpy(buf.Data(), t.data_ptr(), bytes);
    size_t elemBytes = c10::elementSize(t.scalar_type());
    if (t.is_complex()) elemBytes /= 2;
    napi_value out;
    napi_status s = napi_create_typedarray(env, e.array, bytes / elemBytes, buf, 0, &out);
    if (s != napi_ok) throw Napi::Error::New(env, "could not create a typed array");
    return Napi::Value(env, out);
  });
}

Napi::Value TensorWrap::Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Guard(env, [&]() -> Napi::Value {
    const at::Tensor& t = Get(env);
    if (t.numel() != 1) {
      throw Napi::Error::New(env, "item() needs a tensor with exactly one element, got shape " +
                                      c10::str(t.sizes()));
    }
    c10::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    return Napi::Number::New(env, s.toDouble());
  });
}

Napi::Value TensorWrap::SameStorage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::Boolean::New(env, Get(env).is_alias_of(TensorArg(env, info[0])));
}

// setData(other): this handle now refers to other's data (device/dtype moves of parameters keep the
// same JS object and autograd identity, as PyTorch's `param.data = ...`).
Napi::Value TensorWrap::SetData(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& other = TensorArg(env, info[0]);
  Guard(env, [&] { Get(env).set_data(other); });
  return env.Undefined();
}

// ---- helpers ------------------------------------------------------------------------------------

Napi::Object WrapTensor(Napi::Env env, at::Tensor t) {
  Napi::Object obj = env.GetInstanceData<AddonData>()->tensorCtor.New({});
  TensorWrap::Unwrap(obj)->Set(env, std::move(t));
  return obj;
}

bool IsTensor(Napi::Env env, const Napi::Value& v) {
  return v.IsObject() &&
         v.As<Napi::Object>().InstanceOf(env.GetInstanceData<AddonData>()->tensorCtor.Value());
}

TensorWrap* UnwrapTensor(Napi::Env env, const Napi::Value& v) {
  if (!IsTensor(env, v)) throw Napi::TypeError::New(env, "expected a native tensor");
  return TensorWrap::Unwrap(v.As<Napi::Object>());
}

const at::Tensor& TensorArg(Napi::Env env, const Napi::Value& v) { return UnwrapTensor(env, v)->Get(env); }

// fromArray(typedArray, shape, dtype, device): copies the elements into a new tensor.
static Napi::Value FromArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) throw Napi::TypeError::New(env, "fromArray: expected a typed array");
  Napi::TypedArray arr = info[0].As<Napi::TypedArray>();
  std::vector<int64_t> shape = ShapeArg(env, info[1]);
  c10::ScalarType dtype = ParseDType(env, info[2].As<Napi::String>().Utf8Value());
  c10::Device device = ParseDevice(env, info[3].As<Napi::String>().Utf8Value());
  return Guard(env, [&]() -> Napi::Value {
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t need = t.nbytes();
    if (arr.ByteLength() != need) {
      throw Napi::RangeError::New(env, "fromArray: " + std::to_string(arr.ByteLength()) +
                                           " bytes given for shape " + c10::str(t.sizes()) + " of " +
                                           DTypeName(dtype) + ", which needs " + std::to_string(need));
    }
    if (need > 0) {
      const uint8_t* src = static_cast<const uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
      std::memcpy(t.data_ptr(), src, need);
    }
    if (!device.is_cpu()) t = t.to(device);
    return WrapTensor(env, std::move(t));
  });
}

static Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(TensorWrap::live.load()));
}

void InitTensor(Napi::Env env, Napi::Object exports) {
  Napi::Function ctor = TensorWrap::Define(env);
  env.GetInstanceData<AddonData>()->tensorCtor = Napi::Persistent(ctor);
  exports.Set("NativeTensor", ctor);
  exports.Set("fromArray", Napi::Function::New(env, FromArray));
  exports.Set("liveTensors", Napi::Function::New(env, LiveTensors));
}

}  // namespace b2b
