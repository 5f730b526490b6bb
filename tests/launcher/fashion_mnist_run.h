// A short `tern train` of the main job's MLP on Fashion-MNIST (cluster-configs/
// fashion-mnist-mlp.json, fewer epochs), for the tests that check how a training option
// changes a real run (mixed precision, on the CPU and the GPU).
#pragma once

#include <filesystem>
#include <iostream>
#include <string>

#include "tests/launcher/tern_cli.h"

namespace tern::testing {

struct FashionMnistRun {
  CommandResult command;
  std::filesystem::path job;
  double test_accuracy = 0.0;  // from job.json, when the run completed
};

// Trains for `epochs` with `extra_arguments` (more --hp or --device) into scratch/<name>.
inline FashionMnistRun train_fashion_mnist(const ScratchFolder& scratch, const std::string& name, int epochs,
                                           const std::string& extra_arguments) {
  FashionMnistRun run;
  run.job = scratch / name;
  run.command = run_tern("train --algorithm mlp --quiet --train " + real_data("fashion-mnist/train.h5").string() +
                         " --test " + real_data("fashion-mnist/test.h5").string() + " --output-dir " +
                         run.job.string() + " --hyperparameters " + TERN_SOURCE_DIR +
                         "/cluster-configs/fashion-mnist-mlp.json --hp epochs=" + std::to_string(epochs) + " " +
                         extra_arguments);
  if (run.command.exit_code == 0) {
    run.test_accuracy = read_json(run.job / "job.json").at("test_metrics").at("accuracy").get<double>();
  }
  return run;
}

// Trains in f32, bf16 and f16 with `arguments` (the device): each 16-bit run must reach 0.85
// test accuracy, within 0.01 of the f32 run's.
inline void expect_mixed_precision_reaches_f32_accuracy(const ScratchFolder& scratch, int epochs,
                                                        const std::string& arguments) {
  const FashionMnistRun f32 = train_fashion_mnist(scratch, "f32", epochs, arguments);
  ASSERT_EQ(f32.command.exit_code, 0) << f32.command.output;
  for (const std::string precision : {"bf16", "f16"}) {
    const FashionMnistRun run = train_fashion_mnist(scratch, precision, epochs, arguments + " --hp precision=" + precision);
    ASSERT_EQ(run.command.exit_code, 0) << run.command.output;
    std::cout << "  " << precision << " test accuracy " << run.test_accuracy << " (f32 " << f32.test_accuracy << ")\n";
    EXPECT_GE(run.test_accuracy, 0.85) << precision;
    EXPECT_NEAR(run.test_accuracy, f32.test_accuracy, 0.01) << precision;
  }
}

}  // namespace tern::testing
