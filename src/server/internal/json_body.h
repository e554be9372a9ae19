// server/internal/json_body: safe reading of JSON request bodies. The body
// is checked for nesting depth before nlohmann::json parses it (without
// exceptions), must be one object, and is read through typed getters that
// never throw and never echo a value in their errors.
//
// Thread-safety: pure functions.
#ifndef KINLINK_SERVER_INTERNAL_JSON_BODY_H_
#define KINLINK_SERVER_INTERNAL_JSON_BODY_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace kinlink::server::internal {

using Json = nlohmann::ordered_json;

// The deepest nesting of arrays and objects in `text` (brackets inside
// strings are skipped). Stops counting past `limit` + 1.
int JsonDepth(std::string_view text, int limit);

// Parses a request body that must be one JSON object nested at most
// `max_depth` deep. An empty body is read as {}. INVALID_ARGUMENT
// ("request body: ...") for anything else: malformed JSON, invalid UTF-8,
// too deep, not an object.
Result<Json> ParseJsonObject(std::string_view body, int max_depth);

// INVALID_ARGUMENT naming the first member of `object` not in `allowed`
// (member names are API vocabulary, but only the first 32 bytes of
// [a-z0-9_] characters are quoted).
Status CheckMembers(const Json& object, std::initializer_list<std::string_view> allowed);

// Typed members. Absent (or null): nullopt, or INVALID_ARGUMENT when
// `required`. Present with the wrong type, or a string over `max_bytes`:
// INVALID_ARGUMENT naming the member.
Result<std::optional<std::string>> GetString(const Json& object, std::string_view name,
                                             bool required, std::size_t max_bytes);
Result<std::optional<bool>> GetBool(const Json& object, std::string_view name, bool required);
Result<std::optional<std::int64_t>> GetInt(const Json& object, std::string_view name, bool required,
                                           std::int64_t min, std::int64_t max);

// Serialises for a response: invalid UTF-8 (which no stored value should
// hold) is replaced rather than thrown on.
std::string Dump(const Json& value);

}  // namespace kinlink::server::internal

#endif  // KINLINK_SERVER_INTERNAL_JSON_BODY_H_
