// server::HubClient and PartnerSync (see hub_client.h).
#include "server/hub_client.h"

#include <httplib.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "server/hub_server.h"

namespace kinlink::server {

namespace {

using Json = nlohmann::json;

// The hub's error as a Status with the hub's own code (its JSON names
// it), or a transport error.
Status HubError(const httplib::Result& r, const std::string& what) {
  if (!r) {
    return UnavailableError(what + ": cannot reach the hub (" + httplib::to_string(r.error()) +
                            ")");
  }
  const Json body = Json::parse(r->body, nullptr, false);
  std::string message = "HTTP " + std::to_string(r->status);
  StatusCode code = r->status >= 500 ? StatusCode::kUnavailable : StatusCode::kInvalidArgument;
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const Json& e = body["error"];
    if (e.contains("message") && e["message"].is_string()) {
      message += ": " + e["message"].get<std::string>();
    }
    if (r->status < 500 && e.contains("code") && e["code"].is_string()) {
      const std::string name = e["code"].get<std::string>();
      for (int c = 1; c <= static_cast<int>(StatusCode::kUnauthenticated); ++c) {
        if (StatusCodeName(static_cast<StatusCode>(c)) == name) code = static_cast<StatusCode>(c);
      }
    }
  }
  return Status(code, what + " refused by the hub: " + message);
}

// A decimal cursor as the hub writes it.
std::optional<std::int64_t> ParseCursor(const Json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::optional<pprl::RecordRef> ParseRef(const Json& v) {
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  pprl::RecordRef ref{};
  if (s.size() != ref.size() * 2) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < ref.size(); ++i) {
    const int hi = nibble(s[2 * i]);
    const int lo = nibble(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    ref[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return ref;
}

}  // namespace

struct HubClient::Impl {
  std::unique_ptr<httplib::Client> http;
  crypto::SecretBytes api_key;

  httplib::Headers Headers() const {
    return {{"Authorization", "Bearer " + std::string(api_key.view())}};
  }
};

HubClient::HubClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HubClient::~HubClient() = default;

Result<std::unique_ptr<HubClient>> HubClient::Create(HubClientOptions options) {
  std::string base = options.url;
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    return InvalidArgumentError("the hub's URL must start with http:// or https://");
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto impl = std::make_unique<Impl>();
  impl->http = std::make_unique<httplib::Client>(base);
  if (!impl->http->is_valid()) return InvalidArgumentError("the hub's URL is not usable");
  if (!options.ca_cert.empty()) impl->http->set_ca_cert_path(options.ca_cert.c_str());
  impl->http->set_connection_timeout(options.connect_timeout_s, 0);
  impl->http->set_read_timeout(options.read_timeout_s, 0);
  impl->http->set_write_timeout(60, 0);
  impl->api_key = std::move(options.api_key);
  return std::unique_ptr<HubClient>(new HubClient(std::move(impl)));
}

Result<hub::UploadResult> HubClient::Upload(std::string_view kle) {
  httplib::Result r = impl_->http->Post(std::string(kHubUploadPath), impl_->Headers(),
                                        kle.data(), kle.size(), "application/octet-stream");
  if (!r || r->status != 201) return HubError(r, "the upload");
  const Json body = Json::parse(r->body, nullptr, false);
  if (!body.is_object()) return InternalError("the hub's answer to an upload is not JSON");
  hub::UploadResult out;
  auto number = [&](const char* key) -> std::uint64_t {
    return body.contains(key) && body[key].is_number_unsigned() ? body[key].get<std::uint64_t>()
                                                                : 0;
  };
  out.records = number("records");
  out.partners = number("partners");
  out.partner_records = number("partner_records");
  out.pairs = number("pairs");
  return out;
}

Result<hub::PairsPage> HubClient::Pairs(std::optional<std::int64_t> after, std::int64_t limit) {
  std::string path = std::string(kHubPairsPath) + "?limit=" + std::to_string(limit);
  if (after) path += "&after=" + std::to_string(*after);
  httplib::Result r = impl_->http->Get(path, impl_->Headers());
  if (!r || r->status != 200) return HubError(r, "reading pairs");
  const Json body = Json::parse(r->body, nullptr, false);
  const Status malformed = InternalError("the hub's pairs are not the expected JSON");
  if (!body.is_object() || !body.contains("pairs") || !body["pairs"].is_array()) return malformed;
  hub::PairsPage page;
  const std::optional<std::int64_t> next = body.contains("next") ? ParseCursor(body["next"])
                                                                  : std::nullopt;
  if (!next) return malformed;
  page.next = *next;
  page.more = body.value("more", false);
  for (const Json& p : body["pairs"]) {
    if (!p.is_object()) return malformed;
    hub::DeliveredPair d;
    const std::optional<std::int64_t> cursor = p.contains("cursor") ? ParseCursor(p["cursor"])
                                                                     : std::nullopt;
    const std::optional<pprl::RecordRef> own =
        p.contains("own_ref") ? ParseRef(p["own_ref"]) : std::nullopt;
    if (!cursor || !own || !p.contains("partner_node") || !p["partner_node"].is_string() ||
        !p.contains("partner_ref") || !p["partner_ref"].is_string() || !p.contains("score") ||
        !p["score"].is_number() || !p.contains("match_weight") ||
        !p["match_weight"].is_number()) {
      return malformed;
    }
    d.cursor = *cursor;
    d.own_ref = *own;
    d.partner = p["partner_node"].get<std::string>();
    d.partner_ref = p["partner_ref"].get<std::string>();
    d.score = p["score"].get<double>();
    d.weight = p["match_weight"].get<double>();
    page.pairs.push_back(std::move(d));
  }
  return page;
}

Result<PartnerSyncReport> PartnerSync(engine::Node& node, HubClient& client, std::int64_t now) {
  PartnerSyncReport report;
  for (std::int64_t i = 0; i < kMaxBatchesPerSync; ++i) {
    KL_ASSIGN_OR_RETURN(std::optional<engine::HubUpload> up, node.NextHubUpload(now));
    if (!up) break;
    Result<hub::UploadResult> sent = client.Upload(up->kle);
    crypto::Wipe(up->kle);
    // A repeat the hub already has: its earlier upload went through.
    if (!sent.ok() && !(up->repeat && sent.status().code() == StatusCode::kAlreadyExists)) {
      return sent.status().WithContext("batch " + std::to_string(up->batch));
    }
    KL_RETURN_IF_ERROR(node.HubUploadDone(up->batch, now));
    ++report.batches;
    report.records_sent += up->records;
  }
  KL_ASSIGN_OR_RETURN(std::int64_t cursor, node.HubPairsCursor());
  for (;;) {
    KL_ASSIGN_OR_RETURN(hub::PairsPage page, client.Pairs(cursor, hub::kDefaultPairsPage));
    std::vector<engine::PartnerPair> pairs;
    pairs.reserve(page.pairs.size());
    for (const hub::DeliveredPair& d : page.pairs) {
      pairs.push_back({d.own_ref, d.partner, d.partner_ref, d.score, d.weight});
    }
    KL_ASSIGN_OR_RETURN(engine::PartnerPairsSummary s,
                        node.AddPartnerPairs(pairs, std::max(cursor, page.next), now));
    report.pairs += s.pairs;
    report.matches_stored += s.stored;
    report.unknown_pairs += s.unknown;
    cursor = std::max(cursor, page.next);
    if (!page.more || page.pairs.empty()) break;
  }
  return report;
}

}  // namespace kinlink::server
