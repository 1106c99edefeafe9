{
  "targets": [
    {
      "target_name": "b2b_native",
      "sources": [
        "src/addon.cc",
        "src/allocator.cc",
        "src/tensor.cc",
        "src/dispatch.cc",
        "src/autograd.cc",
        "src/generator.cc",
        "src/fused.cc"
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include\")",
        "<!@(node libtorch.cjs include)"
      ],
      "libraries": ["<!@(node libtorch.cjs libs)", "-fopenmp"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "_GLIBCXX_USE_CXX11_ABI=1"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O3", "-fopenmp", "-Wno-unused-parameter", "-Wno-deprecated-declarations"]
    }
  ]
}
