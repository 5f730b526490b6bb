// tern package JOB [--output FILE]: packages a completed job's model folder, hyperparameters and
// metrics as model.tar.gz (launcher/model_package.h), by default into the job folder. `tern
// train` does the same at the end of every successful job; this rebuilds a package, or makes
// one elsewhere.
#include <fstream>
#include <iostream>

#include "core/error.h"
#include "launcher/commands.h"
#include "launcher/job_folder.h"
#include "launcher/model_package.h"
#include "launcher/options.h"

namespace tern {

int package_command(const Arguments& arguments) {
  return run_reporting_errors("package", [&] {
    po::options_description options("tern package");
    options.add_options()
        ("job", po::value<std::string>()->required(), "job folder of a completed tern train")
        ("output", po::value<std::string>(), "package to write (default: JOB/model.tar.gz)");
    po::positional_options_description positional;
    positional.add("job", 1);
    const auto values = parse_options("package", options, arguments, positional);
    if (!values) return 0;
    const std::filesystem::path job = (*values)["job"].as<std::string>();
    std::ifstream in(job / "job.json");
    TERN_CHECK(in.good(), job.string(), " is not a job folder (no job.json)");
    const nlohmann::json description = nlohmann::json::parse(in);
    TERN_CHECK(description.value("status", "") == job_status_name(JobStatus::completed), "job ", job.string(),
               " is ", description.value("status", "without a status"), "; only a completed job has a model to package");
    const std::filesystem::path package =
        values->count("output") ? std::filesystem::path((*values)["output"].as<std::string>()) : job / "model.tar.gz";
    write_model_package(job, description, package);
    std::cerr << "wrote " << package.string() << "\n";
    return 0;
  });
}

}  // namespace tern
