// The hub's HTTP front. Its transport is the node server's (the same
// connection layer, limits, headers and access-log format); its routes are
// three, each a thin adapter to one hub::Hub call.
#include "server/hub_server.h"

#include <httplib.h>

#include <optional>
#include <string>
#include <utility>

#include "hub/hub.h"
#include "server/internal/api.h"
#include "server/internal/json_body.h"
#include "server/internal/transport.h"

namespace kinlink::server {

namespace {

using internal::CurrentRequest;
using internal::Json;
using internal::WriteJson;
using internal::WriteStatus;

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
  std::unique_ptr<internal::Transport> transport;

  const ServerOptions& options() const { return transport->options(); }
  void Routes();
  // The node of the request's bearer key, or nullopt with the 401 written.
  std::optional<hub::NodeInfo> Authenticate(const httplib::Request& req, httplib::Response& res);
};

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
  httplib::Server& h = transport->http();
  h.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    CurrentRequest().route = "/healthz";
    WriteJson(res, 200, Json{{"status", "ok"}});
  });

  h.Post(std::string(kHubUploadPath), [this](const httplib::Request& req, httplib::Response& res) {
    CurrentRequest().route = std::string(kHubUploadPath);
    std::optional<hub::NodeInfo> node = Authenticate(req, res);
    if (!node) return;
    if (req.body.size() > options().max_upload_bytes) {
      internal::WriteError(res, 413, StatusCode::kInvalidArgument,
                           "encodings file over " + std::to_string(options().max_upload_bytes) +
                               " bytes (the hub's upload limit)");
      return;
    }
    const std::string type = req.get_header_value("Content-Type");
    if (type != "application/octet-stream") {
      internal::WriteError(res, 415, StatusCode::kInvalidArgument,
                           "send the encodings file as application/octet-stream");
      return;
    }
    Result<hub::UploadResult> r = hub->AddEncodings(node->id, req.body, options().clock());
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

HubServer::HubServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HubServer::~HubServer() { Stop(); }

Result<std::unique_ptr<HubServer>> HubServer::Create(hub::Hub& hub, ServerOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->hub = &hub;
  KL_ASSIGN_OR_RETURN(impl->transport,
                      internal::Transport::Create(std::move(options), std::string(kHubUploadPath)));
  impl->Routes();
  return std::unique_ptr<HubServer>(new HubServer(std::move(impl)));
}

Status HubServer::Start() { return impl_->transport->Start(); }

int HubServer::port() const { return impl_->transport->port(); }

std::string HubServer::url() const { return impl_->transport->url(); }

void HubServer::Stop() { impl_->transport->Stop(); }

}  // namespace kinlink::server
