// server/internal/transport: the HTTP(S) transport that `kinlink serve`
// and `kinlink hub` share — the strict connection layer (strict_http.h)
// with TLS or plain HTTP, the request limits, the security headers, JSON
// bodies for the library's own errors, the route-pattern access log and
// the listening thread. Each server adds only its routes on http().
//
// Thread-safety: as Server (server.h): Start and Stop may be called from
// any thread; routes run on the worker threads.
//
//   KL_ASSIGN_OR_RETURN(auto t, Transport::Create(options, "/api/v1/imports"));
//   t->http().Get("/healthz", handler);
//   KL_RETURN_IF_ERROR(t->Start());
#ifndef KINLINK_SERVER_INTERNAL_TRANSPORT_H_
#define KINLINK_SERVER_INTERNAL_TRANSPORT_H_

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "common/result.h"
#include "server/server.h"

namespace kinlink::server::internal {

class Transport {
 public:
  // Gives `options` their defaults (the system clock, stderr for the access
  // log), checks and loads the TLS files, and configures the library.
  // `upload_path`: the one POST route whose body may reach
  // options.max_upload_bytes (every other keeps max_body_bytes).
  static Result<std::unique_ptr<Transport>> Create(ServerOptions options, std::string upload_path);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  httplib::Server& http() { return *http_; }
  const ServerOptions& options() const { return options_; }
  bool tls() const { return tls_; }

  // Binds and serves on a thread of its own. FAILED_PRECONDITION when
  // started before; UNAVAILABLE when the address cannot be bound.
  Status Start();
  int port() const;
  std::string url() const;
  // Stops accepting, lets requests in flight finish, joins. Idempotent.
  void Stop();

 private:
  Transport() = default;
  void Configure();
  void Log(const httplib::Request& req, const httplib::Response& res);
  // A request refused by the connection layer before the library parsed it.
  void LogRefusal(std::string_view method, std::string_view target, int status, double ms);

  ServerOptions options_;
  bool tls_ = false;
  std::unique_ptr<httplib::Server> http_;
  std::mutex mu_;  // guards the lifecycle below
  bool started_ = false;
  bool stopped_ = false;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
};

}  // namespace kinlink::server::internal

#endif  // KINLINK_SERVER_INTERNAL_TRANSPORT_H_
