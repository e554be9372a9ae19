#include "server/internal/transport.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <utility>

#include "server/internal/access_log.h"
#include "server/internal/api.h"
#include "server/internal/strict_http.h"
#include "server/internal/task_queue.h"

namespace kinlink::server::internal {

namespace {

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

Result<std::unique_ptr<Transport>> Transport::Create(ServerOptions options,
                                                     std::string upload_path) {
  KL_RETURN_IF_ERROR(ValidateServerOptions(options));
  std::unique_ptr<Transport> t(new Transport());
  t->tls_ = !options.tls_cert_path.empty();
  if (!options.clock) options.clock = SystemClock;
  if (!options.access_log) options.access_log = StderrLog;
  ConnectionPolicy policy;
  policy.max_header_bytes = options.max_header_bytes;
  policy.max_body_bytes = options.max_body_bytes;
  policy.max_upload_bytes = options.max_upload_bytes;
  policy.upload_path = std::move(upload_path);
  policy.headers = SecurityHeaders(t->tls_);
  Transport* log_to = t.get();
  policy.log_refusal = [log_to](std::string_view method, std::string_view target, int status,
                                double ms) { log_to->LogRefusal(method, target, status, ms); };
  if (t->tls_) {
    if (!Readable(options.tls_cert_path)) {
      return InvalidArgumentError("cannot read the TLS certificate " + options.tls_cert_path);
    }
    if (!Readable(options.tls_key_path)) {
      return InvalidArgumentError("cannot read the TLS key " + options.tls_key_path);
    }
    auto ssl = MakeStrictSslServer(std::move(policy), options.tls_cert_path, options.tls_key_path);
    if (!ssl->is_valid()) {
      return InvalidArgumentError(
          "cannot load the TLS certificate and key (PEM files of one key pair expected)");
    }
    t->http_ = std::move(ssl);
  } else {
    t->http_ = MakeStrictServer(std::move(policy));
  }
  t->options_ = std::move(options);
  t->Configure();
  return t;
}

Transport::~Transport() { Stop(); }

void Transport::Configure() {
  httplib::Server& h = *http_;
  // The larger of the two limits: the connection layer and the routes hold
  // every body but the upload's to max_body_bytes.
  const std::size_t max_payload = std::max(options_.max_body_bytes, options_.max_upload_bytes);
  h.set_payload_max_length(max_payload);
  h.set_read_timeout(static_cast<time_t>(options_.read_timeout_s), 0);
  h.set_write_timeout(static_cast<time_t>(options_.write_timeout_s), 0);
  h.set_keep_alive_timeout(static_cast<time_t>(options_.idle_timeout_s));
  h.set_keep_alive_max_count(100);
  const auto threads = static_cast<std::size_t>(options_.max_connections);
  // httplib owns what new_task_queue returns (it deletes it when listen ends).
  h.new_task_queue = [threads] { return new BoundedTaskQueue(threads, threads); };

  h.set_default_headers(SecurityHeaders(tls_));

  const std::size_t max_header = options_.max_header_bytes;
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
      WriteError(res, 411, StatusCode::kInvalidArgument,
                 "send Content-Length (0 for an empty body)");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (bytes > max_header) {
      res.set_header("Connection", "close");
      WriteError(res, 431, StatusCode::kInvalidArgument,
                 "request headers over " + std::to_string(max_header) + " bytes");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  httplib::Server::HandlerWithResponse on_error = [max_payload](const httplib::Request&,
                                                                httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    auto [code, message] = LibraryError(res.status, max_payload);
    WriteError(res, res.status, code, message);
    return httplib::Server::HandlerResponse::Handled;
  };
  h.set_error_handler(std::move(on_error));

  // Exceptions end here (a process edge): 500, and never the exception's
  // text, which could quote a value.
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    CurrentRequest().error = "INTERNAL";
    WriteError(res, 500, StatusCode::kInternal, "internal error");
  });

  h.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { Log(req, res); });
}

void Transport::Log(const httplib::Request& req, const httplib::Response& res) {
  RequestState& state = CurrentRequest();
  AccessEntry e;
  e.time = options_.clock();
  e.method = SafeMethod(req.method);
  const std::string unmatched = state.route.empty() ? RoutePatternOf(req.path) : "";
  e.path = state.route.empty() ? std::string_view(unmatched) : std::string_view(state.route);
  e.status = res.status;
  if (state.started) {
    e.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - state.start)
               .count();
  }
  e.user_id = state.user_id;
  e.error = state.error;
  options_.access_log(FormatAccessLine(e));
  // The next request on this thread may fail before its pre-routing
  // handler runs; it must not inherit this one's route or user.
  state = RequestState();
  // A refusal sent before the body was read says "Connection: close"; the
  // connection loop then closes instead of parsing that body as a request.
  if (res.get_header_value("Connection") == "close") CloseAfterResponse() = true;
}

void Transport::LogRefusal(std::string_view method, std::string_view target, int status,
                           double ms) {
  AccessEntry e;
  e.time = options_.clock();
  e.method = method.empty() ? std::string_view("OTHER") : SafeMethod(method);
  const std::string path = RoutePatternOf(target);
  e.path = path;
  e.status = status;
  e.ms = ms;
  options_.access_log(FormatAccessLine(e));
}

Status Transport::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_) return FailedPreconditionError("the server was already started");
  const ServerOptions& o = options_;
  int port = o.port;
  if (port == 0) {
    port = http_->bind_to_any_port(o.bind_address);
    if (port <= 0) return UnavailableError("cannot listen on " + o.bind_address + " (any port)");
  } else if (!http_->bind_to_port(o.bind_address, port)) {
    return UnavailableError("cannot listen on " + o.bind_address + ":" + std::to_string(port) +
                            " (in use, or not an address of this host)");
  }
  port_ = port;
  started_ = true;
  struct sigaction pipe_action {};
  if (::sigaction(SIGPIPE, nullptr, &pipe_action) == 0 && pipe_action.sa_handler == SIG_DFL) {
    std::signal(SIGPIPE, SIG_IGN);
  }
  thread_ = std::thread([this] {
    http_->listen_after_bind();
    listen_returned_ = true;
  });
  // Stop() only takes effect once the accept loop runs; wait for it so that
  // a Stop right after Start cannot be lost.
  while (!http_->is_running() && !listen_returned_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (listen_returned_) {
    thread_.join();
    stopped_ = true;
    return UnavailableError("the server stopped at once");
  }
  return OkStatus();
}

int Transport::port() const { return port_ != 0 ? port_ : options_.port; }

std::string Transport::url() const {
  std::string host = options_.bind_address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(tls_ ? "https://" : "http://") + host + ":" + std::to_string(port());
}

void Transport::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!started_ || stopped_) {
    stopped_ = true;
    return;
  }
  stopped_ = true;
  // Closes the listening socket; the accept loop ends, connections finish
  // the request they are on (keep-alive loops end with the socket), and
  // the task queue's shutdown joins the workers before listen returns.
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace kinlink::server::internal
