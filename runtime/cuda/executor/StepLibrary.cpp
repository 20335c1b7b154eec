//===- StepLibrary.cpp - a loaded step.so ---------------------------------===//

#include "runtime/cuda/executor/StepLibrary.h"

#include "runtime/cuda/mpc_cuda_runtime.h"

#include <nlohmann/json.hpp>

#include <dlfcn.h>
#include <fstream>
#include <sstream>

namespace mpc::cuda {

std::unique_ptr<StepLibrary> StepLibrary::open(const std::string &path,
                                               const std::string &manifestPath,
                                               const Manifest &manifest,
                                               std::string &error) {
  void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    error = std::string("cannot load the step library: ") + dlerror();
    return nullptr;
  }
  std::unique_ptr<StepLibrary> library(new StepLibrary(handle));
  auto symbol = [&](const std::string &name) -> void * {
    void *address = dlsym(handle, name.c_str());
    if (!address)
      error = path + ": exports no '" + name + "'";
    return address;
  };
  auto abiVersion = reinterpret_cast<int (*)()>(symbol("mpc_abi_version"));
  if (!abiVersion)
    return nullptr;
  if (abiVersion() != MPC_CUDA_ABI_VERSION) {
    error = path + ": built for runtime ABI version " +
            std::to_string(abiVersion()) + ", but this mpc runs version " +
            std::to_string(MPC_CUDA_ABI_VERSION);
    return nullptr;
  }
  auto embedded =
      reinterpret_cast<const char *(*)()>(symbol("mpc_manifest_json"));
  if (!embedded)
    return nullptr;
  std::ifstream file(manifestPath, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  using Json = nlohmann::json;
  Json own = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  Json built = Json::parse(embedded(), nullptr, /*allow_exceptions=*/false);
  if (own.is_discarded() || built.is_discarded() || own != built) {
    error = path + ": its embedded manifest differs from " + manifestPath;
    return nullptr;
  }
  library->initEntry = symbol("mpc_step_init");
  if (!library->initEntry)
    return nullptr;
  for (const FunctionSpec &function : manifest.functions) {
    void *entry = symbol(function.entry);
    if (!entry)
      return nullptr;
    library->entries[function.name] = entry;
  }
  return library;
}

StepLibrary::~StepLibrary() { dlclose(handle); }

} // namespace mpc::cuda
