// server/internal/access_log: the access log's line format. One JSON object
// per request:
//   {"time":"2026-11-28T10:00:00Z","method":"GET","path":"/api/v1/records/{id}",
//    "status":200,"ms":3.1,"user":7}
// `path` is the route's pattern, never the raw target: ids become {id},
// anything outside the API's own vocabulary becomes {x}, the query string
// is dropped. `user` is the authenticated user's id, or "-". Nothing from a
// body, header or cookie is written.
//
// Thread-safety: pure functions.
#ifndef KINLINK_SERVER_INTERNAL_ACCESS_LOG_H_
#define KINLINK_SERVER_INTERNAL_ACCESS_LOG_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace kinlink::server::internal {

struct AccessEntry {
  std::int64_t time = 0;  // unix seconds
  std::string_view method;
  std::string_view path;  // a route pattern (see RoutePatternOf)
  int status = 0;
  double ms = 0;
  std::int64_t user_id = 0;  // 0: no authenticated user
  std::string_view error;    // a status code name for 5xx, else ""
};

// The log line (no newline).
std::string FormatAccessLine(const AccessEntry& entry);

// The pattern of a path that matched no route: the query dropped, numeric
// and KL-n segments as {id}, segments that are not words of the API as {x},
// at most 12 segments (then "/...").
std::string RoutePatternOf(std::string_view path);

// "2026-11-28T10:00:00Z".
std::string IsoTime(std::int64_t unix_seconds);

// "GET", "POST", ...: an upper-case token of at most 10 letters, else "OTHER".
std::string_view SafeMethod(std::string_view method);

}  // namespace kinlink::server::internal

#endif  // KINLINK_SERVER_INTERNAL_ACCESS_LOG_H_
