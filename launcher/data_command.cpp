// tern data convert | inspect | split (core/data/tools.h does the work):
//   convert --input F --output G                 CSV <-> HDF5, by extension
//   convert --images I --labels L --output G     IDX (MNIST format, .gz or raw) -> CSV / HDF5
//   inspect F [--json]                           shape, labels, missing values, duplicates
//   split --input F --output A=0.8 --output B=0.2 [--seed N] [--no-stratify]
//   tokenize --input TEXT --output A=0.9 --output B=0.1   byte-level token streams, contiguous parts
#include <iostream>

#include "core/data/tools.h"
#include "core/error.h"
#include "launcher/options.h"

namespace tern {

namespace {

int convert_files(const Arguments& arguments) {
  po::options_description options("tern data convert");
  options.add_options()
      ("input", po::value<std::string>(), "input file (.csv, .h5)")
      ("images", po::value<std::string>(), "IDX images file (with --labels)")
      ("labels", po::value<std::string>(), "IDX labels file (with --images)")
      ("output", po::value<std::string>()->required(), "output file (.csv, .h5)");
  const auto values = parse_options("data convert", options, arguments);
  if (!values) return 0;
  const std::string output = (*values)["output"].as<std::string>();
  if (values->count("images") || values->count("labels")) {
    TERN_CHECK(values->count("images") && values->count("labels") && !values->count("input"),
               "IDX conversion takes --images and --labels (and no --input)");
    convert_idx((*values)["images"].as<std::string>(), (*values)["labels"].as<std::string>(), output);
  } else {
    TERN_CHECK(values->count("input"), "give --input, or --images with --labels");
    convert((*values)["input"].as<std::string>(), output);
  }
  std::cerr << "wrote " << output << "\n";
  return 0;
}

int inspect_file(const Arguments& arguments) {
  po::options_description options("tern data inspect");
  options.add_options()
      ("input", po::value<std::string>()->required(), "data file (.csv, .h5)")
      ("json", "print JSON instead of text");
  po::positional_options_description positional;
  positional.add("input", 1);
  const auto values = parse_options("data inspect", options, arguments, positional);
  if (!values) return 0;
  const InspectReport report = inspect((*values)["input"].as<std::string>());
  std::cout << (values->count("json") ? to_json(report).dump(2) + "\n" : to_text(report));
  return 0;
}

// The --output PATH=FRACTION options of split and tokenize.
std::vector<SplitOutput> parse_outputs(const po::variables_map& values) {
  std::vector<SplitOutput> outputs;
  for (const std::string& spec : values["output"].as<std::vector<std::string>>()) {
    const auto equals = spec.rfind('=');
    TERN_CHECK(equals != std::string::npos, "--output expects PATH=FRACTION, got '", spec, "'");
    double fraction = 0.0;
    try {
      fraction = std::stod(spec.substr(equals + 1));
    } catch (const std::exception&) {
      throw Error("--output " + spec + ": '" + spec.substr(equals + 1) + "' is not a fraction");
    }
    outputs.push_back({spec.substr(0, equals), fraction});
  }
  return outputs;
}

int split_file(const Arguments& arguments) {
  po::options_description options("tern data split");
  options.add_options()
      ("input", po::value<std::string>()->required(), "data file to split")
      ("output", po::value<std::vector<std::string>>()->required(), "PATH=FRACTION (repeat; fractions sum to 1)")
      ("seed", po::value<std::uint64_t>()->default_value(0), "seed of the row shuffle")
      ("no-stratify", "do not keep class proportions (regression targets are never stratified)");
  const auto values = parse_options("data split", options, arguments);
  if (!values) return 0;
  const std::vector<SplitOutput> outputs = parse_outputs(*values);
  const auto counts = split((*values)["input"].as<std::string>(), outputs, (*values)["seed"].as<std::uint64_t>(),
                            !values->count("no-stratify"));
  for (std::size_t i = 0; i < outputs.size(); ++i)
    std::cerr << "wrote " << counts[i] << " rows to " << outputs[i].path.string() << "\n";
  return 0;
}

int tokenize_file(const Arguments& arguments) {
  po::options_description options("tern data tokenize");
  options.add_options()
      ("input", po::value<std::string>()->required(), "UTF-8 text file")
      ("output", po::value<std::vector<std::string>>()->required(),
       "PATH=FRACTION (repeat; fractions sum to 1): contiguous parts, in order, as HDF5 token streams");
  const auto values = parse_options("data tokenize", options, arguments);
  if (!values) return 0;
  const std::vector<SplitOutput> outputs = parse_outputs(*values);
  const auto counts = tokenize((*values)["input"].as<std::string>(), outputs);
  for (std::size_t i = 0; i < outputs.size(); ++i)
    std::cerr << "wrote " << counts[i] << " tokens to " << outputs[i].path.string() << "\n";
  return 0;
}

}  // namespace

int data_command(const Arguments& arguments) {
  return run_reporting_errors("data", [&] {
    const std::string usage = "usage: tern data convert|inspect|split|tokenize [options] (each takes --help)";
    TERN_CHECK(!arguments.empty(), usage);
    const Arguments rest(arguments.begin() + 1, arguments.end());
    if (arguments[0] == "convert") return convert_files(rest);
    if (arguments[0] == "inspect") return inspect_file(rest);
    if (arguments[0] == "split") return split_file(rest);
    if (arguments[0] == "tokenize") return tokenize_file(rest);
    throw Error("unknown data command '" + arguments[0] + "'; " + usage);
  });
}

}  // namespace tern
