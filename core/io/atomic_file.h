// Crash-safe file writes: data goes to "<path>.tmp-<pid>", is fsynced, then renamed over
// <path> (and the folder fsynced), so a reader sees either the old file or the whole new
// one, never half of it.
#pragma once

#include <filesystem>
#include <functional>
#include <string_view>

namespace tern {

// Writes `contents` to `path` atomically.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Calls write(temporary_path) to produce the file by any means (an HDF5 library, say), then
// fsyncs and renames it to `path`. On an exception the temporary file is removed.
void produce_file_atomically(const std::filesystem::path& path,
                             const std::function<void(const std::filesystem::path&)>& write);

// Renames `from` (a file or a folder whose contents are already synced) to `to` and fsyncs the
// parent folder, so that the rename survives a crash.
void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace tern
