// `tern`: the command line of the Tern training framework.
//   tern train     train an algorithm on data channels into a job folder
//   tern predict   write predictions of a saved model for a data file
//   tern evaluate  compute metrics of a saved model on a labelled data file
//   tern data      convert | inspect | split | tokenize data files
//   tern generate  sample text from a saved gpt model
//   tern package   package a completed job's model as model.tar.gz
#include <cstdio>
#include <iostream>
#include <map>

#include "launcher/commands.h"

namespace {
constexpr const char* kUsage =
    "usage: tern <command> [options]\n"
    "commands:\n"
    "  train     train an algorithm into a job folder (tern train --help)\n"
    "  predict   predictions of a saved model for a data file\n"
    "  evaluate  metrics of a saved model on a labelled data file\n"
    "  data      convert | inspect | split | tokenize data files\n"
    "  generate  sample text from a saved gpt model\n"
    "  package   package a completed job's model, hyperparameters and metrics as model.tar.gz\n";
}

int main(int argc, char** argv) {
  const std::map<std::string, int (*)(const tern::Arguments&)> commands = {
      {"train", tern::train_command},
      {"predict", tern::predict_command},
      {"evaluate", tern::evaluate_command},
      {"data", tern::data_command},
      {"generate", tern::generate_command},
      {"package", tern::package_command},
  };
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const auto command = commands.find(argv[1]);
  if (command == commands.end()) {
    std::cerr << "tern: unknown command '" << argv[1] << "'\n" << kUsage;
    return 2;
  }
  return command->second(tern::Arguments(argv + 2, argv + argc));
}
