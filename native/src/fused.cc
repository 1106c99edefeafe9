// Fused kernels for NAFNet's memory-bound elementwise chains on channels-last activations [..., C]
// (profiled: ATen's layer norm over a short last dimension ran at ~2 GB/s here, and SimpleGate's
// backward paid a cat of its two half-gradients).
//
//   layerNormLast(x, w, b, eps)  per row of C values: (x − mean)·rstd·w + b (biased variance), as
//                                layer_norm(x, [C]); backward is ATen's own layer-norm backward.
//   simpleGate(x)                [..., 2c] → [..., c]: x[..., :c] · x[..., c:]; backward writes both
//                                halves of the input gradient in one pass.
//   channelScale(x, s)           [N, H, W, C] · s [N, 1, 1, C] (the channel attention's product);
//                                backward gives g·s and Σ_HW g·x in one pass.
//   scaledResidual(r, x, w)      r + x·w with w [C] (NAFNet's +β·, +γ· branches); backward gives g,
//                                g·w and Σ g·x in one pass.
//   pointwiseConv(x, w, b)       a 1×1 convolution on [..., Cin] with w [Cout, Cin(, 1, 1)]: x·wᵀ + b,
//                                its matrix products split by rows over libtorch's thread pool.
//
// BLAS threads. OpenBLAS keeps a pool of its own that busy-waits after each call; beside libtorch's
// OpenMP pool (which also spins) on two cores, every switch between a matrix product and an
// elementwise kernel cost both pools their core: a channels-last NAFNet step ran 2× slower on two
// threads than on one. So OpenBLAS runs single-threaded (addon.cc) and the products here are
// parallelised by rows through at::parallel_for, like every other kernel.
//
// Both are autograd Functions: gradients flow as through the unfused ops (checked against them by
// test/tensor/fused.test.ts with gradcheck). Other dtypes and devices run the unfused ATen ops.
#include <ATen/Parallel.h>
#include <torch/csrc/autograd/custom_function.h>

#include <cmath>

#include "common.h"

namespace b2b {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::Function;
using torch::autograd::variable_list;

bool FastPath(const at::Tensor& x) {
  return x.device().is_cpu() && x.scalar_type() == at::kFloat;
}

struct LayerNormLast : public Function<LayerNormLast> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias, double eps) {
    const at::Tensor x = input.contiguous();
    const int64_t c = x.size(-1), rows = x.numel() / c;
    at::Tensor out = at::empty_like(x);
    std::vector<int64_t> statShape(x.sizes().begin(), x.sizes().end());
    statShape.back() = 1;
    at::Tensor mean = at::empty(statShape, x.options()), rstd = at::empty(statShape, x.options());
    const at::Tensor w = weight.contiguous(), b = bias.contiguous();
    const float* px = x.data_ptr<float>();
    const float* pw = w.data_ptr<float>();
    const float* pb = b.data_ptr<float>();
    float* po = out.data_ptr<float>();
    float* pm = mean.data_ptr<float>();
    float* pr = rstd.data_ptr<float>();
    at::parallel_for(0, rows, 1024, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; r++) {
        const float* xr = px + r * c;
        float* orow = po + r * c;
        float s = 0;
        for (int64_t j = 0; j < c; j++) s += xr[j];
        const float mu = s / float(c);
        float v = 0;
        for (int64_t j = 0; j < c; j++) v += (xr[j] - mu) * (xr[j] - mu);
        const float rs = 1.0f / std::sqrt(v / float(c) + float(eps));
        for (int64_t j = 0; j < c; j++) orow[j] = (xr[j] - mu) * rs * pw[j] + pb[j];
        pm[r] = mu;
        pr[r] = rs;
      }
    });
    ctx->save_for_backward({x, weight, bias, mean, rstd});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto s = ctx->get_saved_variables();
    const at::Tensor& x = s[0];
    const at::Tensor& w = s[1];
    const at::Tensor& b = s[2];
    const std::array<bool, 3> mask = {ctx->needs_input_grad(0), ctx->needs_input_grad(1), ctx->needs_input_grad(2)};
    auto r = at::native_layer_norm_backward(grads[0].contiguous(), x, {x.size(-1)}, s[3], s[4], w, b, mask);
    return {std::get<0>(r), std::get<1>(r), std::get<2>(r), at::Tensor()};
  }
};

