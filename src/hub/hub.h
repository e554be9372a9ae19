// hub: the linkage hub of cross-organisation linkage (docs/pprl.md, "The
// hub"). Nodes (organisations) send it keyed encodings only (`.kle` files,
// pprl/kle.h); the hub finds the pairs of records across nodes that
// describe the same person and tells each node only about its own records.
// It never holds the linkage key, so whoever owns the hub cannot read a
// name: it holds what a `.kle` file holds (random record references,
// keyed tokens, Bloom filters, keyed blocking keys) and the pairs found.
//
// Storage: one SQLite file, DIR/hub.db (WAL, mode 0600): node accounts
// (name, a keyed hash of the API key — never the key —, revoked flag),
// each node's uploads (the verified `.kle` bytes as received) and record
// references, the pool's schema and key-check value, the pairs found and
// each node's delivery cursor.
//
// Linkage is incremental: an upload's records are compared, with the
// candidate generation and scoring of `kinlink pprl-link`
// (pprl::LinkKle: keyed blocking keys + record-filter Dice, then
// Fellegi–Sunter), with the records of every other node that is not
// revoked — one LinkKle per partner node (new records on the left, the
// partner's records in upload order on the right), never with the
// uploading node's own. Pairs are numbered in the order they are stored;
// a node reads the pairs involving its records after a cursor.
//
// Thread-safety: a Hub is thread-safe. Uploads are linked one at a time
// (each sees every upload stored before it); reads of pairs and accounts
// run meanwhile.
//
//   KL_ASSIGN_OR_RETURN(auto hub, hub::Hub::Open("/srv/hub", {}));
//   KL_ASSIGN_OR_RETURN(hub::NewNode n, hub->AddNode("amman", now));
//   print(n.api_key);  // shown once
//   KL_ASSIGN_OR_RETURN(hub::NodeInfo who, hub->Authenticate(bearer));
//   KL_ASSIGN_OR_RETURN(hub::UploadResult u, hub->AddEncodings(who.id, body, now));
//   KL_ASSIGN_OR_RETURN(hub::PairsPage p, hub->Pairs(who.id, std::nullopt, 1000));
#ifndef KINLINK_HUB_HUB_H_
#define KINLINK_HUB_HUB_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pprl/kle.h"
#include "pprl/pprl.h"

