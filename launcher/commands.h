// The `tern` subcommands. Each takes the arguments after its name and returns the process exit
// code (0 only on success); errors are reported on stderr as "tern <command>: error: ...".
#pragma once

#include <string>
#include <vector>

namespace tern {

using Arguments = std::vector<std::string>;

int train_command(const Arguments& arguments);
int predict_command(const Arguments& arguments);
int evaluate_command(const Arguments& arguments);
int data_command(const Arguments& arguments);
int generate_command(const Arguments& arguments);
int package_command(const Arguments& arguments);

}  // namespace tern
