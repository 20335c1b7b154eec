//===- JsonSyntaxError.h - why nlohmann::json rejected a text ---*- C++ -*-===//
//
// A SAX consumer that accepts every event and records where and why the
// parser stopped, so a reader can explain malformed JSON in one line.
//
//===----------------------------------------------------------------------===//

#ifndef MPC_RUNTIME_CORE_JSONSYNTAXERROR_H
#define MPC_RUNTIME_CORE_JSONSYNTAXERROR_H

#include <nlohmann/json.hpp>

#include <string>

namespace mpc {

struct JsonSyntaxError {
  using Json = nlohmann::json;

  /// The number of bytes the parser read, the offending one included.
  size_t position = 0;
  /// The parser's message without its "[json.exception...] " tag.
  std::string reason;

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(Json::number_integer_t) { return true; }
  bool number_unsigned(Json::number_unsigned_t) { return true; }
  bool number_float(Json::number_float_t, const Json::string_t &) {
    return true;
  }
  bool string(Json::string_t &) { return true; }
  bool binary(Json::binary_t &) { return true; }
  bool start_object(size_t) { return true; }
  bool key(Json::string_t &) { return true; }
  bool end_object() { return true; }
  bool start_array(size_t) { return true; }
  bool end_array() { return true; }
  bool parse_error(size_t at, const std::string &, const Json::exception &ex) {
    position = at;
    reason = ex.what();
    size_t tag = reason.find("] ");
    if (tag != std::string::npos)
      reason.erase(0, tag + 2);
    return false;
  }
};

} // namespace mpc

#endif // MPC_RUNTIME_CORE_JSONSYNTAXERROR_H
