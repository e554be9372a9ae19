#include "server/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/crypto.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "engine/node.h"
#include "server/internal/access_log.h"
#include "server/internal/api.h"
#include "server/internal/json_body.h"
#include "server/internal/static_files.h"
#include "server/internal/transport.h"

namespace kinlink::server {

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
  // Destroyed after `transport` (declared before it): the routes point into it.
  internal::ApiHandle api;
  std::unique_ptr<internal::Transport> transport;

  std::mutex mu;  // guards the lifecycle below
  bool started = false;
  bool stopped = false;

  // The retention job.
  std::thread retention;
  std::mutex retention_mu;
  std::condition_variable retention_cv;
  bool retention_stop = false;

  const ServerOptions& options() const { return transport->options(); }
  void RetentionLoop();
};

void Server::Impl::RetentionLoop() {
  const ServerOptions& options = this->options();
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
  auto impl = std::make_unique<Impl>();
  impl->node = &node;
  KL_ASSIGN_OR_RETURN(impl->transport,
                      internal::Transport::Create(std::move(options), std::string(kUploadPath)));
  internal::ApiConfig config;
  config.node = &node;
  config.clock = impl->options().clock;
  config.tls = impl->transport->tls();
  config.logins_per_minute = impl->options().logins_per_minute;
  config.max_body_bytes = impl->options().max_body_bytes;
  config.max_upload_bytes = impl->options().max_upload_bytes;
  impl->api = internal::RegisterRoutes(impl->transport->http(), config);
  internal::RegisterStaticRoutes(impl->transport->http());
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Status Server::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->started) return FailedPreconditionError("the server was already started");
  KL_RETURN_IF_ERROR(impl_->transport->Start());
  impl_->started = true;
  Impl* impl = impl_.get();
  if (impl_->options().retention_interval_s > 0) {
    impl_->retention = std::thread([impl] { impl->RetentionLoop(); });
  }
  return OkStatus();
}

int Server::port() const { return impl_->transport->port(); }

std::string Server::url() const { return impl_->transport->url(); }

void Server::Stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->started || impl_->stopped) {
    impl_->stopped = true;
    return;
  }
  impl_->stopped = true;
  impl_->transport->Stop();
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