struct SimpleGate : public Function<SimpleGate> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input) {
    const at::Tensor x = input.contiguous();
    const int64_t c2 = x.size(-1), c = c2 / 2, rows = x.numel() / c2;
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = c;
    at::Tensor out = at::empty(shape, x.options());
    const float* px = x.data_ptr<float>();
    float* po = out.data_ptr<float>();
    at::parallel_for(0, rows, 1024, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; r++) {
        const float* a = px + r * c2;
        const float* b = a + c;
        float* o = po + r * c;
        for (int64_t j = 0; j < c; j++) o[j] = a[j] * b[j];
      }
    });
    ctx->save_for_backward({x});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const at::Tensor x = ctx->get_saved_variables()[0];
    const at::Tensor g = grads[0].contiguous();
    if (at::GradMode::is_enabled()) {
      // Double backward: the same gradient from differentiable ops.
      auto halves = x.chunk(2, -1);
      return {at::cat({g * halves[1], g * halves[0]}, -1)};
    }
    const int64_t c2 = x.size(-1), c = c2 / 2, rows = x.numel() / c2;
    at::Tensor gx = at::empty_like(x);
    const float* px = x.data_ptr<float>();
    const float* pg = g.data_ptr<float>();
    float* pgx = gx.data_ptr<float>();
    at::parallel_for(0, rows, 1024, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; r++) {
        const float* a = px + r * c2;
        const float* b = a + c;
        const float* gr = pg + r * c;
        float* ga = pgx + r * c2;
        float* gb = ga + c;
        for (int64_t j = 0; j < c; j++) {
          ga[j] = gr[j] * b[j];
          gb[j] = gr[j] * a[j];
        }
      }
    });
    return {gx};
  }
};

struct ChannelScale : public Function<ChannelScale> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& scale) {
    const at::Tensor x = input.contiguous(), s = scale.contiguous();
    const int64_t n = x.size(0), c = x.size(-1), pixels = x.numel() / (n * c);
    at::Tensor out = at::empty_like(x);
    const float* px = x.data_ptr<float>();
    const float* ps = s.data_ptr<float>();
    float* po = out.data_ptr<float>();
    at::parallel_for(0, n * pixels, 1024, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; r++) {
        const float* sr = ps + (r / pixels) * c;
        const float* xr = px + r * c;
        float* orow = po + r * c;
        for (int64_t j = 0; j < c; j++) orow[j] = xr[j] * sr[j];
      }
    });
    ctx->save_for_backward({x, s});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& s = saved[1];
    const at::Tensor g = grads[0].contiguous();
    if (at::GradMode::is_enabled()) return {g * s, (g * x).sum({1, 2}, true)};
    const int64_t n = x.size(0), c = x.size(-1), pixels = x.numel() / (n * c);
    at::Tensor gx = at::empty_like(x), gs = at::zeros_like(s);
    const float* px = x.data_ptr<float>();
    const float* ps = s.data_ptr<float>();
    const float* pg = g.data_ptr<float>();
    float* pgx = gx.data_ptr<float>();
    float* pgs = gs.data_ptr<float>();
    at::parallel_for(0, n, 1, [&](int64_t begin, int64_t end) {
      for (int64_t b = begin; b < end; b++) {
        const float* sr = ps + b * c;
        float* acc = pgs + b * c;
        for (int64_t p = 0; p < pixels; p++) {
          const int64_t o = (b * pixels + p) * c;
          for (int64_t j = 0; j < c; j++) {
            pgx[o + j] = pg[o + j] * sr[j];
            acc[j] += pg[o + j] * px[o + j];
          }
        }
      }
    });
    return {gx, gs};
  }
};

