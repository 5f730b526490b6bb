// Shared command-line plumbing for the subcommands: Boost.Program_options parsing with --help,
// and the one place where an exception becomes "tern <command>: error: ..." and exit code 1
// (2 for a usage error).
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <optional>
#include <string>

#include "launcher/commands.h"

namespace tern {

namespace po = boost::program_options;

// Parses `arguments` against `options` (and positional names, if any). Returns nothing when
// --help was asked for (the help has been printed).
std::optional<po::variables_map> parse_options(const std::string& command, const po::options_description& options,
                                               const Arguments& arguments,
                                               const po::positional_options_description& positional = {});

// Runs `body`, turning exceptions into an error message and a non-zero exit code.
int run_reporting_errors(const std::string& command, const std::function<int()>& body);

}  // namespace tern
