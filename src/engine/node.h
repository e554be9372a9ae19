// engine::Node: the registry as a multi-user service — accounts and
// sessions, the one authorisation check (role x office x action), and the
// tracing workflow: request -> matching -> potential match -> proposed ->
// confirmed or rejected -> disclosure decision of the found person ->
// enquirer informed -> reunited or closed. The HTTP server (src/server) and
// the `kinlink user` commands are thin layers over this class; nothing that
// decides who may see what lives anywhere else.
//
// What a found person's record says about where they are or how to reach
// them (address, locality, region, postcode, country, last known place,
// phone, email, status, notes) leaves the node only as the disclosure
// decision allows: match views redact it for everyone; the enquirer view
// shows only what the decision grants.
//
// Thread-safety: a Node is safe to use from many threads (one mutex
// serialises the calls; SQLite has one writer anyway). Several processes
// may share one registry (SQLite file or PostgreSQL database).
//
//   KL_ASSIGN_OR_RETURN(auto node, Node::Open(data_dir, key, NodeOptions{}));
//   KL_ASSIGN_OR_RETURN(LoginResult login, node->Login(name, password, code, now));
//   KL_ASSIGN_OR_RETURN(Principal me, node->Authenticate(login.session_id, now));
//   KL_ASSIGN_OR_RETURN(std::int64_t id, node->Register(me, RecordKind, record));
#ifndef KINLINK_ENGINE_NODE_H_
#define KINLINK_ENGINE_NODE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/lockout.h"
#include "auth/roles.h"
#include "common/result.h"
#include "engine/registry.h"
#include "pprl/kle.h"

namespace kinlink::text {
class NameVariants;
}  // namespace kinlink::text

