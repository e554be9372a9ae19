// The hub's HTTP front. Its transport is the node server's (the same
// connection layer, limits, headers and access-log format); its routes are
// three, each a thin adapter to one hub::Hub call.
#include "server/hub_server.h"

#include <httplib.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <mutex>
#include <thread>
#include <utility>

#include "hub/hub.h"
#include "server/internal/access_log.h"
#include "server/internal/api.h"
#include "server/internal/json_body.h"
#include "server/internal/strict_http.h"
#include "server/internal/task_queue.h"

namespace kinlink::server {

namespace {

using internal::CurrentRequest;
using internal::Json;
using internal::RequestState;

std::int64_t SystemClock() { return static_cast<std::int64_t>(std::time(nullptr)); }

void StderrLog(std::string_view line) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

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

void WriteJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(internal::Dump(body), "application/json; charset=utf-8");
}

// A Status as a response; an internal failure's message stays out of it
// (its code goes to the access log).
void WriteStatus(httplib::Response& res, const Status& status) {
  const int http = HttpStatusFor(status.code());
  if (http >= 500) {
    CurrentRequest().error = std::string(StatusCodeName(status.code()));
    internal::WriteError(res, http, status.code(), "internal error");
    return;
  }
  internal::WriteError(res, http, status.code(), status.message());
}

void WriteUnauthenticated(httplib::Response& res) {
  res.set_header("WWW-Authenticate", "Bearer");
  internal::WriteError(res, 401, StatusCode::kUnauthenticated, std::string(hub::kBadApiKeyMessage));
}

// A decimal in 0..max, nothing else.
std::optional<std::int64_t> ParseCount(const std::string& text, std::int64_t max) {
  // At most 18 digits: the value cannot overflow.
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (v > max) return std::nullopt;
  return v;
}

}  // namespace

struct HubServer::Impl {
  hub::Hub* hub = nullptr;
  ServerOptions options;
  bool tls = false;
  std::unique_ptr<httplib::Server> http;

  std::mutex mu;  // guards the lifecycle below
  bool started = false;
  bool stopped = false;
  int port = 0;
  std::thread thread;
  std::atomic<bool> listen_returned{false};

  void Configure();
  void Routes();
  // The node of the request's bearer key, or nullopt with the 401 written.
  std::optional<hub::NodeInfo> Authenticate(const httplib::Request& req, httplib::Response& res);
  void Log(const httplib::Request& req, const httplib::Response& res);
  void LogRefusal(std::string_view method, std::string_view target, int status, double ms);
};

void HubServer::Impl::Configure() {
  httplib::Server& h = *http;
  const std::size_t max_payload = std::max(options.max_body_bytes, options.max_upload_bytes);
  h.set_payload_max_length(max_payload);
  h.set_read_timeout(static_cast<time_t>(options.read_timeout_s), 0);
  h.set_write_timeout(static_cast<time_t>(options.write_timeout_s), 0);
  h.set_keep_alive_timeout(static_cast<time_t>(options.idle_timeout_s));
  h.set_keep_alive_max_count(100);
  const auto threads = static_cast<std::size_t>(options.max_connections);
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
    switch (res.status) {
      case 404:
        internal::WriteError(res, 404, StatusCode::kNotFound, "no such endpoint");
        break;
      case 413:
        internal::WriteError(res, 413, StatusCode::kInvalidArgument,
                             "request body over " + std::to_string(max_payload) + " bytes");
        break;
      default:
        if (res.status >= 500) {
          internal::WriteError(res, res.status, StatusCode::kInternal, "internal error");
        } else {
          internal::WriteError(res, res.status, StatusCode::kInvalidArgument, "request refused");
        }
    }
    return httplib::Server::HandlerResponse::Handled;
  };
  h.set_error_handler(std::move(on_error));
  h.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    CurrentRequest().error = "INTERNAL";
    internal::WriteError(res, 500, StatusCode::kInternal, "internal error");
  });
  h.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) { Log(req, res); });
}

