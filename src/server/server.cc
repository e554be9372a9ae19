#include "server/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/crypto.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <thread>
#include <utility>

#include "engine/node.h"
#include "server/internal/access_log.h"
#include "server/internal/api.h"
#include "server/internal/json_body.h"
#include "server/internal/static_files.h"
#include "server/internal/strict_http.h"
#include "server/internal/task_queue.h"

namespace kinlink::server {

namespace {

using internal::CurrentRequest;
using internal::RequestState;

bool Readable(const std::string& path) { return std::ifstream(path).good(); }

std::int64_t SystemClock() { return static_cast<std::int64_t>(std::time(nullptr)); }

void StderrLog(std::string_view line) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

// A JSON body for responses the library makes itself (no route matched,
// body too large, malformed request), which would otherwise be empty.
// (The connection layer refuses bodies over the limits before the library
// reads them; its own 413 is the last line.)
std::pair<StatusCode, std::string> LibraryError(int status, std::size_t max_payload) {
  switch (status) {
    case 400:
      return {StatusCode::kInvalidArgument, "malformed request"};
    case 404:
      return {StatusCode::kNotFound, "no such endpoint"};
    case 405:
      return {StatusCode::kInvalidArgument, "method not allowed"};
    case 413:
      return {StatusCode::kInvalidArgument,
              "request body over " + std::to_string(max_payload) + " bytes"};
    case 414:
      return {StatusCode::kInvalidArgument, "request target too long"};
    case 416:
      return {StatusCode::kInvalidArgument, "range not satisfiable"};
    default:
      break;
  }
  if (status >= 500) return {StatusCode::kInternal, "internal error"};
  return {StatusCode::kInvalidArgument, "request refused"};
}

// Sent with every response, the library's and ours.
httplib::Headers SecurityHeaders(bool tls) {
  httplib::Headers headers = {
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
  };
  if (tls) headers.emplace("Strict-Transport-Security", "max-age=31536000");
  return headers;
}

}  // namespace

bool IsLoopbackAddress(std::string_view address) {
  if (address == "localhost") return true;
  const std::string a(address);
  in_addr v4{};
  if (::inet_pton(AF_INET, a.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, a.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

Status ValidateServerOptions(const ServerOptions& o) {
  if (o.bind_address.empty()) return InvalidArgumentError("the listen address is empty");
  if (o.port < 0 || o.port > 65535) return InvalidArgumentError("port must be 0..65535");
  if (o.tls_cert_path.empty() != o.tls_key_path.empty()) {
    return InvalidArgumentError("give both a TLS certificate and its key, or neither");
  }
  if (o.max_body_bytes == 0) return InvalidArgumentError("the body size limit must be positive");
  if (o.max_upload_bytes == 0 || o.max_upload_bytes > kMaxMaxUploadBytes) {
    return InvalidArgumentError("the upload size limit must be 1.." +
                                std::to_string(kMaxMaxUploadBytes) + " bytes");
  }
  if (o.max_header_bytes < 256) {
    return InvalidArgumentError("the header size limit must be at least 256 bytes");
  }
  if (o.read_timeout_s < 1 || o.write_timeout_s < 1 || o.idle_timeout_s < 1) {
    return InvalidArgumentError("timeouts must be at least 1 second");
  }
  if (o.logins_per_minute < 0) return InvalidArgumentError("the login rate must not be negative");
  if (o.retention_interval_s < 0) {
    return InvalidArgumentError("the retention interval must not be negative");
  }
  if (o.max_connections < 1 || o.max_connections > kMaxMaxConnections) {
    return InvalidArgumentError("max connections must be 1.." + std::to_string(kMaxMaxConnections));
  }
  if (o.tls_cert_path.empty() && !o.allow_remote && !IsLoopbackAddress(o.bind_address)) {
    return FailedPreconditionError(
        "refusing plain HTTP on a non-loopback address: give --tls-cert and --tls-key, or "
        "--allow-remote (behind a TLS-terminating proxy)");
  }
  return OkStatus();
}

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
    case StatusCode::kAborted:
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kDeadlineExceeded:
      return 504;
    case StatusCode::kCancelled:
    case StatusCode::kUnknown:
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
      return 500;
  }
  return 500;
}

struct Server::Impl {
  engine::Node* node = nullptr;
  ServerOptions options;
  bool tls = false;
  // Destroyed after `http` (declared before it): the routes point into it.
  internal::ApiHandle api;
  std::unique_ptr<httplib::Server> http;

  std::mutex mu;  // guards the lifecycle below
  bool started = false;
  bool stopped = false;
  int port = 0;
  std::thread thread;
  std::atomic<bool> listen_returned{false};

  // The retention job.
  std::thread retention;
  std::mutex retention_mu;
  std::condition_variable retention_cv;
  bool retention_stop = false;

  void Configure();
  void RetentionLoop();
  void Log(const httplib::Request& req, const httplib::Response& res);
  // A request refused by the connection layer (strict_http.h) before the
  // library parsed it.
  void LogRefusal(std::string_view method, std::string_view target, int status, double ms);
};

void Server::Impl::Configure() {
  httplib::Server& h = *http;
  // The larger of the two limits: the connection layer and the routes hold
  // every body but the upload's to max_body_bytes.
  const std::size_t max_payload = std::max(options.max_body_bytes, options.max_upload_bytes);
  h.set_payload_max_length(max_payload);
  h.set_read_timeout(static_cast<time_t>(options.read_timeout_s), 0);
  h.set_write_timeout(static_cast<time_t>(options.write_timeout_s), 0);
  h.set_keep_alive_timeout(static_cast<time_t>(options.idle_timeout_s));
  h.set_keep_alive_max_count(100);
  const auto threads = static_cast<std::size_t>(options.max_connections);
  // httplib owns what new_task_queue returns (it deletes it when listen ends).
  h.new_task_queue = [threads] { return new internal::BoundedTaskQueue(threads, threads); };

  h.set_default_headers(SecurityHeaders(tls));

  const std::size_t max_header = options.max_header_bytes;
  h.set_pre_routing_handler([max_header](const httplib::Request& req, httplib::Response& res) {
    RequestState& state = CurrentRequest();
    state = RequestState();
    state.started = true;
    state.start = std::chrono::steady_clock::now();
    std::size_t bytes = req.method.size() + req.target.size() + req.version.size() + 4;
    for (const auto& [key, value] : req.headers) bytes += key.size() + value.size() + 4;
    // httplib reads a POST without Content-Length until the connection
    // closes (RFC 9112 says it has no body); ask for the length instead.
    // (Transfer-Encoding never gets here: the connection layer refuses it.)
    if ((req.method == "POST" || req.method == "PATCH" || req.method == "PUT") &&
        !req.has_header("Content-Length")) {
      res.set_header("Connection", "close");
      internal::WriteError(res, 411, StatusCode::kInvalidArgument,
                           "send Content-Length (0 for an empty body)");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (bytes > max_header) {
      res.set_header("Connection", "close");
      internal::WriteError(res, 431, StatusCode::kInvalidArgument,
                           "request headers over " + std::to_string(max_header) + " bytes");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  httplib::Server::HandlerWithResponse on_error = [max_payload](const httplib::Request&,
                                                                httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    auto [code, message] = LibraryError(res.status, max_payload);
    internal::WriteError(res, res.status, code, message);
    return httplib::Server::HandlerResponse::Handled;
  };
  h.set_error_handler(std::move(on_error));

  // Exceptions end here (a process edge): 500, and never the exception's
  // text, which could quote a value.
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    CurrentRequest().error = "INTERNAL";
    internal::WriteError(res, 500, StatusCode::kInternal, "internal error");
  });

  h.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { Log(req, res); });
}

void Server::Impl::Log(const httplib::Request& req, const httplib::Response& res) {
  RequestState& state = CurrentRequest();
  internal::AccessEntry e;
  e.time = options.clock();
  e.method = req.method;
  const std::string unmatched = state.route.empty() ? internal::RoutePatternOf(req.path) : "";
  e.path = state.route.empty() ? std::string_view(unmatched) : std::string_view(state.route);
  e.status = res.status;
  if (state.started) {
    e.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - state.start)
               .count();
  }
  e.user_id = state.user_id;
  e.error = state.error;
  const std::string line = internal::FormatAccessLine(e);
  options.access_log(line);
  // The next request on this thread may fail before its pre-routing
  // handler runs; it must not inherit this one's route or user.
  state = RequestState();
  // A refusal sent before the body was read says "Connection: close"; the
  // connection loop then closes instead of parsing that body as a request.
  if (res.get_header_value("Connection") == "close") internal::CloseAfterResponse() = true;
}

void Server::Impl::LogRefusal(std::string_view method, std::string_view target, int status,
                              double ms) {
  internal::AccessEntry e;
  e.time = options.clock();
  e.method = method.empty() ? std::string_view("OTHER") : method;
  const std::string path = internal::RoutePatternOf(target);
  e.path = path;
  e.status = status;
  e.ms = ms;
  options.access_log(internal::FormatAccessLine(e));
}

void Server::Impl::RetentionLoop() {
  const auto interval = std::chrono::seconds(options.retention_interval_s);
  // The first run is at start, even when Stop follows at once.
  for (;;) {
    const std::int64_t now = options.clock();
    Result<engine::RetentionReport> r = node->RunRetention(now);
    internal::Json line = internal::Json::object();
    line["time"] = internal::IsoTime(now);
    line["event"] = "retention";
    if (r.ok()) {
      line["shredded"] = r->shredded;
    } else {
      line["error"] = std::string(StatusCodeName(r.status().code()));
    }
    options.access_log(internal::Dump(line));
    std::unique_lock<std::mutex> lock(retention_mu);
    if (retention_cv.wait_for(lock, interval, [this] { return retention_stop; })) return;
  }
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Stop(); }

Result<std::unique_ptr<Server>> Server::Create(engine::Node& node, ServerOptions options) {
  KL_RETURN_IF_ERROR(ValidateServerOptions(options));
  auto impl = std::make_unique<Impl>();
  impl->node = &node;
  impl->tls = !options.tls_cert_path.empty();
  if (!options.clock) options.clock = SystemClock;
  if (!options.access_log) options.access_log = StderrLog;
  internal::ConnectionPolicy policy;
  policy.max_header_bytes = options.max_header_bytes;
  policy.max_body_bytes = options.max_body_bytes;
  policy.max_upload_bytes = options.max_upload_bytes;
  policy.upload_path = std::string(kUploadPath);
  policy.headers = SecurityHeaders(impl->tls);
  Impl* log_to = impl.get();
  policy.log_refusal = [log_to](std::string_view method, std::string_view target, int status,
                                double ms) { log_to->LogRefusal(method, target, status, ms); };
  if (impl->tls) {
    if (!Readable(options.tls_cert_path)) {
      return InvalidArgumentError("cannot read the TLS certificate " + options.tls_cert_path);
    }
    if (!Readable(options.tls_key_path)) {
      return InvalidArgumentError("cannot read the TLS key " + options.tls_key_path);
    }
    auto ssl = internal::MakeStrictSslServer(std::move(policy), options.tls_cert_path,
                                             options.tls_key_path);
    if (!ssl->is_valid()) {
      return InvalidArgumentError(
          "cannot load the TLS certificate and key (PEM files of one key pair expected)");
    }
    impl->http = std::move(ssl);
  } else {
    impl->http = internal::MakeStrictServer(std::move(policy));
  }
  impl->options = std::move(options);
  impl->Configure();
  internal::ApiConfig config;
  config.node = &node;
  config.clock = impl->options.clock;
  config.tls = impl->tls;
  config.logins_per_minute = impl->options.logins_per_minute;
  config.max_body_bytes = impl->options.max_body_bytes;
  config.max_upload_bytes = impl->options.max_upload_bytes;
  impl->api = internal::RegisterRoutes(*impl->http, config);
  internal::RegisterStaticRoutes(*impl->http);
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started) return FailedPreconditionError("the server was already started");
  const ServerOptions& o = impl_->options;
  int port = o.port;
  if (port == 0) {
    port = impl_->http->bind_to_any_port(o.bind_address);
    if (port <= 0) {
      return UnavailableError("cannot listen on " + o.bind_address + " (any port)");
    }
  } else if (!impl_->http->bind_to_port(o.bind_address, port)) {
    return UnavailableError("cannot listen on " + o.bind_address + ":" + std::to_string(port) +
                            " (in use, or not an address of this host)");
  }
  impl_->port = port;
  impl_->started = true;
  struct sigaction pipe_action {};
  if (::sigaction(SIGPIPE, nullptr, &pipe_action) == 0 && pipe_action.sa_handler == SIG_DFL) {
    std::signal(SIGPIPE, SIG_IGN);
  }
  Impl* impl = impl_.get();
  impl_->thread = std::thread([impl] {
    impl->http->listen_after_bind();
    impl->listen_returned = true;
  });
  // Stop() only takes effect once the accept loop runs; wait for it so that
  // a Stop right after Start cannot be lost.
  while (!impl_->http->is_running() && !impl_->listen_returned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (impl_->listen_returned) {
    impl_->thread.join();
    impl_->stopped = true;
    return UnavailableError("the server stopped at once");
  }
  if (o.retention_interval_s > 0) impl_->retention = std::thread([impl] { impl->RetentionLoop(); });
  return OkStatus();
}

int Server::port() const { return impl_->port != 0 ? impl_->port : impl_->options.port; }

std::string Server::url() const {
  std::string host = impl_->options.bind_address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port());
}

void Server::Stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->started || impl_->stopped) {
    impl_->stopped = true;
    return;
  }
  impl_->stopped = true;
  // Closes the listening socket; the accept loop ends, connections finish
  // the request they are on (keep-alive loops end with the socket), and
  // the task queue's shutdown joins the workers before listen returns.
  impl_->http->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  {
    std::lock_guard<std::mutex> retention_lock(impl_->retention_mu);
    impl_->retention_stop = true;
  }
  impl_->retention_cv.notify_all();
  if (impl_->retention.joinable()) impl_->retention.join();
}

std::string HttpLibraryVersion() { return CPPHTTPLIB_VERSION; }

std::string TlsLibraryVersion() { return OpenSSL_version(OPENSSL_VERSION); }

}  // namespace kinlink::server