namespace kinlink::hub {

// The hub's database file inside its directory.
inline constexpr std::string_view kHubFileName = "hub.db";
// An API key: this prefix and 64 lower-case hex digits (256 random bits).
inline constexpr std::string_view kApiKeyPrefix = "klh_";
inline constexpr std::size_t kApiKeyRandomBytes = 32;
// A pair's opaque reference, given to both of its nodes: 16 random bytes,
// as 32 hex digits.
inline constexpr std::size_t kPairRefBytes = 16;
// Pairs in one page of Hub::Pairs.
inline constexpr std::int64_t kDefaultPairsPage = 1000;
inline constexpr std::int64_t kMaxPairsPage = 10000;
// The one message for a missing, malformed, unknown or revoked API key.
inline constexpr std::string_view kBadApiKeyMessage = "unknown or revoked API key";

struct HubOptions {
  // Candidate generation and scoring (as `kinlink pprl-link`; mode, top_k
  // and one_to_one are ignored: every pair at or above the threshold).
  pprl::LinkKleOptions link;
  // The pool's schema and key-check value, when the operator pins them
  // (kinlink hub --schema FILE: a `.kle` file pins both, so that not even
  // the first upload can bring another key); otherwise the first upload
  // sets them. FAILED_PRECONDITION at Open when the pool already has
  // others.
  std::optional<pprl::Schema> schema;
  std::optional<std::string> key_check;
};

struct NodeInfo {
  std::int64_t id = 0;
  std::string name;
  bool revoked = false;
  std::int64_t created = 0;  // unix seconds
  std::int64_t records = 0;  // records uploaded
  std::int64_t cursor = 0;   // delivery cursor: pairs up to it acknowledged
};

struct NewNode {
  NodeInfo node;
  std::string api_key;  // shown once; only its keyed hash is stored
};

struct UploadResult {
  std::int64_t upload_id = 0;
  std::uint64_t records = 0;
  std::uint64_t partners = 0;  // partner nodes the records were compared with
  std::uint64_t partner_records = 0;
  std::uint64_t pairs = 0;  // new pairs stored
};

// A pair as one of its nodes sees it.
struct DeliveredPair {
  std::int64_t cursor = 0;  // its position: pass as `after` to read past it
  pprl::RecordRef own_ref;  // the caller's record
  std::string partner;      // the other node's name
  std::string partner_ref;  // the pair's opaque reference (hex), the same on both sides
  double score = 0;         // match probability
  double weight = 0;        // match weight
};

struct PairsPage {
  std::vector<DeliveredPair> pairs;
  std::int64_t next = 0;  // the cursor to ask after next time
  bool more = false;      // more pairs after `next` already
};

class Hub {
 public:
  // Opens (creating when absent) DIR/hub.db; creates DIR (mode 0700) when
  // missing. FAILED_PRECONDITION when options.schema differs from the
  // pool's; DATA_LOSS for a file that is not a hub database.
  static Result<std::unique_ptr<Hub>> Open(const std::string& dir, HubOptions options);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // A new node account. INVALID_ARGUMENT for a name that is not 1-64 of
  // a-z 0-9 . _ - (starting with a letter or digit); ALREADY_EXISTS.
  Result<NewNode> AddNode(std::string_view name, std::int64_t now);
  // Its key stops working at once; its records are compared with no new
  // upload. NOT_FOUND.
  Status RevokeNode(std::string_view name);
  Result<std::vector<NodeInfo>> ListNodes();
  // The node holding this API key. UNAUTHENTICATED (kBadApiKeyMessage) for
  // a malformed, unknown or revoked key.
  Result<NodeInfo> Authenticate(std::string_view api_key);

  // Adds the records of a `.kle` file (its bytes) to the node's, compares
  // them with every other node's and stores the pairs found, all in one
  // transaction. INVALID_ARGUMENT for bytes that are not a complete,
  // intact encodings file, or one with no records; FAILED_PRECONDITION
  // when its schema is not the pool's, or its key-check value is not (a
  // wrong linkage key); ALREADY_EXISTS when it repeats a record reference
  // the node already uploaded; NOT_FOUND / UNAUTHENTICATED for a node id
  // that is unknown / revoked.
  Result<UploadResult> AddEncodings(std::int64_t node_id, std::string_view kle_bytes,
                                    std::int64_t now);

  // The pairs involving the node's records after cursor `after` (absent:
  // after the node's delivery cursor), at most `limit` (1..kMaxPairsPage),
  // in the order they were found. Asking with `after` acknowledges every
  // pair up to it: the node's delivery cursor moves there.
  // INVALID_ARGUMENT for a negative `after` or a limit out of range.
  Result<PairsPage> Pairs(std::int64_t node_id, std::optional<std::int64_t> after,
                          std::int64_t limit);

  // The pool's schema, once set.
  Result<std::optional<pprl::Schema>> PoolSchema();

 private:
  struct Impl;
  explicit Hub(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What a pool file pins: a `.kle` file's schema and key-check value (its
// records are not used), or the schema alone from the "key=value" lines of
// pprl::Schema::ToText (as `kinlink pprl-info` prints them).
struct PoolSpec {
  pprl::Schema schema;
  std::optional<std::string> key_check;
};
// NOT_FOUND, INVALID_ARGUMENT, DATA_LOSS (a damaged `.kle` file).
Result<PoolSpec> ReadPoolFile(const std::string& path);

// Parses a `.kle` file from memory (as pprl::ReadKle).
Result<pprl::KleFile> ReadKleBytes(std::string_view bytes);

}  // namespace kinlink::hub

#endif  // KINLINK_HUB_HUB_H_
