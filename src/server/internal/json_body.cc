#include "server/internal/json_body.h"

#include <algorithm>

namespace kinlink::server::internal {

namespace {

std::string SafeName(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 32)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out.push_back(ok ? c : '?');
  }
  return out;
}

}  // namespace

int JsonDepth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        deepest = std::max(deepest, ++depth);
        if (deepest > limit) return deepest;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

Result<Json> ParseJsonObject(std::string_view body, int max_depth) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Json::object();
  if (JsonDepth(body, max_depth) > max_depth) {
    return InvalidArgumentError("request body: JSON nested deeper than " +
                                std::to_string(max_depth) + " levels (kMaxJsonDepth)");
  }
  Json value;
  try {
    // allow_exceptions = false: a parse error gives a discarded value; the
    // try is for anything else the library might throw (bad_alloc).
    value = Json::parse(body.begin(), body.end(), nullptr, false);
  } catch (const std::exception&) {
    return InvalidArgumentError("request body: not valid JSON");
  }
  if (value.is_discarded()) return InvalidArgumentError("request body: not valid JSON");
  if (!value.is_object()) return InvalidArgumentError("request body: must be a JSON object");
  return value;
}

Status CheckMembers(const Json& object, std::initializer_list<std::string_view> allowed) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(it.key())) == allowed.end()) {
      return InvalidArgumentError("request body: unknown member \"" + SafeName(it.key()) + "\"");
    }
  }
  return OkStatus();
}

Result<std::optional<std::string>> GetString(const Json& object, std::string_view name,
                                             bool required, std::size_t max_bytes) {
  auto it = object.find(std::string(name));
  if (it == object.end() || it->is_null()) {
    if (required)
      return InvalidArgumentError("request body: \"" + std::string(name) + "\" is required");
    return std::optional<std::string>();
  }
  if (!it->is_string()) {
    return InvalidArgumentError("request body: \"" + std::string(name) + "\" must be a string");
  }
  const std::string& s = it->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    return InvalidArgumentError("request body: \"" + std::string(name) + "\" is over " +
                                std::to_string(max_bytes) + " bytes");
  }
  return std::optional<std::string>(s);
}

Result<std::optional<bool>> GetBool(const Json& object, std::string_view name, bool required) {
  auto it = object.find(std::string(name));
  if (it == object.end() || it->is_null()) {
    if (required)
      return InvalidArgumentError("request body: \"" + std::string(name) + "\" is required");
    return std::optional<bool>();
  }
  if (!it->is_boolean()) {
    return InvalidArgumentError("request body: \"" + std::string(name) +
                                "\" must be true or false");
  }
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<std::int64_t>> GetInt(const Json& object, std::string_view name, bool required,
                                           std::int64_t min, std::int64_t max) {
  auto it = object.find(std::string(name));
  if (it == object.end() || it->is_null()) {
    if (required)
      return InvalidArgumentError("request body: \"" + std::string(name) + "\" is required");
    return std::optional<std::int64_t>();
  }
  const std::string range = std::to_string(min) + ".." + std::to_string(max);
  if (!it->is_number_integer()) {
    return InvalidArgumentError("request body: \"" + std::string(name) + "\" must be an integer " +
                                range);
  }
  // Unsigned values over INT64_MAX read as out of range, not wrapped.
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    return InvalidArgumentError("request body: \"" + std::string(name) + "\" must be in " + range);
  }
  const std::int64_t v = it->get<std::int64_t>();
  if (v < min || v > max) {
    return InvalidArgumentError("request body: \"" + std::string(name) + "\" must be in " + range);
  }
  return std::optional<std::int64_t>(v);
}

std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace kinlink::server::internal
