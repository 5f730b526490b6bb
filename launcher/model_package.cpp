#include "launcher/model_package.h"

#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/algorithms/registry.h"
#include "core/error.h"
#include "core/io/atomic_file.h"
#include "core/io/crc32.h"

namespace tern {

namespace {

constexpr int kFormat = 1;
constexpr const char* kManifest = "manifest.json";
constexpr const char* kModelFile = "model/model.h5";
constexpr std::int64_t kManifestMaxBytes = 1 << 20;

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  TERN_CHECK(in.good(), "cannot read ", path.string());
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// metrics.json: the last value of each metric name in metrics.jsonl, with its step.
nlohmann::json metrics_summary(const std::filesystem::path& job) {
  nlohmann::json last = nlohmann::json::object();
  std::ifstream lines(job / "metrics.jsonl");
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json record = nlohmann::json::parse(line);
    last[record.at("name").get<std::string>()] = {{"value", record.at("value")}, {"step", record.at("step")},
                                                  {"epoch", record.at("epoch")}};
  }
  return last;
}

// Closes and frees a libarchive handle whatever happens.
struct ArchiveWriter {
  archive* handle = archive_write_new();
  ~ArchiveWriter() { archive_write_free(handle); }
  void check(int status, const std::string& what) const {
    TERN_CHECK(status == ARCHIVE_OK, what, ": ", archive_error_string(handle));
  }
};

struct ArchiveReader {
  archive* handle = archive_read_new();
  ~ArchiveReader() { archive_read_free(handle); }
};

void add_entry(ArchiveWriter& writer, const std::string& name, const std::string& contents, std::time_t time) {
  archive_entry* entry = archive_entry_new();
  archive_entry_set_pathname(entry, name.c_str());
  archive_entry_set_filetype(entry, AE_IFREG);
  archive_entry_set_perm(entry, 0644);
  archive_entry_set_size(entry, static_cast<la_int64_t>(contents.size()));
  archive_entry_set_mtime(entry, time, 0);
  const int status = archive_write_header(writer.handle, entry);
  archive_entry_free(entry);
  writer.check(status, "packaging " + name);
  TERN_CHECK(archive_write_data(writer.handle, contents.data(), contents.size()) ==
                 static_cast<la_ssize_t>(contents.size()),
             "packaging ", name, ": ", archive_error_string(writer.handle));
}

// A name a package may hold: relative, without "..", not empty.
bool safe_entry_name(const std::string& name) {
  const std::filesystem::path path(name);
  if (name.empty() || path.is_absolute()) return false;
  for (const auto& part : path) {
    if (part == "..") return false;
  }
  return true;
}

// A fresh folder under the system's temporary folder, removed with this object.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tern-package-XXXXXX").string();
    TERN_CHECK(mkdtemp(pattern.data()) != nullptr, "cannot create a temporary folder in ",
               std::filesystem::temp_directory_path().string());
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Unpacks a package into `folder`, checking it against its manifest as it goes: the manifest
// comes first, and every later entry must be a regular file it lists, of the size it gives, so
// that nothing unlisted, linked, outside the folder or larger than declared is ever written.
void unpack_and_verify(const std::filesystem::path& package, const std::filesystem::path& folder) {
  ArchiveReader reader;
  archive_read_support_filter_gzip(reader.handle);
  archive_read_support_format_tar(reader.handle);
  TERN_CHECK(archive_read_open_filename(reader.handle, package.c_str(), 1 << 16) == ARCHIVE_OK, "cannot open package ",
             package.string(), ": ", archive_error_string(reader.handle));
  const std::string where = "package " + package.string();
  nlohmann::json manifest;
  std::map<std::string, std::int64_t> unpacked;  // name -> bytes written
  archive_entry* entry = nullptr;
  std::vector<char> buffer(1 << 16);
  for (int status; (status = archive_read_next_header(reader.handle, &entry)) != ARCHIVE_EOF;) {
    TERN_CHECK(status == ARCHIVE_OK, where, " is not a readable tar.gz: ", archive_error_string(reader.handle));
    if (archive_entry_filetype(entry) == AE_IFDIR) continue;
    const char* pathname = archive_entry_pathname(entry);
    const std::string name = pathname != nullptr ? pathname : "";
    TERN_CHECK(archive_entry_filetype(entry) == AE_IFREG && archive_entry_hardlink(entry) == nullptr, where,
               ": entry '", name, "' is not a regular file (links are not allowed)");
    TERN_CHECK(safe_entry_name(name), where, ": entry '", name, "' points outside the package");
    const la_int64_t size = archive_entry_size(entry);
    if (manifest.is_null()) {
      TERN_CHECK(name == kManifest && size <= kManifestMaxBytes, where, ": the first entry must be ", kManifest,
                 " (of at most ", kManifestMaxBytes, " bytes), not '", name, "'");
    } else {
      TERN_CHECK(manifest.at("files").contains(name), where, ": entry '", name, "' is not in its manifest");
      TERN_CHECK(size == manifest["files"][name].at("bytes").get<la_int64_t>(), where, ": entry '", name, "' has ",
                 size, " bytes, the manifest says ", manifest["files"][name].at("bytes").dump());
    }
    std::string contents;
    const std::filesystem::path target = folder / name;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary);
    std::int64_t written = 0;
    for (la_ssize_t got; (got = archive_read_data(reader.handle, buffer.data(), buffer.size())) != 0;) {
      TERN_CHECK(got > 0, where, ": reading '", name, "': ", archive_error_string(reader.handle));
      written += got;
      TERN_CHECK(written <= size, where, ": entry '", name, "' holds more than its ", size, " bytes");
      out.write(buffer.data(), got);
      if (manifest.is_null()) contents.append(buffer.data(), static_cast<std::size_t>(got));
    }
    TERN_CHECK(out.good(), "cannot unpack '", name, "' into ", folder.string());
    unpacked[name] = written;
    if (manifest.is_null()) {
      try {
        manifest = nlohmann::json::parse(contents);
        TERN_CHECK(manifest.value("format", 0) == kFormat && manifest.contains("files") && manifest["files"].is_object(),
                   "format ", manifest.value("format", 0), ", expected ", kFormat, " with a files object");
      } catch (const std::exception& error) {
        throw Error(where + ": unreadable " + kManifest + ": " + error.what());
      }
    }
  }
  TERN_CHECK(!manifest.is_null(), where, " is empty (no ", kManifest, ")");
  TERN_CHECK(manifest["files"].contains(kModelFile), where, " holds no ", kModelFile);
  for (const auto& [name, expected] : manifest["files"].items()) {
    TERN_CHECK(unpacked.contains(name), where, ": ", name, " is in the manifest but not in the package");
    TERN_CHECK(static_cast<std::int64_t>(file_crc32(folder / name)) == expected.at("crc32").get<std::int64_t>(), where,
               ": ", name, " does not match its checksum in the manifest");
  }
}

}  // namespace

