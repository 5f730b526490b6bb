// Owned HDF5 identifiers and checked HDF5 calls, shared by the HDF5 data reader and writer
// and the model file.
//
// HDF5 prints its error stack to stderr by default. We switch that off and instead throw a
// tern::Error that names our context (file, dataset) and adds HDF5's innermost message. The
// setting is per thread in Debian's thread-safe build, so every entry point calls
// silence_hdf5_error_printing() on the thread it runs on (the pipe-mode prefetch thread too).
#pragma once

#include <hdf5.h>

#include <string>
#include <utility>

#include "core/error.h"

namespace tern {

// Turns HDF5's automatic error printing off for the calling thread (once per thread).
void silence_hdf5_error_printing();

// The innermost message on the calling thread's HDF5 error stack, then clears the stack.
std::string take_hdf5_error_message();

// Returns `result` (an hid_t or herr_t); throws "<context>: <HDF5 message>" when it is negative.
template <typename Result, typename... Context>
Result check_hdf5(Result result, const Context&... context) {
  if (result < 0) throw Error(detail::concat(context..., ": ", take_hdf5_error_message()));
  return result;
}

// An HDF5 identifier closed by its close function (H5Fclose, H5Dclose, ...) when the handle goes.
class Hdf5Handle {
 public:
  using CloseFunction = herr_t (*)(hid_t);

  Hdf5Handle() = default;
  Hdf5Handle(hid_t id, CloseFunction close_function) : id_(id), close_function_(close_function) {}
  Hdf5Handle(Hdf5Handle&& other) noexcept { *this = std::move(other); }
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
    std::swap(id_, other.id_);
    std::swap(close_function_, other.close_function_);
    return *this;
  }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  // Closes quietly: a destructor runs during unwinding too. Writers call close() to check.
  ~Hdf5Handle() {
    if (id_ >= 0) close_function_(id_);
  }

  hid_t get() const { return id_; }

  // Closes now and throws "<context>: <HDF5 message>" if closing fails (closing flushes writes).
  template <typename... Context>
  void close(const Context&... context) {
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    if (id >= 0) check_hdf5(close_function_(id), context...);
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  CloseFunction close_function_ = nullptr;
};

// Checks an identifier returned by an HDF5 call and takes ownership of it.
template <typename... Context>
Hdf5Handle owned_hdf5(hid_t id, Hdf5Handle::CloseFunction close_function, const Context&... context) {
  return {check_hdf5(id, context...), close_function};
}

}  // namespace tern
