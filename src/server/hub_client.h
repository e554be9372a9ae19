// server::HubClient: a node's HTTP(S) client of a linkage hub (`kinlink
// hub`, docs/api/hub-openapi.yaml): upload a `.kle` file, read the pairs
// involving the node's records. server::PartnerSync: one round of a
// node's exchange with its hub (send new records, store new pairs), as
// `kinlink serve --hub` runs it every few minutes and `kinlink hub sync`
// runs it once.
//
// The API key is a credential: sent only in the Authorization header,
// never logged, wiped with the client.
//
// Thread-safety: a HubClient is used by one thread at a time.
//
//   KL_ASSIGN_OR_RETURN(auto client, HubClient::Create({url, api_key, ca_cert}));
//   KL_ASSIGN_OR_RETURN(PartnerSyncReport r, PartnerSync(*node, *client, now));
#ifndef KINLINK_SERVER_HUB_CLIENT_H_
#define KINLINK_SERVER_HUB_CLIENT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/crypto.h"
#include "engine/node.h"
#include "hub/hub.h"

namespace kinlink::server {

struct HubClientOptions {
  std::string url;             // "http://host:port" or "https://..."
  crypto::SecretBytes api_key;  // klh_... (hub::kApiKeyPrefix)
  std::string ca_cert;         // PEM file to trust for https ("" = the system's)
  int connect_timeout_s = 10;
  int read_timeout_s = 600;  // an upload is linked before the hub answers
};

class HubClient {
 public:
  // INVALID_ARGUMENT for a URL that is not http(s)://host[:port].
  static Result<std::unique_ptr<HubClient>> Create(HubClientOptions options);
  ~HubClient();
  HubClient(const HubClient&) = delete;
  HubClient& operator=(const HubClient&) = delete;

  // Uploads a `.kle` file. The hub's refusal comes back with its code and
  // message (UNAUTHENTICATED for a bad key, FAILED_PRECONDITION for another
  // schema or linkage key, ALREADY_EXISTS for references sent before,
  // INVALID_ARGUMENT for a damaged file); UNAVAILABLE when the hub cannot
  // be reached or fails.
  Result<hub::UploadResult> Upload(std::string_view kle);
  // The pairs after `after` (absent: after the hub's delivery cursor for
  // this node), at most `limit`. INTERNAL for an answer that is not the
  // hub's JSON.
  Result<hub::PairsPage> Pairs(std::optional<std::int64_t> after, std::int64_t limit);

 private:
  struct Impl;
  explicit HubClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What one round did.
struct PartnerSyncReport {
  std::int64_t batches = 0;          // batches uploaded (or confirmed as already there)
  std::int64_t records_sent = 0;     // records in them
  std::int64_t pairs = 0;            // pairs read from the hub
  std::int64_t matches_stored = 0;   // stored as partner matches
  std::int64_t unknown_pairs = 0;    // naming no record here
};

// Upper bound on batches one round sends (the rest wait for the next).
inline constexpr std::int64_t kMaxBatchesPerSync = 20;

// One round: uploads the node's unsent records batch by batch (a batch the
// hub refuses as already sent counts as done), then reads every new pair
// page by page from the node's stored cursor and stores them. Stops at the
// first error, keeping what was done before it; the next round goes on
// from there.
Result<PartnerSyncReport> PartnerSync(engine::Node& node, HubClient& client, std::int64_t now);

}  // namespace kinlink::server

#endif  // KINLINK_SERVER_HUB_CLIENT_H_
