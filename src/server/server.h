// server: the node's JSON API over HTTP(S) — `kinlink serve`. A thin layer
// over engine::Node: every route maps to one Node call, and nothing about
// who may see what is decided here (the Node's one check does that). What
// this layer adds is transport security: the session cookie, the CSRF
// token, TLS, request limits, security headers and an access log that
// never holds a request or response body, a query string or a credential.
//
// Routes (docs/api/openapi.yaml has the schemas):
//   GET  /healthz                              no session
//   POST /api/v1/login                         no session, no CSRF token
//   POST /api/v1/logout          GET /api/v1/me
//   GET|POST /api/v1/users       PATCH /api/v1/users/{name}
//   GET  /api/v1/offices
//   POST /api/v1/records         GET /api/v1/records/{id}
//   POST /api/v1/imports?kind=person|request[&dry_run=true|false]   (text/csv body)
//   POST /api/v1/search
//   GET  /api/v1/matches[?status=]  GET /api/v1/matches/{id}
//   POST /api/v1/matches/{id}/propose | /decision | /disclosure
//   GET  /api/v1/cases[?limit=]
//   GET  /api/v1/cases/{id}      GET /api/v1/cases/{id}/enquirer-view
//   POST /api/v1/cases/{id}/state
//   GET  /api/v1/audit[?after=&limit=]  GET /api/v1/audit/verify
//   POST /api/v1/retention/run
//
// Authentication: `POST /login` sets the cookie `kl_session` (HttpOnly;
// SameSite=Strict; Path=/; Secure under TLS) and returns the session's CSRF
// token; every other call needs the cookie (401 without a live session),
// and every call other than GET and login must send that token back in the
// header `X-CSRF-Token` (403 when missing or wrong). Sign-in attempts are
// limited per client address (options.logins_per_minute; 429).
//
// Parsing: each request's line and headers are read whole and checked
// before the HTTP library parses them (server/internal/http_framing.h): a
// bare CR or LF, obs-fold, a malformed field name, a control character in a
// value, two or non-numeric Content-Lengths, Content-Length with
// Transfer-Encoding, or a missing or doubled Host is refused (400), as is a
// Transfer-Encoding (411), a Content-Length over max_body_bytes (413; over
// max_upload_bytes for POST kUploadPath, the one route that takes a file)
// and a Content-Encoding (415); each with a JSON error and the connection
// closed. Bodies are JSON (application/json) except that upload's (text/csv).
// A body the library left unread (a GET's) closes the connection too, so it
// is never parsed as a next request.
//
// Thread-safety: a Server's methods may be called from any thread; requests
// are served by a pool of options.max_connections threads that share the
// Node (itself thread-safe). Stop() may be called from a signal-handling
// thread: it stops accepting, lets requests in flight finish, and returns
// when every worker has ended.
//
//   KL_ASSIGN_OR_RETURN(auto server, server::Server::Create(*node, options));
//   KL_RETURN_IF_ERROR(server->Start());
//   std::printf("Kinlink is serving on %s\n", server->url().c_str());
//   ... wait for SIGTERM ...
//   server->Stop();
#ifndef KINLINK_SERVER_SERVER_H_
#define KINLINK_SERVER_SERVER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace kinlink::engine {
class Node;
}  // namespace kinlink::engine

namespace kinlink::server {

// Request limits (docs/security.md, "Input limits"): never the library's
// defaults (Debian's cpp-httplib accepts bodies of any size).
// Bytes of a request body (413 above it).
inline constexpr std::size_t kDefaultMaxBodyBytes = 1024 * 1024;
// Bytes of an uploaded file: the body of POST kUploadPath (a CSV list), and
// no other route's. Held in memory while it is imported, never on disk.
inline constexpr std::size_t kDefaultMaxUploadBytes = 8 * 1024 * 1024;
// The largest upload limit an operator may set (--max-upload): every
// connection may hold one such body at once.
inline constexpr std::size_t kMaxMaxUploadBytes = 256 * 1024 * 1024;
// The route whose body is an uploaded file.
inline constexpr std::string_view kUploadPath = "/api/v1/imports";
// Bytes of the request line and headers together (431 above it). The
// library also refuses any single header line over 8 KiB.
inline constexpr std::size_t kDefaultMaxHeaderBytes = 8 * 1024;
// Seconds a read or a write of a request or response may stall.
inline constexpr std::int64_t kDefaultReadTimeoutSeconds = 10;
inline constexpr std::int64_t kDefaultWriteTimeoutSeconds = 10;
// Seconds an idle keep-alive connection is kept open.
inline constexpr std::int64_t kDefaultIdleTimeoutSeconds = 5;
// Connections served at once (worker threads); further ones wait in the
// kernel's accept queue.
inline constexpr int kDefaultMaxConnections = 16;
inline constexpr int kMaxMaxConnections = 1024;
// Sign-in attempts accepted from one client address per minute (429 past
// it); the Node's lockout protects each account, this protects the node
// (every attempt costs an Argon2id hash, and the Node hashes one at a time).
inline constexpr int kDefaultLoginsPerMinute = 20;
// The server runs retention once a day.
inline constexpr std::int64_t kDefaultRetentionIntervalSeconds = 86400;
// Nesting depth of a JSON request body (objects and arrays).
inline constexpr int kMaxJsonDepth = 8;
// Audit entries in one page of GET /audit.
inline constexpr std::int64_t kDefaultAuditPage = 100;
inline constexpr std::int64_t kMaxAuditPage = 1000;

// The session cookie's name.
inline constexpr std::string_view kSessionCookie = "kl_session";
// The header that carries the CSRF token.
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

struct ServerOptions {
  // Where to listen. Plain HTTP is refused on an address other than a
  // loopback one unless allow_remote is set (TLS needs no such flag).
  std::string bind_address = "127.0.0.1";
  int port = 0;  // 0: any free port (Server::port() reports it)
  // PEM files; both or neither. Given: HTTPS only.
  std::string tls_cert_path;
  std::string tls_key_path;
  bool allow_remote = false;