struct ScaledResidual : public Function<ScaledResidual> {
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& residual, const at::Tensor& input, const at::Tensor& weight) {
    const at::Tensor r = residual.contiguous(), x = input.contiguous(), w = weight.contiguous();
    const int64_t c = x.size(-1), rows = x.numel() / c;
    at::Tensor out = at::empty_like(x);
    const float* pr = r.data_ptr<float>();
    const float* px = x.data_ptr<float>();
    const float* pw = w.data_ptr<float>();
    float* po = out.data_ptr<float>();
    at::parallel_for(0, rows, 1024, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin * c; i < end * c; i += c) {
        for (int64_t j = 0; j < c; j++) po[i + j] = pr[i + j] + px[i + j] * pw[j];
      }
    });
    ctx->save_for_backward({x, w});
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& w = saved[1];
    const at::Tensor g = grads[0].contiguous();
    const int64_t c = x.size(-1), rows = x.numel() / c;
    if (at::GradMode::is_enabled()) return {g, g * w, (g * x).reshape({rows, c}).sum(0)};
    at::Tensor gx = at::empty_like(x);
    // Partial sums of g·x over a fixed split of the rows (independent of the thread count, so results
    // repeat exactly on any number of threads), then one reduction.
    const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(64, rows / 256));
    at::Tensor partial = at::zeros({chunks, c}, x.options());
    const float* px = x.data_ptr<float>();
    const float* pw = w.data_ptr<float>();
    const float* pg = g.data_ptr<float>();
    float* pgx = gx.data_ptr<float>();
    float* pp = partial.data_ptr<float>();
    at::parallel_for(0, chunks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; k++) {
        float* acc = pp + k * c;
        const int64_t r0 = rows * k / chunks, r1 = rows * (k + 1) / chunks;
        for (int64_t i = r0 * c; i < r1 * c; i += c) {
          for (int64_t j = 0; j < c; j++) {
            pgx[i + j] = pg[i + j] * pw[j];
            acc[j] += pg[i + j] * px[i + j];
          }
        }
      }
    });
    return {g, gx, partial.sum(0)};
  }
};

// Row blocks of an [M, ·] product: a fixed split (independent of the thread count, so the weight
// gradient's partial sums, and so every result, repeat exactly on any number of threads).
int64_t RowBlocks(int64_t rows) {
  return std::max<int64_t>(1, std::min<int64_t>(32, rows / 2048));
}

