// Parameters for optimizer tests: named p0, p1, ... with the given shapes, values drawn from
// U(-1, 1) under `seed` (parameter i in stream i), gradients zero.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/nn/module.h"
#include "core/random/random.h"

namespace tern::testing {

inline std::vector<std::unique_ptr<Parameter>> make_parameters(const std::vector<Shape>& shapes, std::uint64_t seed) {
  std::vector<std::unique_ptr<Parameter>> parameters;
  for (const Shape& shape : shapes) {
    std::string name = "p";  // not "p" + to_string: GCC 12 warns falsely (-Wrestrict) on that
    name += std::to_string(parameters.size());
    auto parameter = std::make_unique<Parameter>(name, shape);
    fill_uniform(parameter->value, -1.0f, 1.0f, seed, parameters.size());
    parameters.push_back(std::move(parameter));
  }
  return parameters;
}

inline std::vector<Parameter*> pointers(const std::vector<std::unique_ptr<Parameter>>& parameters) {
  std::vector<Parameter*> list;
  for (const auto& parameter : parameters) list.push_back(parameter.get());
  return list;
}

}  // namespace tern::testing
