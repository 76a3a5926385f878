# Build of the native addon `build/Release/graft.node` (run by `npm install` / `npm ci` through node-gyp).
# Nothing is downloaded: node-gyp takes Node's headers from npm's `nodedir` (or its own header cache) and
# node-addon-api is an ordinary npm dependency. CUDA is not linked: it will be loaded with dlopen at run time,
# so the addon builds and loads on machines without CUDA.
{
  "targets": [
    {
      "target_name": "graft",
      "sources": [
        "native/addon.cc",
        "native/kernels.cc",
        "native/host_memory.cc",
        "native/host_pool.cc",
        "native/release_tokens.cc",
        "native/cuda_driver.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"
      ],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": ["-ldl"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      }
    }
  ]
}