struct PointwiseConv : public Function<PointwiseConv> {
  // bias: [Cout], or an empty placeholder (autograd Functions take defined tensors) when hasBias is false.
  static at::Tensor forward(AutogradContext* ctx, const at::Tensor& input, const at::Tensor& weight, const at::Tensor& bias, bool hasBias) {
    const at::Tensor x = input.contiguous();
    const at::Tensor w = weight.reshape({weight.size(0), -1}).contiguous();  // [Cout, Cin]
    const int64_t cin = x.size(-1), cout = w.size(0), rows = x.numel() / cin;
    const at::Tensor x2 = x.view({rows, cin}), wt = w.t();
    at::Tensor out = at::empty({rows, cout}, x.options());
    const int64_t blocks = RowBlocks(rows);
    at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
      at::NoGradGuard noGrad;  // grad mode is per thread: the pool's threads have it on
      for (int64_t k = begin; k < end; k++) {
        const int64_t r0 = rows * k / blocks, r1 = rows * (k + 1) / blocks;
        at::Tensor o = out.slice(0, r0, r1);
        if (hasBias) at::addmm_out(o, bias, x2.slice(0, r0, r1), wt);
        else at::mm_out(o, x2.slice(0, r0, r1), wt);
      }
    });
    ctx->save_for_backward({x, w});
    ctx->saved_data["has_bias"] = hasBias;
    ctx->saved_data["wshape"] = weight.sizes().vec();
    std::vector<int64_t> shape(x.sizes().begin(), x.sizes().end());
    shape.back() = cout;
    return out.view(shape);
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const at::Tensor& x = saved[0];
    const at::Tensor& w = saved[1];  // [Cout, Cin]
    const bool hasBias = ctx->saved_data["has_bias"].toBool();
    const int64_t cin = x.size(-1), cout = w.size(0), rows = x.numel() / cin;
    const at::Tensor g = grads[0].contiguous().view({rows, cout}), x2 = x.view({rows, cin});
    const std::vector<int64_t> wshape = ctx->saved_data["wshape"].toIntVector();
    if (at::GradMode::is_enabled()) {
      at::Tensor gx = at::mm(g, w).view(x.sizes()), gw = at::mm(g.t(), x2).view(wshape);
      return {gx, gw, hasBias ? g.sum(0) : at::Tensor(), at::Tensor()};
    }
    at::Tensor gx = at::empty({rows, cin}, x.options());
    const int64_t blocks = RowBlocks(rows);
    at::Tensor gwParts = at::zeros({blocks, cout, cin}, x.options()), gbParts = at::zeros({blocks, cout}, x.options());
    at::parallel_for(0, blocks, 1, [&](int64_t begin, int64_t end) {
      at::NoGradGuard noGrad;  // grad mode is per thread: the pool's threads have it on
      for (int64_t k = begin; k < end; k++) {
        const int64_t r0 = rows * k / blocks, r1 = rows * (k + 1) / blocks;
        const at::Tensor gk = g.slice(0, r0, r1);
        at::Tensor gxk = gx.slice(0, r0, r1), gwk = gwParts.select(0, k), gbk = gbParts.select(0, k);
        at::mm_out(gxk, gk, w);
        at::mm_out(gwk, gk.t(), x2.slice(0, r0, r1));
        if (hasBias) at::sum_out(gbk, gk, {0});
      }
    });
    return {gx.view(x.sizes()), gwParts.sum(0).view(wshape), hasBias ? gbParts.sum(0) : at::Tensor(), at::Tensor()};
  }
};

// layerNormLast(x, weight, bias, eps) -> tensor
Napi::Value LayerNormLastJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& x = TensorArg(env, info[0]);
  const at::Tensor& w = TensorArg(env, info[1]);
  const at::Tensor& b = TensorArg(env, info[2]);
  double eps = info[3].As<Napi::Number>().DoubleValue();
  return Guard(env, [&]() -> Napi::Value {
    TORCH_CHECK(x.dim() >= 1 && w.dim() == 1 && b.dim() == 1 && w.size(0) == x.size(-1) && b.size(0) == x.size(-1),
                "layerNormLast: weight and bias must be [C] for input of last dimension C, got input ", x.sizes(), ", weight ", w.sizes(), ", bias ", b.sizes());
    if (!FastPath(x) || !FastPath(w) || !FastPath(b)) {
      // Under autocast x may be bfloat16/float16 while the affine parameters stay float32: normalise in
      // float32 (as autocast's own float32 policy for layer norms).
      const bool reduced = x.scalar_type() != w.scalar_type() && (x.scalar_type() == at::kBFloat16 || x.scalar_type() == at::kHalf);
      if (reduced) return WrapTensor(env, at::layer_norm(x.to(w.scalar_type()), {x.size(-1)}, w, b, eps));
      return WrapTensor(env, at::layer_norm(x, {x.size(-1)}, w, b, eps));
    }
    return WrapTensor(env, LayerNormLast::apply(x, w, b, eps));
  });
}

// simpleGate(x) -> tensor
Napi::Value SimpleGateJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& x = TensorArg(env, info[0]);
  return Guard(env, [&]() -> Napi::Value {
    TORCH_CHECK(x.dim() >= 1 && x.size(-1) % 2 == 0, "simpleGate: the last dimension must be even, got input ", x.sizes());
    if (!FastPath(x)) {
      auto halves = x.chunk(2, -1);
      return WrapTensor(env, halves[0] * halves[1]);
    }
    return WrapTensor(env, SimpleGate::apply(x));
  });
}

