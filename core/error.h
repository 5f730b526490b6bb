// Errors. Every failure Tern reports is a tern::Error whose message says what went wrong and
// where (file, line of input, hyperparameter, rank). TERN_CHECK turns a broken precondition
// into such an error; the launcher turns it into the job's `failure` file and exit code.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace tern {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

namespace detail {
// Joins the streamed parts of a message: tern::detail::concat("row ", 3, " of ", path).
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}
}  // namespace detail

}  // namespace tern

// Throws tern::Error with the streamed message when `condition` is false.
#define TERN_CHECK(condition, ...)                                        \
  do {                                                                    \
    if (!(condition)) throw ::tern::Error(::tern::detail::concat(__VA_ARGS__)); \
  } while (0)