namespace kinlink::engine {

struct NodeOptions {
  // Sessions end after this long without a request.
  std::int64_t idle_timeout_s = 15 * 60;
  // ... and this long after login, whatever happens.
  std::int64_t absolute_timeout_s = 12 * 3600;
  auth::LockoutPolicy lockout;
  // An alert entry is written to the audit log when one account opens more
  // records than this within an hour (0: never).
  std::int64_t decrypt_alert_per_hour = 200;
  // Records registered through the node must be reviewed (kept or erased)
  // this long after registration; `retention run` shreds what is past it.
  std::int64_t default_retention_s = 5LL * 365 * 86400;
  // Password hashing cost (tests use the interactive one).
  bool fast_password_hashing = false;
  // Who the audit log names for what the node does on its own (bootstrap
  // accounts, retention): the server's name, or the CLI's OS user.
  std::string actor = "kinlink-serve";
};

// Who is calling, as established by Authenticate.
struct Principal {
  std::int64_t user_id = 0;
  std::string user;
  auth::Role role = auth::Role::kCaseworker;
  std::int64_t office_id = 0;
  std::string office;
  std::string csrf_token;  // what state-changing calls must send back
};

// Everything the node lets someone do, for the one check.
enum class Action {
  kRegisterRecord,    // create a request or person in one's office
  kReadRecord,        // decrypt a record of one's office
  kSearch,            // rank the registry against a query
  kListMatches,       // the review queue
  kReadMatch,         // one match, side by side (redacted)
  kProposeMatch,      // caseworker: put a match forward
  kDecideMatch,       // officer: confirm or reject
  kDecideDisclosure,  // officer: record the found person's decision
  kReadCase,          // timeline and state of a case
  kEnquirerView,      // what the enquirer may be told
  kUpdateCase,        // enquirer informed, reunited, closed
  kListCases,         // the office's caseload (names decrypted)
  kManageAccounts,    // offices and users
  kReadAudit,         // the audit log
  kRunRetention,      // crypto-shred what is past its review date
};
std::string_view ActionName(Action a);

// The authorisation rule, in one place: may `p` do `a` on something held by
// office `office` (nullopt: no particular record)? PERMISSION_DENIED with
// the reason otherwise. Every Node call passes through it.
Status Authorize(const Principal& p, Action a, std::optional<std::int64_t> office);

struct NewUser {
  std::string name;      // login name: 1..64 of [a-z0-9._-]
  std::string office;    // created when new
  auth::Role role = auth::Role::kCaseworker;
  std::string password;  // checked by auth::CheckPasswordPolicy
  // Admin and officer always get a second factor; others when asked.
  bool second_factor = false;
};

struct NewUserResult {
  std::int64_t user_id = 0;
  std::int64_t office_id = 0;
  // The TOTP secret (base32) and its otpauth:// link, shown once; "" when
  // the account has no second factor.
  std::string totp_secret;
  std::string totp_uri;
};

struct UserView {
  std::int64_t id = 0;
  std::string name;
  std::string office;
  auth::Role role = auth::Role::kCaseworker;
  bool second_factor = false;
  bool disabled = false;
  bool locked = false;
};

struct LoginResult {
  std::string session_id;  // the cookie value; only its hash is stored
  Principal principal;
};

// A match as one side's office sees it. The other side's record is shown
// only when it is held by the caller's office; then its whereabouts and
// contact fields are removed. A record of another office is "held by" it.
// A side held by a partner organisation (a partner match, found by a
// linkage hub) has registry_id 0, partner true and the partner node's name
// as `office`.
struct MatchSide {
  std::int64_t registry_id = 0;
  std::string office;         // the holding office (or partner organisation)
  bool visible = false;       // false: held by another office, not shown
  bool partner = false;       // held by a partner organisation
  record::Record record;      // redacted; empty unless visible
};

// How common the request's name is in the registry (GetMatch only), from
// the stored blocking tokens alone: how many indexed records (requests and
// persons, the request itself included, erased ones not) hold the request's
// token of the name-only blocking rule for that part. The registry stores
// no token of the exact spelling; this one is the keyed consonant skeleton
// of the part's Latin matching form (after transliteration), so spellings
// and scripts of one name count together (Mohamad, Muhammad and محمد are
// one). A request with only full_name has its first and last name token as
// given and family name. nullopt when the request has no such token (no
// such name part, or not yet indexed).
struct NameFrequency {
  std::optional<std::int64_t> given_name;
  std::optional<std::int64_t> family_name;
};

struct MatchDetail {
  store::MatchRow match;
  std::string status;  // potential, proposed, confirmed, rejected
  MatchSide request;
  MatchSide person;
  std::string explanation;  // JSON (ExplanationJson): per-field levels and weights
  bool has_disclosure = false;
  NameFrequency name_frequency;  // filled by GetMatch only
};

// The found person's decision on what reaches the enquirer.
enum class DisclosureDecision : std::uint8_t {
  kNothing = 0,       // nothing may be said
  kAliveAndWell = 1,  // only that they are alive and well
  kMessage = 2,       // a message from them
  kContact = 3,       // their contact details (minus what is withheld)
};
std::string_view DisclosureDecisionName(DisclosureDecision d);
std::optional<DisclosureDecision> ParseDisclosureDecision(std::string_view text);

// Items a contact disclosure can withhold (bit set).
inline constexpr std::uint32_t kWithholdWhereabouts = 1;  // address ... last known place
inline constexpr std::uint32_t kWithholdPhone = 2;
inline constexpr std::uint32_t kWithholdEmail = 4;

struct DisclosureInput {
  DisclosureDecision decision = DisclosureDecision::kNothing;
  std::uint32_t withhold = 0;
  std::string message;  // for kMessage; sealed at rest; at most kMaxMessageBytes
};
inline constexpr std::size_t kMaxDisclosureMessageBytes = 4096;

// The state of a tracing case (one per request).
enum class CaseState : std::uint8_t {
  kOpen = 0,
  kMatchConfirmed = 1,
  kDisclosureRecorded = 2,
  kEnquirerInformed = 3,
  kReunited = 4,
  kClosed = 5,
};
std::string_view CaseStateName(CaseState s);
std::optional<CaseState> ParseCaseState(std::string_view text);

struct CaseEvent {
  std::int64_t time = 0;
  std::string actor;
  std::string action;  // audit action, e.g. "match.confirm"
  std::string detail;  // codes only
};

struct CaseView {
  std::int64_t request_id = 0;
  CaseState state = CaseState::kOpen;
  std::vector<CaseEvent> timeline;  // from the audit log, oldest first
};

// What the enquirer may be told about a request, and nothing else.
struct EnquirerView {
  std::int64_t request_id = 0;
  CaseState state = CaseState::kOpen;
  // "searching" until a disclosure is recorded; then the decision's name.
  std::string outcome = "searching";
  std::string message;                         // kMessage
  std::vector<std::pair<std::string, std::string>> contact;  // field, value (kContact)
};

// One tracing request of the caller's office in the caseload, with the
// counts of its matches by review state.
struct CaseSummary {
  std::int64_t request_id = 0;
  std::string name;  // DisplayName of the request (decrypted, audited)
  CaseState state = CaseState::kOpen;
  std::int64_t created_at = 0;
  std::int64_t potential = 0;
  std::int64_t proposed = 0;
  std::int64_t confirmed = 0;
  std::int64_t rejected = 0;
};
// Cases in one caseload page.
inline constexpr std::int64_t kDefaultCaseloadLimit = 50;
inline constexpr std::int64_t kMaxCaseloadLimit = 200;

// An office and how many accounts it has.
struct OfficeView {
  std::int64_t id = 0;
  std::string name;
  std::int64_t users = 0;
};

// ---- Cross-organisation linkage (docs/pprl.md, "A node and its hub").
//
// A node with partner linkage enabled sends its records to a linkage hub as
// keyed encodings (a `.kle` file per batch, each record under a random
// reference kept here) and turns the pairs the hub returns into partner
// matches: potential matches whose other side is "held by partner
// organisation X", named by the pair's opaque reference. They go through
// the same review as the registry's own matches, all of it by the office
// that holds the record here (see docs/workflow.md). The HTTP part (the
// hub client) is server::PartnerSync; the node only prepares and stores.

// Records per upload batch (each is one `.kle` file).
inline constexpr std::int64_t kDefaultHubBatchRecords = 5000;
inline constexpr std::int64_t kMaxHubBatchRecords = 100000;

struct PartnerLinkOptions {
  crypto::SecretBytes linkage_key;  // shared with the partners, never with the hub
  pprl::Schema schema;              // hardening and the name-variant table's id
  // The name-variant table the schema names (not owned; must outlive the
  // node; null: none).
  const text::NameVariants* variants = nullptr;
  std::int64_t batch_records = kDefaultHubBatchRecords;  // 1..kMaxHubBatchRecords
};

// One batch of encodings to upload.
struct HubUpload {
  std::int64_t batch = 0;
  std::int64_t records = 0;
  // The same batch again: an earlier upload of it may or may not have
  // reached the hub (the hub then refuses it as repeating references,
  // which counts as done).
  bool repeat = false;
  std::string kle;  // the `.kle` file's bytes
};

// A pair from the hub, as the hub client read it.
struct PartnerPair {
  pprl::RecordRef own_ref{};
  std::string partner;   // the partner node's name
  std::string pair_ref;  // the pair's opaque reference: 32 lower-case hex digits
  double score = 0;      // match probability, 0..1
  double weight = 0;
};

struct PartnerPairsSummary {
  std::int64_t pairs = 0;    // pairs given
  std::int64_t stored = 0;   // stored as partner matches (new or updated)
  std::int64_t unknown = 0;  // naming no record here (erased since, or never sent)
};

struct RetentionReport {
  std::int64_t shredded = 0;
  std::vector<std::int64_t> ids;
};

// The reason codes of a rejection (no free text: it could hold names).
inline constexpr std::string_view kRejectReasons[] = {
    "different_person", "insufficient_evidence", "duplicate_record", "withdrawn", "other"};

class Node {
 public:
  // Opens the registry in DATA_DIR (as Registry::Open).
  static Result<std::unique_ptr<Node>> Open(const std::string& data_dir, const KeySource& key,
                                            const NodeOptions& options);
  ~Node();