void write_model_package(const std::filesystem::path& job, const nlohmann::json& description,
                         const std::filesystem::path& package) {
  const std::filesystem::path model_file = job / kModelFile;
  TERN_CHECK(std::filesystem::exists(model_file), "job folder ", job.string(), " has no ", kModelFile,
             " (only a completed job has a model to package)");
  std::map<std::string, std::string> contents;
  contents[kModelFile] = read_bytes(model_file);
  contents["hyperparameters.json"] =
      description.value("resolved_hyperparameters", nlohmann::json::object()).dump(2) + "\n";
  contents["metrics.json"] = nlohmann::json{{"final", metrics_summary(job)}}.dump(2) + "\n";

  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  nlohmann::json manifest = {{"format", kFormat},
                             {"algorithm", description.value("algorithm", "")},
                             {"created_epoch_s", static_cast<std::int64_t>(now)}};
  for (const auto& [name, bytes] : contents) manifest["files"][name] = {{"bytes", bytes.size()}, {"crc32", bytes_crc32(bytes)}};
  produce_file_atomically(package, [&](const std::filesystem::path& temporary) {
    ArchiveWriter writer;
    writer.check(archive_write_add_filter_gzip(writer.handle), "gzip");
    writer.check(archive_write_set_format_pax_restricted(writer.handle), "tar format");
    writer.check(archive_write_open_filename(writer.handle, temporary.c_str()), "creating " + temporary.string());
    add_entry(writer, kManifest, manifest.dump(2) + "\n", now);
    for (const auto& [name, bytes] : contents) add_entry(writer, name, bytes, now);
    writer.check(archive_write_close(writer.handle), "finishing " + temporary.string());
  });
}

std::unique_ptr<Algorithm> load_model_or_package(const std::filesystem::path& model) {
  if (!std::filesystem::is_regular_file(model)) return load_model(model);
  TemporaryFolder unpacked;
  unpack_and_verify(model, unpacked.path());
  return load_model(unpacked.path() / "model");
}

}  // namespace tern
