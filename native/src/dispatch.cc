// Generic operator calls through the ATen dispatcher.
//
// op(name, overload) looks an operator up by its schema once and returns an id; call(id, ...args)
// converts the JS arguments according to the cached schema, runs the operator boxed (autograd and
// device dispatch included, exactly as PyTorch runs it) and converts the results back. This keeps the
// shim small while the TypeScript layer exposes a typed API operator by operator.
#include <ATen/core/dispatch/Dispatcher.h>

#include "common.h"

namespace b2b {
namespace {

enum class Kind : uint8_t {
  Tensor, TensorList, OptTensorList, Int, IntList, Float, FloatList, Bool, BoolList, Scalar,
  Str, Device, Generator, DType, Unsupported,
};

struct ArgSpec {
  Kind kind;
  bool optional;
  c10::optional<int> fixedLen;  // int[2]: a single number is repeated
  c10::optional<c10::IValue> def;
  std::string name;
};

struct OpEntry {
  c10::OperatorHandle handle;
  std::vector<ArgSpec> args;
  std::string label;
};

std::vector<OpEntry>& Ops() {
  static std::vector<OpEntry> ops;
  return ops;
}

Kind KindOf(const c10::TypePtr& fake, const c10::TypePtr& real) {
  using K = c10::TypeKind;
  switch (real->kind()) {
    case K::ScalarTypeType: return Kind::DType;
    default: break;
  }
  switch (fake->kind()) {
    case K::TensorType: return Kind::Tensor;
    case K::IntType: case K::SymIntType: return Kind::Int;
    case K::FloatType: return Kind::Float;
    case K::BoolType: return Kind::Bool;
    case K::NumberType: return Kind::Scalar;
    case K::StringType: return Kind::Str;
    case K::DeviceObjType: return Kind::Device;
    case K::GeneratorType: return Kind::Generator;
    case K::ListType: {
      const c10::TypePtr& el = fake->expectRef<c10::ListType>().getElementType();
      switch (el->kind()) {
        case K::TensorType: return Kind::TensorList;
        case K::OptionalType: return Kind::OptTensorList;
        case K::IntType: case K::SymIntType: return Kind::IntList;
        case K::FloatType: return Kind::FloatList;
        case K::BoolType: return Kind::BoolList;
        default: return Kind::Unsupported;
      }
    }
    default: return Kind::Unsupported;
  }
}

int64_t ToInt(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& a) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != double(int64_t(d))) {
      throw Napi::TypeError::New(env, op.label + ": argument '" + a.name + "' must be an integer, got " + std::to_string(d));
    }
    return int64_t(d);
  }
  if (v.IsBigInt()) {
    bool lossless;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  throw Napi::TypeError::New(env, op.label + ": argument '" + a.name + "' must be an integer");
}

