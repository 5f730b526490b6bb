// Sequential: modules applied in order. Forward keeps one child Saved per module; backward
// walks them in reverse, feeding each module's dx to the one before it, and reports each
// module's parameters to the mode's gradient listener as soon as that module is done.
#pragma once

#include <memory>
#include <vector>

#include "core/nn/module.h"

namespace tern {

class Sequential : public Module {
 public:
  void append(std::unique_ptr<Module> module) { modules_.push_back(std::move(module)); }

  // y = fₙ(…f₂(f₁(x)))
  Tensor forward(const Tensor& x, Saved& saved) override;
  // dx = J₁ᵀ(…Jₙᵀ dy)
  Tensor backward(const Tensor& dy, Saved& saved) override;
  std::vector<Parameter*> parameters() override;

  std::size_t size() const { return modules_.size(); }
  Module& at(std::size_t index) { return *modules_.at(index); }

 private:
  std::vector<std::unique_ptr<Module>> modules_;
};

}  // namespace tern