  std::size_t max_body_bytes = kDefaultMaxBodyBytes;
  // Body of POST kUploadPath only; every other route keeps max_body_bytes.
  std::size_t max_upload_bytes = kDefaultMaxUploadBytes;
  std::size_t max_header_bytes = kDefaultMaxHeaderBytes;
  std::int64_t read_timeout_s = kDefaultReadTimeoutSeconds;
  std::int64_t write_timeout_s = kDefaultWriteTimeoutSeconds;
  std::int64_t idle_timeout_s = kDefaultIdleTimeoutSeconds;
  int max_connections = kDefaultMaxConnections;
  // Sign-in attempts per client address per minute (0: no limit).
  int logins_per_minute = kDefaultLoginsPerMinute;
  // Seconds between runs of the retention job (Node::RunRetention: records
  // past their review date are crypto-shredded), the first at Start; 0:
  // never. Each run writes one line to the access log (counts only).
  std::int64_t retention_interval_s = kDefaultRetentionIntervalSeconds;

  // "Now" in Unix seconds, as passed to the Node (sessions, TOTP, lockout,
  // retention). Empty: the system clock. Tests set it to control session
  // expiry. Called from the worker threads, possibly at once.
  std::function<std::int64_t()> clock;
  // Receives each access-log line (one JSON object, no newline); called
  // from the worker threads, possibly at once. Empty: written to stderr. Lines hold the time,
  // method, route pattern (ids as {id}), status, duration and user id — never bodies, query
  // strings, cookies, tokens or names.
  std::function<void(std::string_view line)> access_log;
};

// INVALID_ARGUMENT naming the option: one TLS file without the other, a
// port outside 0..65535, zero limits, an upload limit over
// kMaxMaxUploadBytes, max_connections outside
// 1..kMaxMaxConnections, timeouts < 1 s, a negative retention interval or
// login rate; FAILED_PRECONDITION for plain HTTP
// on a non-loopback address without allow_remote.
Status ValidateServerOptions(const ServerOptions& options);

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackAddress(std::string_view address);

// The one mapping from a Status code to an HTTP status: INVALID_ARGUMENT and
// OUT_OF_RANGE 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND
// 404, ALREADY_EXISTS, ABORTED and FAILED_PRECONDITION 409,
// RESOURCE_EXHAUSTED 429, UNIMPLEMENTED 501, UNAVAILABLE 503,
// DEADLINE_EXCEEDED 504, anything else 500.
int HttpStatusFor(StatusCode code);

// Versions of the HTTP and TLS libraries in use (for `kinlink version --deps`).
std::string HttpLibraryVersion();
std::string TlsLibraryVersion();

class Server {
 public:
  // Checks the options (ValidateServerOptions) and loads the TLS files
  // (INVALID_ARGUMENT when they cannot be read or do not pair). `node`
  // must outlive the Server.
  static Result<std::unique_ptr<Server>> Create(engine::Node& node, ServerOptions options);
  // Stops the server if it is running.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on a thread of its own; returns once the port
  // is bound (connections made after it are served). UNAVAILABLE when the
  // address cannot be bound; FAILED_PRECONDITION when already started.
  // Sets SIGPIPE to be ignored when it has its default action (a client
  // that hangs up must not end the process).
  Status Start();
  // The bound port (after Start), else options.port.
  int port() const;
  // "http://127.0.0.1:PORT" or "https://...".
  std::string url() const;
  // Graceful shutdown: stops accepting, finishes the requests in flight,
  // joins the workers. Idempotent; a stopped server cannot be restarted.
  void Stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kinlink::server

#endif  // KINLINK_SERVER_SERVER_H_
