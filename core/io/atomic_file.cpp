#include "core/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"

namespace tern {

namespace {
void fsync_path(const std::filesystem::path& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  TERN_CHECK(fd >= 0, "cannot open ", path, " to sync it: ", std::strerror(errno));
  const int status = ::fsync(fd);
  ::close(fd);
  TERN_CHECK(status == 0, "fsync of ", path, " failed: ", std::strerror(errno));
}
}  // namespace

void produce_file_atomically(const std::filesystem::path& path,
                             const std::function<void(const std::filesystem::path&)>& write) {
  const std::filesystem::path temporary = path.string() + ".tmp-" + std::to_string(::getpid());
  try {
    write(temporary);
    fsync_path(temporary, false);
    rename_durably(temporary, path);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::rename(from, to);
  fsync_path(to.has_parent_path() ? to.parent_path() : ".", true);
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  produce_file_atomically(path, [&](const std::filesystem::path& temporary) {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    TERN_CHECK(out.good(), "cannot create ", temporary, ": ", std::strerror(errno));
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.close();
    TERN_CHECK(out.good(), "writing ", temporary, " failed");
  });
}

}  // namespace tern
