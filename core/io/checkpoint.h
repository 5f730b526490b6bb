// Checkpoints: the state of a training job at a step, one folder a checkpoint, written so that
// a crash at any moment never leaves one that looks valid.
//
//   <folder>/step-<step>/rank-<R>.h5      rank R's state (a ModelFile: tensors and attributes);
//                                         state every rank holds alike may be in rank 0's only
//   <folder>/step-<step>/manifest.json    {"format": 1, "step": S, "ranks": N, "layout": {...},
//                                          "progress": {...},
//                                          "files": {"rank-0.h5": {"bytes": B, "crc32": C}, ...}}
//
// Saving, every rank together: each writes its file into step-<step>.partial/ (temporary name,
// fsync, rename); the ranks' sizes and CRC-32 checksums go to rank 0, which writes the manifest
// the same way and renames the folder to step-<step> (then fsyncs the parent). Only then are
// older checkpoints beyond the newest `keep`, and leftover .partial folders, removed. A folder
// without a manifest, or whose files do not match it, is not a checkpoint.
//
// Loading: rank 0 checks the checkpoints from the newest down (manifest present and parsable,
// every file there with its size and checksum) and reports each one it skips, by name and
// cause, moving it aside to step-<step>.rejected (kept for a look, never loaded or pruned); every rank then learns which one it is and reads the files it needs: its own, or
// another rank's that holds state every rank shares. Whether the checkpoint's layout suits the
// job is the caller's to decide (core/job/training_checkpoints.h). The folder must be one all
// ranks see (a shared file system), as the job folder is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/comm.h"
#include "core/io/crc32.h"
#include "core/io/model_file.h"

namespace tern {

struct LoadedCheckpoint {
  std::int64_t step = 0;
  nlohmann::json layout;    // as saved: the caller checks it against its own
  nlohmann::json progress;  // as saved: where the job's logs stood (the caller's to read)
  int ranks = 0;            // how many ranks wrote it (one file each)
  std::filesystem::path folder;

  // The state rank `rank` saved.
  ModelFile read(int rank) const;
};

class CheckpointStore {
 public:
  // `keep`: how many complete checkpoints to keep (at least 1).
  CheckpointStore(std::filesystem::path folder, Communicator& world, int keep);

  // Every rank calls it with its own state; it returns once the checkpoint is complete on
  // disk. A failure on any rank (a full disk, say) throws on every rank, naming the rank.
  // `layout` and `progress` (rank 0's) go into the manifest as they are.
  void save(std::int64_t step, const nlohmann::json& layout, const ModelFile& rank_state,
            const nlohmann::json& progress = nlohmann::json::object());

  // The newest checkpoint that verifies, with this rank's state; none when there is none.
  // `report` hears of every checkpoint skipped, and why (on rank 0).
  std::optional<LoadedCheckpoint> load_latest(const std::function<void(const std::string&)>& report);

  // The complete checkpoints' steps, oldest first (folders named step-<n>, not .partial).
  std::vector<std::int64_t> steps() const;

  // Why the checkpoint at `step` does not verify, or the empty string when it does.
  std::string verify(std::int64_t step) const;

  std::filesystem::path folder_of(std::int64_t step) const;

 private:
  std::filesystem::path folder_;
  Communicator& world_;
  int keep_;
};

}  // namespace tern