  // ---- Accounts.
  // The CLI bootstrap (`kinlink user add`): no principal needed.
  Result<NewUserResult> AddUserBootstrap(const NewUser& user, std::int64_t now);
  // The same by an admin.
  Result<NewUserResult> AddUser(const Principal& by, const NewUser& user, std::int64_t now);
  Result<std::vector<UserView>> ListUsers(const Principal& by, std::int64_t now);
  // Every office by id, with its number of accounts (admins).
  Result<std::vector<OfficeView>> ListOffices(const Principal& by);
  Status SetUserDisabled(const Principal& by, std::string_view name, bool disabled);

  // Password, then the TOTP code (when the account has a second factor;
  // a code is accepted once). UNAUTHENTICATED with one message for every
  // failure (unknown user, wrong password, wrong code, disabled, locked), so
  // that nothing tells which; the audit log records the precise reason.
  Result<LoginResult> Login(std::string_view name, std::string_view password,
                            std::string_view totp_code, std::int64_t now);
  // The principal of a live session (touched); UNAUTHENTICATED for an
  // unknown, malformed, idle or expired one.
  Result<Principal> Authenticate(std::string_view session_id, std::int64_t now);
  Status Logout(std::string_view session_id);

  // ---- Records.
  Result<std::int64_t> Register(const Principal& p, record::Kind kind, record::Record rec,
                                std::int64_t now);
  Result<RecordView> Show(const Principal& p, std::int64_t registry_id, std::int64_t now);
  // Hits of other offices carry no name: only "held by office X".
  Result<std::vector<SearchHit>> Search(const Principal& p, const SearchQuery& q,
                                        std::int64_t now);
  // Imports `csv` (canonical header, docs/formats.md; no mapping) as
  // records of `kind` held by the caller's office, with the node's default
  // retention, audited as the caller (Registry::Import in memory: nothing of
  // it is written to a file). Then indexes and matches the new records.
  // dry_run: every row is read and checked, nothing is stored, one audit
  // entry (counts only). Row problems are in the summary (issues, the first
  // limits::kMaxRejectsInSummary); file-level problems (empty, no name
  // column, a repeated header name, ...) are INVALID_ARGUMENT. Holds the
  // node for the whole import (a few seconds for the largest upload).
  Result<ImportSummary> ImportCsv(const Principal& p, record::Kind kind, std::string_view csv,
                                  bool dry_run, std::int64_t now);