std::optional<hub::NodeInfo> HubServer::Impl::Authenticate(const httplib::Request& req,
                                                           httplib::Response& res) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
    WriteUnauthenticated(res);
    return std::nullopt;
  }
  Result<hub::NodeInfo> node = hub->Authenticate(std::string_view(header).substr(kBearer.size()));
  if (!node.ok()) {
    if (node.status().code() == StatusCode::kUnauthenticated) {
      WriteUnauthenticated(res);
    } else {
      WriteStatus(res, node.status());
    }
    return std::nullopt;
  }
  CurrentRequest().user_id = node->id;
  return *node;
}

void HubServer::Impl::Routes() {
  httplib::Server& h = *http;
  h.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    CurrentRequest().route = "/healthz";
    WriteJson(res, 200, Json{{"status", "ok"}});
  });

  h.Post(std::string(kHubUploadPath), [this](const httplib::Request& req, httplib::Response& res) {
    CurrentRequest().route = std::string(kHubUploadPath);
    std::optional<hub::NodeInfo> node = Authenticate(req, res);
    if (!node) return;
    if (req.body.size() > options.max_upload_bytes) {
      internal::WriteError(res, 413, StatusCode::kInvalidArgument,
                           "encodings file over " + std::to_string(options.max_upload_bytes) +
                               " bytes (the hub's upload limit)");
      return;
    }
    const std::string type = req.get_header_value("Content-Type");
    if (type != "application/octet-stream") {
      internal::WriteError(res, 415, StatusCode::kInvalidArgument,
                           "send the encodings file as application/octet-stream");
      return;
    }
    Result<hub::UploadResult> r = hub->AddEncodings(node->id, req.body, options.clock());
    if (!r.ok()) {
      WriteStatus(res, r.status());
      return;
    }
    WriteJson(res, 201,
              Json{{"upload", r->upload_id},
                   {"records", r->records},
                   {"partners", r->partners},
                   {"partner_records", r->partner_records},
                   {"pairs", r->pairs}});
  });

  h.Get(std::string(kHubPairsPath), [this](const httplib::Request& req, httplib::Response& res) {
    CurrentRequest().route = std::string(kHubPairsPath);
    std::optional<hub::NodeInfo> node = Authenticate(req, res);
    if (!node) return;
    for (const auto& [name, value] : req.params) {
      if (name != "after" && name != "limit") {
        internal::WriteError(res, 400, StatusCode::kInvalidArgument,
                             "unknown query parameter (after and limit are known)");
        return;
      }
    }
    std::optional<std::int64_t> after;
    if (req.has_param("after")) {
      after = ParseCount(req.get_param_value("after"), INT64_MAX / 10);
      if (!after) {
        internal::WriteError(res, 400, StatusCode::kInvalidArgument,
                             "after must be a cursor returned as next (a decimal number)");
        return;
      }
    }
    std::int64_t limit = hub::kDefaultPairsPage;
    if (req.has_param("limit")) {
      std::optional<std::int64_t> l = ParseCount(req.get_param_value("limit"), hub::kMaxPairsPage);
      if (!l || *l < 1) {
        internal::WriteError(res, 400, StatusCode::kInvalidArgument,
                             "limit must be 1.." + std::to_string(hub::kMaxPairsPage));
        return;
      }
      limit = *l;
    }
    Result<hub::PairsPage> page = hub->Pairs(node->id, after, limit);
    if (!page.ok()) {
      WriteStatus(res, page.status());
      return;
    }
    Json pairs = Json::array();
    for (const hub::DeliveredPair& p : page->pairs) {
      pairs.push_back(Json{{"cursor", std::to_string(p.cursor)},
                           {"own_ref", pprl::RefHex(p.own_ref)},
                           {"partner_node", p.partner},
                           {"partner_ref", p.partner_ref},
                           {"score", p.score},
                           {"match_weight", p.weight}});
    }
    WriteJson(res, 200,
              Json{{"pairs", std::move(pairs)},
                   {"next", std::to_string(page->next)},
                   {"more", page->more}});
  });
}