// channelScale(x [N, H, W, C], s [N, 1, 1, C]) -> tensor
Napi::Value ChannelScaleJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& x = TensorArg(env, info[0]);
  const at::Tensor& s = TensorArg(env, info[1]);
  return Guard(env, [&]() -> Napi::Value {
    TORCH_CHECK(x.dim() == 4 && s.dim() == 4 && s.size(0) == x.size(0) && s.size(1) == 1 && s.size(2) == 1 && s.size(3) == x.size(3),
                "channelScale: expected x [N, H, W, C] and s [N, 1, 1, C], got ", x.sizes(), " and ", s.sizes());
    if (!FastPath(x) || !FastPath(s)) return WrapTensor(env, x * s);
    return WrapTensor(env, ChannelScale::apply(x, s));
  });
}

// scaledResidual(r, x, w [C]) -> r + x·w
Napi::Value ScaledResidualJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& r = TensorArg(env, info[0]);
  const at::Tensor& x = TensorArg(env, info[1]);
  const at::Tensor& w = TensorArg(env, info[2]);
  return Guard(env, [&]() -> Napi::Value {
    TORCH_CHECK(r.sizes() == x.sizes() && x.dim() >= 1 && w.dim() == 1 && w.size(0) == x.size(-1),
                "scaledResidual: expected r and x of one shape [..., C] and w [C], got ", r.sizes(), ", ", x.sizes(), " and ", w.sizes());
    if (!FastPath(r) || !FastPath(x) || !FastPath(w)) {
      // Mixed dtypes (autocast): computed in the wider type.
      const c10::ScalarType t = at::promote_types(at::promote_types(r.scalar_type(), x.scalar_type()), w.scalar_type());
      return WrapTensor(env, at::addcmul(r.to(t), x.to(t), w.to(t)));
    }
    return WrapTensor(env, ScaledResidual::apply(r, x, w));
  });
}

// pointwiseConv(x [..., Cin], w [Cout, Cin(, 1, 1)], b [Cout] | undefined) -> [..., Cout]
Napi::Value PointwiseConvJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const at::Tensor& x = TensorArg(env, info[0]);
  const at::Tensor& w = TensorArg(env, info[1]);
  const bool hasBias = !(info[2].IsUndefined() || info[2].IsNull());
  at::Tensor b = hasBias ? TensorArg(env, info[2]) : at::Tensor();
  return Guard(env, [&]() -> Napi::Value {
    const int64_t cin = x.dim() >= 1 ? x.size(-1) : -1;
    TORCH_CHECK(x.dim() >= 1 && w.dim() >= 2 && w.size(1) == cin && w.numel() == w.size(0) * cin && (!hasBias || (b.dim() == 1 && b.size(0) == w.size(0))),
                "pointwiseConv: expected x [..., Cin], w [Cout, Cin] or [Cout, Cin, 1, 1] and b [Cout], got ", x.sizes(), ", ", w.sizes(), hasBias ? " and " : "", hasBias ? b.sizes() : c10::IntArrayRef());
    if (!FastPath(x) || !FastPath(w) || (hasBias && !FastPath(b))) return WrapTensor(env, at::linear(x, w.reshape({w.size(0), cin}), b));
    // The weight gradient takes the parameter's own shape (view back from [Cout, Cin]).
    return WrapTensor(env, PointwiseConv::apply(x, w, hasBias ? b : at::empty({0}, x.options()), hasBias));
  });
}

}  // namespace

void InitFused(Napi::Env env, Napi::Object exports) {
  exports.Set("pointwiseConv", Napi::Function::New(env, PointwiseConvJs));
  exports.Set("channelScale", Napi::Function::New(env, ChannelScaleJs));
  exports.Set("scaledResidual", Napi::Function::New(env, ScaledResidualJs));
  exports.Set("layerNormLast", Napi::Function::New(env, LayerNormLastJs));
  exports.Set("simpleGate", Napi::Function::New(env, SimpleGateJs));
}

}  // namespace b2b