  // ---- Workflow.
  // Matches that involve a record of the caller's office.
  Result<std::vector<MatchDetail>> ListMatches(const Principal& p,
                                               std::optional<store::MatchStatus> status,
                                               std::int64_t now);
  // One match, with the request's name frequency (see NameFrequency).
  Result<MatchDetail> GetMatch(const Principal& p, std::int64_t match_id, std::int64_t now);
  Status ProposeMatch(const Principal& p, std::int64_t match_id, std::int64_t now);
  // reason: one of kRejectReasons for a rejection; ignored for a confirmation.
  Status DecideMatch(const Principal& p, std::int64_t match_id, bool confirm,
                     std::string_view reason, std::int64_t now);
  Status RecordDisclosure(const Principal& p, std::int64_t match_id, const DisclosureInput& d,
                          std::int64_t now);
  Result<CaseView> GetCase(const Principal& p, std::int64_t request_id);
  // The caseload: the tracing requests held by the caller's office, newest
  // first, at most `limit` (1..kMaxCaseloadLimit; INVALID_ARGUMENT
  // otherwise). One audit entry (ids and count); the names count toward
  // the bulk-read alert.
  Result<std::vector<CaseSummary>> ListCases(const Principal& p, std::int64_t limit,
                                             std::int64_t now);
  Result<EnquirerView> GetEnquirerView(const Principal& p, std::int64_t request_id,
                                       std::int64_t now);
  // To kEnquirerInformed (needs a disclosure), kReunited or kClosed.
  Status UpdateCase(const Principal& p, std::int64_t request_id, CaseState to, std::int64_t now);