void HubServer::Impl::Log(const httplib::Request& req, const httplib::Response& res) {
  RequestState& state = CurrentRequest();
  internal::AccessEntry e;
  e.time = options.clock();
  e.method = internal::SafeMethod(req.method);
  const std::string unmatched = state.route.empty() ? internal::RoutePatternOf(req.path) : "";
  e.path = state.route.empty() ? std::string_view(unmatched) : std::string_view(state.route);
  e.status = res.status;
  if (state.started) {
    e.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - state.start)
               .count();
  }
  e.user_id = state.user_id;  // the node's id
  e.error = state.error;
  options.access_log(internal::FormatAccessLine(e));
  state = RequestState();
  if (res.get_header_value("Connection") == "close") internal::CloseAfterResponse() = true;
}

void HubServer::Impl::LogRefusal(std::string_view method, std::string_view target, int status,
                                 double ms) {
  internal::AccessEntry e;
  e.time = options.clock();
  e.method = method.empty() ? std::string_view("OTHER") : internal::SafeMethod(method);
  const std::string path = internal::RoutePatternOf(target);
  e.path = path;
  e.status = status;
  e.ms = ms;
  options.access_log(internal::FormatAccessLine(e));
}

HubServer::HubServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HubServer::~HubServer() { Stop(); }

Result<std::unique_ptr<HubServer>> HubServer::Create(hub::Hub& hub, ServerOptions options) {
  KL_RETURN_IF_ERROR(ValidateServerOptions(options));
  auto impl = std::make_unique<Impl>();
  impl->hub = &hub;
  impl->tls = !options.tls_cert_path.empty();
  if (!options.clock) options.clock = SystemClock;
  if (!options.access_log) options.access_log = StderrLog;
  internal::ConnectionPolicy policy;
  policy.max_header_bytes = options.max_header_bytes;
  policy.max_body_bytes = options.max_body_bytes;
  policy.max_upload_bytes = options.max_upload_bytes;
  policy.upload_path = std::string(kHubUploadPath);
  policy.headers = SecurityHeaders(impl->tls);
  Impl* log_to = impl.get();
  policy.log_refusal = [log_to](std::string_view method, std::string_view target, int status,
                                double ms) { log_to->LogRefusal(method, target, status, ms); };
  if (impl->tls) {
    if (!std::ifstream(options.tls_cert_path).good()) {
      return InvalidArgumentError("cannot read the TLS certificate " + options.tls_cert_path);
    }
    if (!std::ifstream(options.tls_key_path).good()) {
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
  impl->Routes();
  return std::unique_ptr<HubServer>(new HubServer(std::move(impl)));
}

Status HubServer::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started) return FailedPreconditionError("the hub server was already started");
  const ServerOptions& o = impl_->options;
  int port = o.port;
  if (port == 0) {
    port = impl_->http->bind_to_any_port(o.bind_address);
    if (port <= 0) return UnavailableError("cannot listen on " + o.bind_address + " (any port)");
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
  while (!impl_->http->is_running() && !impl_->listen_returned) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (impl_->listen_returned) {
    impl_->thread.join();
    impl_->stopped = true;
    return UnavailableError("the hub server stopped at once");
  }
  return OkStatus();
}

int HubServer::port() const { return impl_->port != 0 ? impl_->port : impl_->options.port; }

std::string HubServer::url() const {
  std::string host = impl_->options.bind_address;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(impl_->tls ? "https://" : "http://") + host + ":" + std::to_string(port());
}

void HubServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->started || impl_->stopped) {
    impl_->stopped = true;
    return;
  }
  impl_->stopped = true;
  impl_->http->stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace kinlink::server
