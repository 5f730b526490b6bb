// Floats as text in the shortest form that reads back to the same float (std::to_chars), so
// data written as text (CSV, inspect reports) round-trips bit for bit. NaN, a missing value,
// is written "nan" whatever its sign or payload.
#pragma once

#include <charconv>
#include <cmath>
#include <string>

namespace tern {

inline void append_float(std::string& text, float value) {
  if (std::isnan(value)) {
    text += "nan";
    return;
  }
  char digits[32];
  const std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, value);
  text.append(digits, result.ptr);
}

inline std::string float_text(float value) {
  std::string text;
  append_float(text, value);
  return text;
}

}  // namespace tern
