#include "core/job/training_checkpoints.h"

#include "core/error.h"
#include "core/job/job_context.h"

namespace tern {

CheckpointConfig read_checkpoint_hyperparameters(HyperparameterReader& read) {
  CheckpointConfig config;
  config.interval_steps = read.integer("checkpoint_interval_steps", 0, Range::non_negative());
  config.interval_epochs = read.integer("checkpoint_interval_epochs", 0, Range::non_negative());
  config.keep = static_cast<int>(read.integer("keep_checkpoints", 2, Range::between(1, 1000)));
  return config;
}

ResumeMode parse_resume_mode(std::string_view name) {
  if (name == "auto") return ResumeMode::automatic;
  if (name == "required") return ResumeMode::required;
  if (name == "never") return ResumeMode::never;
  throw Error(detail::concat("--resume must be auto, required or never, got '", name, "'"));
}

void save_parameters(const std::vector<Parameter*>& parameters, ModelFile& state) {
  for (const Parameter* parameter : parameters)
    state.tensors.emplace("parameters/" + parameter->name, parameter->value.to(Device::cpu()));
}

void load_parameters(const ModelFile& state, const std::vector<Parameter*>& parameters) {
  for (Parameter* parameter : parameters) parameter->value.copy_from(state.tensor("parameters/" + parameter->name));
}

TrainingCheckpoints::TrainingCheckpoints(JobContext& job, Communicator& world, const CheckpointConfig& config,
                                         nlohmann::json layout, std::set<std::string> may_differ)
    : job_(job), world_(world), config_(config), layout_(std::move(layout)), may_differ_(std::move(may_differ)) {
  if (!job.checkpoint_dir.empty()) store_.emplace(job.checkpoint_dir, world, config.keep);
  // Every hyperparameter but when to checkpoint decides the training: a resume must keep them.
  nlohmann::json hyperparameters = job.resolved_hyperparameters;
  for (const char* name : {"checkpoint_interval_steps", "checkpoint_interval_epochs", "keep_checkpoints"})
    hyperparameters.erase(name);
  layout_["hyperparameters"] = hyperparameters;
}

std::optional<LoadedCheckpoint> TrainingCheckpoints::resume() {
  std::optional<LoadedCheckpoint> loaded;
  if (store_ && job_.resume != ResumeMode::never) {
    loaded = store_->load_latest([&](const std::string& skipped) { job_.log.info(skipped); });
  }
  TERN_CHECK(loaded || job_.resume != ResumeMode::required, "--resume=required: ",
             store_ ? "no checkpoint in " + job_.checkpoint_dir.string() + " verifies" : "this job keeps no checkpoints");
  if (!loaded) {
    job_.metrics.rewind_to(0);
    return std::nullopt;
  }
  std::string differences;
  const auto differ = [&](const std::string& what, const nlohmann::json& saved, const nlohmann::json& mine) {
    differences += (differences.empty() ? "" : ", ") + what + " " + saved.dump() + " (this job: " + mine.dump() + ")";
  };
  for (const auto& [key, value] : layout_.items()) {
    const nlohmann::json saved = loaded->layout.value(key, nlohmann::json());
    if (saved == value || may_differ_.contains(key)) continue;
    if (key != "hyperparameters" || !saved.is_object()) {
      differ(key, saved, value);
      continue;
    }
    nlohmann::json names = saved;  // every name either side has
    names.update(value);
    for (const auto& [name, unused] : names.items()) {
      const nlohmann::json before = saved.value(name, nlohmann::json()), now = value.value(name, nlohmann::json());
      if (before != now) differ("hyperparameter " + name, before, now);
    }
  }
  TERN_CHECK(differences.empty(), "cannot resume from checkpoint ", loaded->folder.string(), ": it was saved with ",
             differences, ". Resume with the settings it was saved with, or start a new job (a new --output-dir)");
  const auto metrics_bytes = loaded->progress.value("metrics_bytes", std::uint64_t{0});
  if (!job_.metrics.rewind_to(metrics_bytes)) {
    job_.log.info("warning: metrics.jsonl is shorter than when checkpoint step-" + std::to_string(loaded->step) +
                  " was saved (" + std::to_string(metrics_bytes) + " bytes); it keeps what it has");
  }
  job_.summary["resumed_from_step"] = loaded->step;
  if (job_.summary_changed) job_.summary_changed();
  job_.log.info("resuming from checkpoint " + loaded->folder.string() + " (step " + std::to_string(loaded->step) + ")");
  last_saved_step_ = loaded->step;
  return loaded;
}

bool TrainingCheckpoints::after_step(std::int64_t steps_done, std::optional<std::int64_t> epochs_done,
                                     const std::function<ModelFile()>& state) {
  const bool stop = job_.stop.agreed(world_);
  const bool due = (config_.interval_steps > 0 && steps_done % config_.interval_steps == 0) ||
                   (epochs_done && config_.interval_epochs > 0 && *epochs_done % config_.interval_epochs == 0);
  if ((stop || due) && store_ && steps_done != last_saved_step_) save(steps_done, state());
  if (!stop) return false;
  job_.stopped = true;
  job_.stop_reason = job_.stop.reason();
  job_.log.info("stopping after step " + std::to_string(steps_done) + ": " + job_.stop_reason +
                (store_ ? "; resume from checkpoint " + store_->folder_of(last_saved_step_).string()
                        : "; no checkpoint kept (no checkpoint folder)"));
  return true;
}

void TrainingCheckpoints::save(std::int64_t steps_done, const ModelFile& state) {
  store_->save(steps_done, layout_, state, {{"metrics_bytes", job_.metrics.bytes()}});
  last_saved_step_ = steps_done;
  job_.log.detail("checkpoint saved: " + store_->folder_of(steps_done).string());
}

}  // namespace tern