c10::IValue Convert(Napi::Env env, const Napi::Value& v, const OpEntry& op, const ArgSpec& a) {
  auto typeError = [&](const char* what) {
    return Napi::TypeError::New(env, op.label + ": argument '" + a.name + "' must be " + what);
  };
  switch (a.kind) {
    case Kind::Tensor:
      if (!v.IsNumber()) throw typeError("a tensor");
      return TensorArg(env, v);
    case Kind::Int: return ToInt(env, v, op, a);
    case Kind::Float:
      if (!v.IsNumber()) throw typeError("a number");
      return v.As<Napi::Number>().DoubleValue();
    case Kind::Bool:
      if (!v.IsBoolean()) throw typeError("a boolean");
      return v.As<Napi::Boolean>().Value();
    case Kind::Scalar:
      if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
      if (v.IsNumber()) {
        double d = v.As<Napi::Number>().DoubleValue();
        // Integral numbers become integer scalars (as Python's 2 vs 2.5): int tensors stay int.
        if (std::isfinite(d) && d == double(int64_t(d))) return c10::Scalar(int64_t(d));
        return c10::Scalar(d);
      }
      throw typeError("a number");
    case Kind::Str:
      if (!v.IsString()) throw typeError("a string");
      return v.As<Napi::String>().Utf8Value();
    case Kind::Device:
      if (!v.IsString()) throw typeError("a device string such as 'cpu' or 'cuda:0'");
      return ParseDevice(env, v.As<Napi::String>().Utf8Value());
    case Kind::DType:
      if (!v.IsString()) throw typeError("a dtype name such as 'float32'");
      return int64_t(ParseDType(env, v.As<Napi::String>().Utf8Value()));
    case Kind::Generator:
      if (!IsGenerator(env, v)) throw typeError("a Generator");
      return GeneratorArg(env, v);
    default: break;
  }
  // Lists.
  if (a.kind == Kind::IntList && v.IsNumber() && a.fixedLen) {
    return std::vector<int64_t>(size_t(*a.fixedLen), ToInt(env, v, op, a));
  }
  if (!v.IsArray()) throw typeError("an array");
  Napi::Array arr = v.As<Napi::Array>();
  uint32_t n = arr.Length();
  switch (a.kind) {
    case Kind::IntList: {
      std::vector<int64_t> out(n);
      for (uint32_t i = 0; i < n; i++) out[i] = ToInt(env, arr.Get(i), op, a);
      return out;
    }
    case Kind::FloatList: {
      std::vector<double> out(n);
      for (uint32_t i = 0; i < n; i++) out[i] = arr.Get(i).As<Napi::Number>().DoubleValue();
      return out;
    }
    case Kind::BoolList: {
      c10::List<bool> out;
      for (uint32_t i = 0; i < n; i++) out.push_back(arr.Get(i).As<Napi::Boolean>().Value());
      return out;
    }
    case Kind::TensorList: {
      c10::List<at::Tensor> out;
      out.reserve(n);
      for (uint32_t i = 0; i < n; i++) out.push_back(TensorArg(env, arr.Get(i)));
      return out;
    }
    case Kind::OptTensorList: {
      c10::List<c10::optional<at::Tensor>> out;
      for (uint32_t i = 0; i < n; i++) {
        Napi::Value e = arr.Get(i);
        if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
        else out.push_back(TensorArg(env, e));
      }
      return out;
    }
    default: throw typeError("of a type this shim does not convert");
  }
}

// Every tensor result becomes a new handle, even when the operator returned one of its inputs
// (contiguous() of a contiguous tensor, in-place operators): handles own references, so disposing
// one never invalidates another. callVoid skips the conversion for in-place calls.
Napi::Value Result(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) {
    const at::Tensor& t = v.toTensor();
    if (!t.defined()) return env.Undefined();
    return WrapTensor(env, t);
  }
  if (v.isTuple() || v.isList()) {
    std::vector<c10::IValue> items;
    if (v.isTuple()) {
      for (const auto& e : v.toTupleRef().elements()) items.push_back(e);
    } else {
      for (const auto& e : v.toListRef()) items.push_back(e);
    }
    Napi::Array out = Napi::Array::New(env, items.size());
    for (size_t i = 0; i < items.size(); i++) out.Set(uint32_t(i), Result(env, items[i]));
    return out;
  }
  if (v.isNone()) return env.Undefined();
  if (v.isInt()) return Napi::Number::New(env, double(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  if (v.isScalar()) return Napi::Number::New(env, v.toScalar().toDouble());
  throw Napi::Error::New(env, std::string("cannot convert an operator result of type ") + v.tagKind());
}

// op(name, overload) -> id
Napi::Value LookupOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  std::string overload = info.Length() > 1 ? info[1].As<Napi::String>().Utf8Value() : "";
  return Guard(env, [&]() -> Napi::Value {
    auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
    std::string label = overload.empty() ? name : name + "." + overload;
    if (!handle) throw Napi::Error::New(env, "unknown operator " + label);
    OpEntry e{*handle, {}, label};
    for (const auto& arg : handle->schema().arguments()) {
      ArgSpec a;
      c10::TypePtr fake = arg.type();
      c10::TypePtr real = arg.real_type();
      a.optional = fake->kind() == c10::TypeKind::OptionalType;
      if (a.optional) {
        fake = fake->expectRef<c10::OptionalType>().getElementType();
        if (real->kind() == c10::TypeKind::OptionalType) real = real->expectRef<c10::OptionalType>().getElementType();
      }
      a.kind = KindOf(fake, real);
      if (arg.N()) a.fixedLen = int(*arg.N());
      a.def = arg.default_value();
      a.name = arg.name();
      e.args.push_back(std::move(a));
    }
    Ops().push_back(std::move(e));
    return Napi::Number::New(env, double(Ops().size() - 1));
  });
}

