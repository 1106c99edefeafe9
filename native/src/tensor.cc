// Tensor handles (a table of at::Tensor indexed by plain JS numbers) and typed-array conversion.
#include <cmath>
#include <cstring>

#include "common.h"

namespace b2b {

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

// ---- handle table ------------------------------------------------------------------------------

double HandleTable::Add(Napi::Env env, at::Tensor t) {
  uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    if (slots_.size() >= size_t(kSlots)) throw Napi::Error::New(env, "too many live tensors (4194304): dispose or use scope()");
    slot = uint32_t(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.tensor = std::move(t);
  live_++;
  return double(s.generation) * kSlots + double(slot);
}

bool HandleTable::Decode(const Napi::Value& id, uint32_t* slot) const {
  if (!id.IsNumber()) return false;
  double v = id.As<Napi::Number>().DoubleValue();
  if (!(v >= 0) || v != double(int64_t(v))) return false;
  double gen = std::floor(v / kSlots);
  double idx = v - gen * kSlots;
  if (idx >= double(slots_.size())) return false;
  *slot = uint32_t(idx);
  const Slot& s = slots_[*slot];
  return double(s.generation) == gen && s.tensor.defined();
}

bool HandleTable::Valid(const Napi::Value& id) const {
  uint32_t slot;
  return Decode(id, &slot);
}

const at::Tensor& HandleTable::Get(Napi::Env env, const Napi::Value& id) const {
  uint32_t slot;
  if (Decode(id, &slot)) return slots_[slot].tensor;
  if (!id.IsNumber()) throw Napi::TypeError::New(env, "expected a tensor handle");
  throw Napi::Error::New(env, "tensor used after dispose()");
}

void HandleTable::Release(Napi::Env env, const Napi::Value& id) {
  uint32_t slot;
  if (!Decode(id, &slot)) return;
  Slot& s = slots_[slot];
  s.tensor.reset();
  s.generation++;
  free_.push_back(slot);
  live_--;
}

namespace {
thread_local AddonData* tData = nullptr;
}

AddonData& Data() { return *tData; }
void SetData(AddonData* d) { tData = d; }

Napi::Value WrapTensor(Napi::Env env, at::Tensor t) {
  return Napi::Number::New(env, Data().tensors.Add(env, std::move(t)));
}

const at::Tensor& TensorArg(Napi::Env env, const Napi::Value& v) {
  return Data().tensors.Get(env, v);
}

// ---- per-tensor queries: f(handle, ...) ---------------------------------------------------------

namespace {

Napi::Array IntArray(Napi::Env env, c10::IntArrayRef v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(uint32_t(i), double(v[i]));
  return a;
}

#define B2B_QUERY(NAME, EXPR)                                     \
  Napi::Value NAME(const Napi::CallbackInfo& info) {              \
    Napi::Env env = info.Env();                                   \
    const at::Tensor& t = TensorArg(env, info[0]);                \
    return Guard(env, [&]() -> Napi::Value { return EXPR; });     \
  }

B2B_QUERY(Shape, IntArray(env, t.sizes()))
B2B_QUERY(Strides, IntArray(env, t.strides()))
B2B_QUERY(DType, Napi::String::New(env, DTypeName(t.scalar_type())))
B2B_QUERY(Device, Napi::String::New(env, t.device().str()))
B2B_QUERY(Numel, Napi::Number::New(env, double(t.numel())))
B2B_QUERY(IsContiguous, Napi::Boolean::New(env, t.is_contiguous()))
B2B_QUERY(RequiresGrad, Napi::Boolean::New(env, t.requires_grad()))
B2B_QUERY(IsLeaf, Napi::Boolean::New(env, t.is_leaf()))
B2B_QUERY(Grad, t.grad().defined() ? WrapTensor(env, t.grad()) : env.Undefined())
B2B_QUERY(SameStorage, Napi::Boolean::New(env, t.is_alias_of(TensorArg(env, info[1]))))
#undef B2B_QUERY

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Data().tensors.Release(env, info[0]);
  return env.Undefined();
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !Data().tensors.Valid(info[0]));
}

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = TensorArg(env, info[0]);
  bool on = info[1].As<Napi::Boolean>().Value();
  Guard(env, [&] { t.set_requires_grad(on); });
  return env.Undefined();
}

// setGrad(handle, gradHandle | undefined)
Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = TensorArg(env, info[0]);
  Guard(env, [&] {
    if (info.Length() < 2 || info[1].IsUndefined() || info[1].IsNull()) {
      t.mutable_grad().reset();
    } else {
      t.mutable_grad() = TensorArg(env, info[1]);
    }
  });
  return env.Undefined();
}

// setData(handle, src): the handle now refers to src's data (device/dtype moves of parameters keep
// autograd identity, as PyTorch's `param.data = ...`).
Napi::Value SetData(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = TensorArg(env, info[0]);
  const at::Tensor& src = TensorArg(env, info[1]);
  Guard(env, [&] { t.set_data(src); });
  return env.Undefined();
}

Napi::Value ToArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& src = TensorArg(env, info[0]);
  return Guard(env, [&]() -> Napi::Value {
    at::Tensor t = src.detach().to(c10::Device(c10::kCPU)).contiguous();
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

Napi::Value Item(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& t = TensorArg(env, info[0]);
  return Guard(env, [&]() -> Napi::Value {
    if (t.numel() != 1) {
      throw Napi::Error::New(env, "item() needs a tensor with exactly one element, got shape " + c10::str(t.sizes()));
    }
    c10::Scalar s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    return Napi::Number::New(env, s.toDouble());
  });
}

}  // namespace

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
  return Napi::Number::New(info.Env(), double(Data().tensors.Live()));
}

void InitTensor(Napi::Env env, Napi::Object exports) {
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"fromArray", FromArray}, {"liveTensors", LiveTensors}, {"dispose", Dispose}, {"isDisposed", IsDisposed},
      {"shape", Shape}, {"strides", Strides}, {"dtype", DType}, {"device", Device}, {"numel", Numel},
      {"isContiguous", IsContiguous}, {"requiresGrad", RequiresGrad}, {"setRequiresGrad", SetRequiresGrad},
      {"grad", Grad}, {"setGrad", SetGrad}, {"isLeaf", IsLeaf}, {"toArray", ToArray}, {"item", Item},
      {"sameStorage", SameStorage}, {"setData", SetData},
  };
  for (const auto& f : fns) exports.Set(f.first, Napi::Function::New(env, f.second, f.first));
}

}  // namespace b2b