  // ---- Cross-organisation linkage.
  // Lets the node encode its records for a hub. INVALID_ARGUMENT for a key
  // that is not crypto::kKeyBytes long or a batch size out of range.
  Status EnablePartnerLinkage(PartnerLinkOptions options);
  // The next batch to upload: the batch whose upload is still unconfirmed
  // (again, under the same references), else up to batch_records records
  // not yet sent, held by an office (records of no office are shown to no
  // one, so their matches could not be reviewed), in id order. nullopt
  // when there is nothing to send. The records' references are stored
  // before anything is encoded; the encoding is audited ("hub.encode":
  // ids and counts) before any record is decrypted. FAILED_PRECONDITION
  // unless EnablePartnerLinkage was called.
  Result<std::optional<HubUpload>> NextHubUpload(std::int64_t now);
  // The hub has the batch (it answered, or refused it as a repeat).
  Status HubUploadDone(std::int64_t batch, std::int64_t now);
  // Where reading pairs from the hub goes on from (0 at first).
  Result<std::int64_t> HubPairsCursor();
  // Stores one page of pairs as partner matches and moves the cursor to
  // `next_cursor`, in one transaction (audited: "hub.pairs", ids and
  // counts). A pair seen before updates its score and keeps its review.
  // INVALID_ARGUMENT (nothing stored) for a malformed pair: a partner name
  // that is not 1-64 of a-z 0-9 . _ -, a reference that is not 32 hex
  // digits, a score outside 0..1, or a cursor that goes back.
  Result<PartnerPairsSummary> AddPartnerPairs(const std::vector<PartnerPair>& pairs,
                                              std::int64_t next_cursor, std::int64_t now);

  // ---- Audit and retention.
  Status ReadAudit(const Principal& p, std::int64_t after_seq, std::int64_t limit,
                   const std::function<Status(const store::AuditRow&)>& fn);
  Result<store::AuditVerifyReport> VerifyAudit(const Principal& p);
  // Crypto-shreds every record past its review date (audited).
  Result<RetentionReport> RunRetention(std::int64_t now);

 private:
  Node(std::unique_ptr<Registry> registry, const NodeOptions& options);
  Result<NewUserResult> AddUserLocked(std::string_view actor, const NewUser& user,
                                      std::int64_t now);
  // Audit entry as `actor`, in its own transaction unless one is open.
  Status AuditAs(std::string_view actor, std::string_view action, std::string_view target,
                 std::string_view detail);
  Result<store::RecordRow> GetRow(std::int64_t id);
  // The offices holding a match's records; kNoOffice for a side held by a
  // partner organisation.
  static constexpr std::int64_t kNoOffice = -1;
  struct SideOffices {
    std::int64_t request = kNoOffice;
    std::int64_t person = kNoOffice;
  };
  Result<SideOffices> OfficesOf(const store::MatchRow& m);
  std::string OfficeName(std::int64_t office_id);
  // Decrypts for `p` (after the caller audited) and counts toward the
  // bulk-read alert.
  Result<record::Record> DecryptFor(const Principal& p, const store::RecordRow& row,
                                     std::int64_t now);
  Status CountDecryptions(const Principal& p, std::int64_t n, std::int64_t now);
  Result<MatchDetail> Detail(const Principal& p, const store::MatchRow& m, std::int64_t now);
  Result<NameFrequency> NameFrequencyOf(std::int64_t request_id);
  Result<store::MatchRow> MatchOf(const Principal& p, Action a, std::int64_t match_id,
                                  bool need_request_office, bool need_person_office);
  Status SetCase(const Principal& p, std::int64_t request_id, CaseState state, std::int64_t now);
  std::string CsrfFor(std::string_view session_id) const;

  std::unique_ptr<Registry> reg_;
  NodeOptions options_;
  crypto::SecretBytes session_key_;
  std::string dummy_hash_;  // verified for unknown users (same timing)
  std::mutex mu_;
  // Bulk-read alert: decryptions per user in the current hour.
  struct Reads {
    std::int64_t hour = 0;
    std::int64_t count = 0;
    bool alerted = false;
  };
  std::map<std::int64_t, Reads> reads_;
  std::optional<PartnerLinkOptions> partner_;
};

}  // namespace kinlink::engine

#endif  // KINLINK_ENGINE_NODE_H_
