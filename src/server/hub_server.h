// server/hub_server: the linkage hub's API over HTTP(S) — `kinlink hub`
// (docs/pprl.md, "The hub"; docs/api/hub-openapi.yaml). A thin layer over
// hub::Hub on the node server's transport: the strict connection layer
// (server/internal/strict_http.h), the named limits of ServerOptions, the
// security headers and an access log of route patterns only — never a
// body, a query string, an API key or a record reference.
//
// Routes:
//   GET  /healthz                 no key
//   POST /hub/v1/encodings        a `.kle` file (application/octet-stream)
//                                 under max_upload_bytes (413 above)
//   GET  /hub/v1/pairs[?after=C][&limit=N]
//
// Every /hub/v1 call needs `Authorization: Bearer <api key>`; a missing,
// malformed, unknown or revoked key gets 401 with one message.
//
// Thread-safety: as server::Server; the Hub is shared by the workers.
//
//   KL_ASSIGN_OR_RETURN(auto server, server::HubServer::Create(*hub, options));
//   KL_RETURN_IF_ERROR(server->Start());
#ifndef KINLINK_SERVER_HUB_SERVER_H_
#define KINLINK_SERVER_HUB_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "server/server.h"

namespace kinlink::hub {
class Hub;
}  // namespace kinlink::hub

namespace kinlink::server {

// The route whose body is an uploaded encodings file.
inline constexpr std::string_view kHubUploadPath = "/hub/v1/encodings";
inline constexpr std::string_view kHubPairsPath = "/hub/v1/pairs";
// Bytes of an uploaded `.kle` file (ServerOptions::max_upload_bytes for the
// hub; `kinlink hub --max-upload`). Held in memory while it is verified
// and linked.
inline constexpr std::size_t kDefaultHubMaxUploadBytes = 64 * 1024 * 1024;

class HubServer {
 public:
  // Checks the options (ValidateServerOptions; logins_per_minute and
  // retention_interval_s are not used) and loads the TLS files. `hub` must
  // outlive the server.
  static Result<std::unique_ptr<HubServer>> Create(hub::Hub& hub, ServerOptions options);
  ~HubServer();
  HubServer(const HubServer&) = delete;
  HubServer& operator=(const HubServer&) = delete;

  // As Server::Start, Server::port, Server::url and Server::Stop.
  Status Start();
  int port() const;
  std::string url() const;
  void Stop();

 private:
  struct Impl;
  explicit HubServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kinlink::server

#endif  // KINLINK_SERVER_HUB_SERVER_H_
