#include "core/io/hdf5_handle.h"

namespace tern {

void silence_hdf5_error_printing() {
  thread_local bool silenced = false;
  if (silenced) return;
  check_hdf5(H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), "cannot turn off HDF5 error printing");
  silenced = true;
}

std::string take_hdf5_error_message() {
  std::string message;
  // Walking upward, the first entry is the innermost one: where HDF5 detected the problem.
  const H5E_walk2_t keep_innermost = [](unsigned depth, const H5E_error2_t* error, void* data) -> herr_t {
    if (depth == 0 && error->desc != nullptr) *static_cast<std::string*>(data) = error->desc;
    return 0;
  };
  if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &message) < 0 || message.empty())
    message = "HDF5 call failed";
  (void)H5Eclear2(H5E_DEFAULT);  // nothing better to report if clearing fails too
  return message;
}

}  // namespace tern
