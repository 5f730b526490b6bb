#include "core/io/checkpoint.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/crc32.h"

namespace tern {

namespace {
constexpr int kFormat = 1;
constexpr const char* kManifest = "manifest.json";
constexpr const char* kPartial = ".partial";
constexpr const char* kReplaced = ".replaced";
constexpr const char* kRejected = ".rejected";

std::string rank_file(int rank) { return "rank-" + std::to_string(rank) + ".h5"; }

// The step of a folder named step-<n>, or -1 for any other name.
std::int64_t step_of(const std::string& name) {
  if (name.rfind("step-", 0) != 0 || name.size() == 5) return -1;
  const std::string digits = name.substr(5);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
  return std::stoll(digits);
}

// Every rank learns whether some rank failed; all throw together, naming the first that did.
void agree_on_failure(Communicator& world, const std::string& error, const std::string& what) {
  const std::int32_t failed_rank = error.empty() ? world.size() : world.rank();
  const std::int32_t first = allreduce_value(world, failed_rank, ReduceOp::min);
  if (first == world.size()) return;
  throw Error(what + " failed on rank " + std::to_string(first) + (error.empty() ? "" : ": " + error));
}
}  // namespace

CheckpointStore::CheckpointStore(std::filesystem::path folder, Communicator& world, int keep)
    : folder_(std::move(folder)), world_(world), keep_(keep) {
  TERN_CHECK(keep >= 1, "keep_checkpoints must be at least 1, got ", keep);
}

std::filesystem::path CheckpointStore::folder_of(std::int64_t step) const {
  return folder_ / ("step-" + std::to_string(step));
}

std::vector<std::int64_t> CheckpointStore::steps() const {
  std::vector<std::int64_t> found;
  std::error_code error;
  if (!std::filesystem::is_directory(folder_, error)) return found;
  for (const auto& entry : std::filesystem::directory_iterator(folder_)) {
    const std::int64_t step = entry.is_directory() ? step_of(entry.path().filename().string()) : -1;
    if (step >= 0) found.push_back(step);
  }
  std::sort(found.begin(), found.end());
  return found;
}

void CheckpointStore::save(std::int64_t step, const nlohmann::json& layout, const ModelFile& rank_state,
                           const nlohmann::json& progress) {
  const std::filesystem::path partial = folder_of(step).string() + kPartial;
  // Rank 0 makes a fresh .partial folder; the others write into it once it exists.
  std::string error;
  if (world_.rank() == 0) {
    try {
      std::filesystem::remove_all(partial);
      std::filesystem::create_directories(partial);
    } catch (const std::exception& failure) {
      error = failure.what();
    }
  }
  agree_on_failure(world_, error, "creating checkpoint folder " + partial.string());

  // Each rank's file, and its size and checksum for the manifest.
  std::vector<std::int64_t> mine(2, 0);
  try {
    const std::filesystem::path file = partial / rank_file(world_.rank());
    write_model_file(rank_state, file);
    mine = {static_cast<std::int64_t>(std::filesystem::file_size(file)), static_cast<std::int64_t>(file_crc32(file))};
  } catch (const std::exception& failure) {
    error = failure.what();
  }
  agree_on_failure(world_, error, "writing checkpoint " + partial.string());
  std::vector<std::int64_t> all(2 * static_cast<std::size_t>(world_.size()));
  world_.allgather(mine.data(), 2, CommType::i64, all.data());

  // Rank 0 seals it: the manifest, the rename, then the pruning.
  if (world_.rank() == 0) {
    try {
      nlohmann::json manifest = {{"format", kFormat}, {"step", step}, {"ranks", world_.size()}, {"layout", layout},
                                {"progress", progress}};
      for (int rank = 0; rank < world_.size(); ++rank) {
        manifest["files"][rank_file(rank)] = {{"bytes", all[2 * static_cast<std::size_t>(rank)]},
                                              {"crc32", all[2 * static_cast<std::size_t>(rank) + 1]}};
      }
      write_file_atomically(partial / kManifest, manifest.dump(2) + "\n");
      const std::filesystem::path complete = folder_of(step);
      const std::filesystem::path replaced = complete.string() + kReplaced;
      if (std::filesystem::exists(complete)) std::filesystem::rename(complete, replaced);
      rename_durably(partial, complete);
      std::filesystem::remove_all(replaced);
      // Older checkpoints beyond `keep`, and leftovers of interrupted saves.
      const std::vector<std::int64_t> complete_steps = steps();
      for (std::size_t i = 0; i + static_cast<std::size_t>(keep_) < complete_steps.size(); ++i)
        std::filesystem::remove_all(folder_of(complete_steps[i]));
      for (const auto& entry : std::filesystem::directory_iterator(folder_)) {
        const std::string name = entry.path().filename().string();
        if (step_of(name) < 0 && (name.ends_with(kPartial) || name.ends_with(kReplaced)))
          std::filesystem::remove_all(entry.path());
      }
    } catch (const std::exception& failure) {
      error = failure.what();
    }
  }
  agree_on_failure(world_, error, "sealing checkpoint " + folder_of(step).string());
}

std::string CheckpointStore::verify(std::int64_t step) const {
  const std::filesystem::path folder = folder_of(step);
  const std::filesystem::path manifest_path = folder / kManifest;
  if (!std::filesystem::exists(manifest_path)) return "no " + std::string(kManifest);
  nlohmann::json manifest;
  try {
    std::ifstream in(manifest_path);
    manifest = nlohmann::json::parse(in);
    if (manifest.at("format").get<int>() != kFormat) return "format " + manifest.at("format").dump() + ", not 1";
    if (manifest.at("step").get<std::int64_t>() != step) return "its manifest says step " + manifest.at("step").dump();
    for (const auto& [name, expected] : manifest.at("files").items()) {
      const std::filesystem::path file = folder / name;
      if (!std::filesystem::exists(file)) return name + " is missing";
      const auto bytes = static_cast<std::int64_t>(std::filesystem::file_size(file));
      if (bytes != expected.at("bytes").get<std::int64_t>())
        return name + " has " + std::to_string(bytes) + " bytes, the manifest says " + expected.at("bytes").dump();
      if (static_cast<std::int64_t>(file_crc32(file)) != expected.at("crc32").get<std::int64_t>())
        return name + " does not match its checksum (the file is corrupt)";
    }
    if (static_cast<int>(manifest.at("files").size()) != manifest.at("ranks").get<int>())
      return "the manifest lists " + std::to_string(manifest.at("files").size()) + " files for " +
             manifest.at("ranks").dump() + " ranks";
  } catch (const std::exception& failure) {
    return std::string(kManifest) + " is unreadable: " + failure.what();
  }
  return "";
}

std::optional<LoadedCheckpoint> CheckpointStore::load_latest(const std::function<void(const std::string&)>& report) {
  // Rank 0 picks the newest checkpoint that verifies (-1: none); every rank loads it.
  std::int64_t chosen = -1;
  if (world_.rank() == 0) {
    const std::vector<std::int64_t> candidates = steps();
    for (auto step = candidates.rbegin(); step != candidates.rend() && chosen < 0; ++step) {
      const std::string problem = verify(*step);
      if (problem.empty()) {
        chosen = *step;
        continue;
      }
      // Moved aside, kept for a look: as step-<n> it would outrank, and outlive, the newer
      // checkpoints the resumed job saves.
      const std::filesystem::path rejected = folder_of(*step).string() + kRejected;
      std::error_code error;
      std::filesystem::remove_all(rejected, error);
      std::filesystem::rename(folder_of(*step), rejected, error);
      report("checkpoint " + folder_of(*step).string() + " skipped: " + problem +
             (error ? " (could not move it aside: " + error.message() + ")" : "; moved to " + rejected.string()));
    }
  }
  world_.broadcast(&chosen, sizeof chosen, 0);
  if (chosen < 0) return std::nullopt;
  std::ifstream in(folder_of(chosen) / kManifest);
  const nlohmann::json manifest = nlohmann::json::parse(in);
  LoadedCheckpoint loaded;
  loaded.step = chosen;
  loaded.layout = manifest.at("layout");
  loaded.progress = manifest.value("progress", nlohmann::json::object());
  loaded.ranks = manifest.at("ranks").get<int>();
  loaded.folder = folder_of(chosen);
  return loaded;
}

ModelFile LoadedCheckpoint::read(int rank) const {
  TERN_CHECK(rank >= 0 && rank < ranks, "checkpoint ", folder.string(), " holds the state of ", ranks,
             " rank(s); there is none of rank ", rank);
  return read_model_file(folder / rank_file(rank));
}

}  // namespace tern
