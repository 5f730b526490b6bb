// tern generate: sample text from a saved gpt model.
//   generate --model DIR [--prompt TEXT] [--max-tokens N] [--temperature T] [--top-k K]
//            [--seed S] [--output FILE]
// The prompt's bytes are the first tokens (a byte-level model's vocabulary); each new token is
// drawn from the model's next-token distribution over the last seq_len tokens (token_sampling.h).
// The prompt and the generated text are written to stdout, or to --output.
#include <iostream>

#include "core/algorithms/gpt_language_model.h"
#include "core/data/token_stream.h"
#include "core/io/atomic_file.h"
#include "launcher/commands.h"
#include "launcher/model_package.h"
#include "launcher/options.h"

namespace tern {

int generate_command(const Arguments& arguments) {
  return run_reporting_errors("generate", [&] {
    po::options_description options("tern generate");
    options.add_options()
        ("model", po::value<std::string>()->required(), "model folder of a gpt job (the job folder's model/) or its model.tar.gz")
        ("prompt", po::value<std::string>()->default_value("\n"), "text the sample continues")
        ("max-tokens", po::value<std::int64_t>()->default_value(200), "tokens (bytes) to generate")
        ("temperature", po::value<float>()->default_value(0.8f), "0 = greedy; higher = more varied")
        ("top-k", po::value<std::int64_t>()->default_value(0), "sample among the k likeliest tokens (0 = all)")
        ("seed", po::value<std::uint64_t>()->default_value(0), "seed of the draws")
        ("output", po::value<std::string>(), "file to write instead of stdout");
    const auto values = parse_options("generate", options, arguments);
    if (!values) return 0;
    const std::unique_ptr<Algorithm> model = load_model_or_package((*values)["model"].as<std::string>());
    auto* language_model = dynamic_cast<GptLanguageModel*>(model.get());
    TERN_CHECK(language_model != nullptr, "the model in ", (*values)["model"].as<std::string>(), " is ", model->name(),
               ", not a gpt language model");
    TERN_CHECK(language_model->config().vocab_size == kByteVocabularySize, "this model's vocabulary has ",
               language_model->config().vocab_size, " tokens; generate writes byte-level (256-token) text");
    const std::int64_t count = (*values)["max-tokens"].as<std::int64_t>();
    TERN_CHECK(count >= 0, "--max-tokens must be at least 0, got ", count);
    const std::string prompt = (*values)["prompt"].as<std::string>();
    TERN_CHECK(!prompt.empty(), "--prompt must not be empty");
    const SamplingConfig sampling{.temperature = (*values)["temperature"].as<float>(),
                                  .top_k = (*values)["top-k"].as<std::int64_t>()};
    const std::vector<std::int32_t> generated = language_model->generate(
        std::vector<std::int32_t>(prompt.begin(), prompt.end()), count, sampling, (*values)["seed"].as<std::uint64_t>());
    const std::string text = prompt + bytes_of(generated);
    if (values->count("output")) {
      write_file_atomically((*values)["output"].as<std::string>(), text);
    } else {
      std::cout << text << std::flush;
    }
    return 0;
  });
}

}  // namespace tern