// Runs operator `info[0]` with the arguments info[1..] and leaves its outputs on `stack`.
// Missing trailing arguments and `undefined` take the schema's default; `null` or `undefined`
// passes None to optional arguments.
void RunOp(const Napi::CallbackInfo& info, torch::jit::Stack& stack) {
  Napi::Env env = info.Env();
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  if (id >= Ops().size()) throw Napi::Error::New(env, "invalid operator id");
  const OpEntry& op = Ops()[id];
  size_t given = info.Length() - 1;
  if (given > op.args.size()) {
    throw Napi::TypeError::New(env, op.label + ": " + std::to_string(given) + " arguments given, at most " +
                                        std::to_string(op.args.size()) + " accepted");
  }
  Guard(env, [&] {
    stack.reserve(op.args.size());
    for (size_t i = 0; i < op.args.size(); i++) {
      const ArgSpec& a = op.args[i];
      Napi::Value v = i < given ? info[uint32_t(i + 1)] : env.Undefined();
      if (v.IsUndefined() || v.IsNull()) {
        if (v.IsUndefined() && a.def) stack.push_back(*a.def);
        else if (a.optional) stack.emplace_back();
        else throw Napi::TypeError::New(env, op.label + ": missing argument '" + a.name + "'");
        continue;
      }
      stack.push_back(Convert(env, v, op, a));
    }
    op.handle.callBoxed(&stack);
  });
}

// One operator stack per thread, reused across calls (no heap allocation per call) and cleared on
// every exit path. Operator calls never re-enter JS, so one stack is never used twice at once.
struct ScratchStack {
  torch::jit::Stack& stack;
  ScratchStack() : stack(Get()) {}
  ~ScratchStack() { stack.clear(); }
  static torch::jit::Stack& Get() {
    static thread_local torch::jit::Stack s;
    return s;
  }
};

// call(id, ...args) -> result (a tuple of results becomes an array)
Napi::Value CallOp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ScratchStack scratch;
  torch::jit::Stack& stack = scratch.stack;
  RunOp(info, stack);
  return Guard(env, [&]() -> Napi::Value {
    if (stack.size() == 1) return Result(env, stack[0]);
    Napi::Array out = Napi::Array::New(env, stack.size());
    for (size_t i = 0; i < stack.size(); i++) out.Set(uint32_t(i), Result(env, stack[i]));
    return out;
  });
}

// callVoid(id, ...args): for in-place operators, whose result is an input already held by JS.
Napi::Value CallVoid(const Napi::CallbackInfo& info) {
  ScratchStack scratch;
  RunOp(info, scratch.stack);
  return info.Env().Undefined();
}

Napi::Value OpSchema(const Napi::CallbackInfo& info) {
  uint32_t id = info[0].As<Napi::Number>().Uint32Value();
  if (id >= Ops().size()) throw Napi::Error::New(info.Env(), "invalid operator id");
  return Napi::String::New(info.Env(), c10::toString(Ops()[id].handle.schema()));
}

}  // namespace

void InitDispatch(Napi::Env env, Napi::Object exports) {
  exports.Set("op", Napi::Function::New(env, LookupOp));
  exports.Set("call", Napi::Function::New(env, CallOp));
  exports.Set("callVoid", Napi::Function::New(env, CallVoid));
  exports.Set("opSchema", Napi::Function::New(env, OpSchema));
}

}  // namespace b2b
