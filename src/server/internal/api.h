// server/internal/api: the routes of /api/v1 and /healthz on an
// httplib::Server, each a thin adapter from HTTP + JSON to one engine::Node
// call; and the per-request state the access log reads.
//
// Thread-safety: routes run on the server's worker threads; they share only
// the Node (thread-safe) and the immutable Api. RequestState is
// thread-local: httplib runs a request's routing, handler and logger on one
// thread.
#ifndef KINLINK_SERVER_INTERNAL_API_H_
#define KINLINK_SERVER_INTERNAL_API_H_

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "server/internal/json_body.h"

namespace kinlink::engine {
class Node;
}  // namespace kinlink::engine

namespace kinlink::server::internal {

// What the access log needs to know about the request being served.
struct RequestState {
  bool started = false;  // set by the pre-routing handler
  std::chrono::steady_clock::time_point start;
  std::string route;         // the matched route's pattern; "" when none matched
  std::int64_t user_id = 0;  // the authenticated user; 0 when none
  std::string error;         // status code name of a 5xx
};
RequestState& CurrentRequest();

struct ApiConfig {
  engine::Node* node = nullptr;
  std::function<std::int64_t()> clock;
  bool tls = false;           // adds Secure to cookies
  int logins_per_minute = 0;  // per client address; 0: no limit
  // Bodies: JSON routes take at most max_body_bytes, the upload route
  // (text/csv) max_upload_bytes (413 above). The connection layer refuses
  // larger Content-Lengths first; this is the routes' own check.
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_upload_bytes = 8 * 1024 * 1024;
};

// The routes' shared state; the handlers registered on `http` point into
// it, so it must outlive every request (destroy `http` first).
class Api;
struct ApiDeleter {
  void operator()(Api* api) const;
};
using ApiHandle = std::unique_ptr<Api, ApiDeleter>;

// Registers every route on `http`. `config` is copied.
ApiHandle RegisterRoutes(httplib::Server& http, const ApiConfig& config);

// Writes {"error":{"code":NAME,"message":MESSAGE}} with `http_status`.
void WriteError(httplib::Response& res, int http_status, StatusCode code,
                const std::string& message);
// A JSON body with `status`.
void WriteJson(httplib::Response& res, int status, const Json& body);
// A Status as a response (HttpStatusFor); an internal failure's message
// stays out of it, its code goes to the access log.
void WriteStatus(httplib::Response& res, const Status& status);

}  // namespace kinlink::server::internal

#endif  // KINLINK_SERVER_INTERNAL_API_H_
