#include "launcher/options.h"

#include <iostream>

#include "core/error.h"

namespace tern {

namespace {
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace

std::optional<po::variables_map> parse_options(const std::string& command, const po::options_description& options,
                                               const Arguments& arguments,
                                               const po::positional_options_description& positional) {
  po::options_description with_help = options;
  with_help.add_options()("help,h", "print this help");
  po::variables_map values;
  try {
    po::store(po::command_line_parser(arguments).options(with_help).positional(positional).run(), values);
    if (values.count("help")) {
      std::cout << "usage: tern " << command << " [options]\n" << with_help;
      return std::nullopt;
    }
    po::notify(values);
  } catch (const po::error& error) {
    throw UsageError(std::string(error.what()) + " (see tern " + command + " --help)");
  }
  return values;
}

int run_reporting_errors(const std::string& command, const std::function<int()>& body) {
  try {
    return body();
  } catch (const UsageError& error) {
    std::cerr << "tern " << command << ": error: " << error.what() << std::endl;
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "tern " << command << ": error: " << error.what() << std::endl;
    return 1;
  }
}

}  // namespace tern
