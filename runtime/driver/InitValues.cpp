//===- InitValues.cpp - the initial values an artifact carries ------------===//

#include "runtime/driver/InitValues.h"

#include "runtime/driver/DataFiles.h"
#include "runtime/driver/NpyWriter.h"
#include "runtime/driver/Text.h"

#include <filesystem>
#include <fstream>
#include <memory>

namespace mpc::driver {

bool writeInitValues(const StepContract &contract, const std::string &directory,
                     std::string &error) {
  for (const StateSpec &spec : contract.state) {
    if (spec.init.kind != InitSpec::Kind::Values)
      continue;
    std::filesystem::path path =
        std::filesystem::path(directory) / spec.init.file;
    std::error_code code;
    std::filesystem::create_directories(path.parent_path(), code);
    HostTensor tensor;
    tensor.shape = spec.shape;
    if (spec.init.values)
      tensor.f32 = *spec.init.values;
    std::string bytes = encodeNpy(tensor);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (code || !out) {
      error = path.string() + ": cannot write the initial values of '" +
              spec.name + "'" + (code ? ": " + code.message() : "");
      return false;
    }
  }
  return true;
}

bool loadInitValues(StepContract &contract, const std::string &directory,
                    std::string &error) {
  for (StateSpec &spec : contract.state) {
    if (spec.init.kind != InitSpec::Kind::Values)
      continue;
    std::string path =
        (std::filesystem::path(directory) / spec.init.file).string();
    std::optional<NpyArray> array = loadNpy(path, error);
    if (!array)
      return false;
    if (!array->isFloat || array->shape != spec.shape) {
      error = path + ": the initial values of '" + spec.name + "' must be " +
              "floats of shape " + formatShape(spec.shape) + ", got " +
              (array->isFloat ? "floats" : "integers") + " of shape " +
              formatShape(array->shape);
      return false;
    }
    spec.init.values =
        std::make_shared<const std::vector<float>>(std::move(array->f32));
  }
  return true;
}

} // namespace mpc::driver
