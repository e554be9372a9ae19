// server/internal/strict_http: httplib::Server and httplib::SSLServer with
// their connection loop replaced. Each connection is read through a stream
// of our own; before the library parses a request, its head (request line
// and headers) is read whole and checked with CheckRequestHead
// (http_framing.h). A refused request is answered here — a JSON error
// with the security headers and "Connection: close", one access-log line —
// and the connection is closed; the library never sees it. Accepted
// requests go to the library's own request processing (routing, handlers,
// logger), unchanged.
//
// The loop keeps the library's semantics: keep-alive up to
// keep_alive_max_count requests, an idle connection closed after the
// keep-alive timeout, reads and writes that stall longer than the read or
// write timeout fail, and Server::stop() ends idle connections. Bytes
// that arrived early (pipelining) are kept for the next request. In
// addition, a connection is closed (after a short lingering drain, so that
// the client reads the answer) when a response carried "Connection: close"
// or when the library did not read exactly the request's head and
// Content-Length bytes: it never reads the body of a GET, nor that of a
// request refused early, and such a body must not be parsed as a next
// request (stock httplib 0.11 does, when it arrives in a later segment).
//
// Thread-safety: the servers are httplib's; connections are served on the
// task queue's threads, each with its own stream.
#ifndef KINLINK_SERVER_INTERNAL_STRICT_HTTP_H_
#define KINLINK_SERVER_INTERNAL_STRICT_HTTP_H_

#include <httplib.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace kinlink::server::internal {

struct ConnectionPolicy {
  // Bytes of a request head, request line through the empty line (431
  // above it).
  std::size_t max_header_bytes = 8 * 1024;
  // A Content-Length above it is refused (413) before the body is read.
  std::size_t max_body_bytes = 1024 * 1024;
  // ... except for a POST to `upload_path` (the request target up to any
  // '?', compared byte for byte: an encoded spelling of the path gets the
  // stricter max_body_bytes), whose limit is this one.
  std::size_t max_upload_bytes = 8 * 1024 * 1024;
  std::string upload_path;  // "" = no upload route
  // Added to every refusal (the server's security headers).
  httplib::Headers headers;
  // One call per refused request: its method and target ("" when the
  // request line was not readable), the status, and the milliseconds from
  // its first byte. Called on the connection's thread.
  std::function<void(std::string_view method, std::string_view target, int status, double ms)>
      log_refusal;
};

// A plain HTTP server, and an HTTPS one (check is_valid()).
std::unique_ptr<httplib::Server> MakeStrictServer(ConnectionPolicy policy);
std::unique_ptr<httplib::Server> MakeStrictSslServer(ConnectionPolicy policy,
                                                     const std::string& cert_path,
                                                     const std::string& key_path);

// Set by the server's logger when the response just written says
// "Connection: close"; the connection loop reads it after each request and
// then closes the connection. Thread-local.
bool& CloseAfterResponse();

}  // namespace kinlink::server::internal

#endif  // KINLINK_SERVER_INTERNAL_STRICT_HTTP_H_
