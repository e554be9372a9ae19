// store: where a registry's bytes rest. Holds only ciphertext, wrapped keys,
// keyed tokens, timestamps and the audit log — never plaintext personal
// data. An interface with one backend today (SQLite, sqlite_store.h) and a
// shared test suite (store_suite.h) that every backend must pass.
//
// Thread-safety: a Store object is used by one thread at a time; several
// processes may open the same registry (the backend serialises writers).
//
//   KL_ASSIGN_OR_RETURN(auto db, OpenSqliteStore(dir + "/registry.db", OpenMode::kCreate));
//   KL_ASSIGN_OR_RETURN(auto txn, Transaction::Begin(*db));
//   KL_ASSIGN_OR_RETURN(std::int64_t id, db->InsertRecord(row));
//   KL_RETURN_IF_ERROR(txn.Commit());
#ifndef KINLINK_STORE_STORE_H_
#define KINLINK_STORE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace kinlink::store {

// Current schema version written by every backend.
inline constexpr int kSchemaVersion = 4;
// Rows one LatestRecords call returns at most (they are held in memory).
inline constexpr std::int64_t kMaxLatestRecords = 10000;

// One record as stored. Everything here is safe to rest on disk.
struct RecordRow {
  std::int64_t id = 0;                     // registry id; 0 = assign on insert
  std::uint8_t kind = 0;                   // record::Kind value
  std::int64_t version = 1;                // bumped on every update of the payload
  std::int64_t created_at = 0;             // unix seconds
  std::int64_t updated_at = 0;             // unix seconds
  std::int64_t import_id = 0;              // 0 = not from an import
  std::string source_token;                // keyed token of (kind, source id); "" = none
  std::string status_token;                // keyed token of the person status; "" = none
  std::optional<std::string> wrapped_key;  // nullopt = crypto-shredded
  std::string sealed;                      // AEAD ciphertext of the record
  // Schema 3: the office that holds the record (0 = the registry itself,
  // e.g. records of a CLI import) and the date by which it must be reviewed
  // or erased (unix seconds; 0 = none).
  std::int64_t office_id = 0;
  std::int64_t review_at = 0;
};

struct RecordFilter {
  std::optional<std::uint8_t> kind;
  std::optional<std::string> status_token;
  std::optional<std::int64_t> created_from;  // inclusive, unix seconds
  std::optional<std::int64_t> created_to;    // inclusive
  bool include_shredded = false;
  // Records with a review date (review_at > 0) at or before this.
  std::optional<std::int64_t> review_due_by;
  // Records held by this office (0: by no office).
  std::optional<std::int64_t> office_id;
};

struct ImportRow {
  std::int64_t id = 0;  // assigned on insert
  std::int64_t started_at = 0;
  std::int64_t finished_at = 0;
  std::uint8_t kind = 0;
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
};

// One audit entry as stored. Contents are never personal data: actors are
// account or OS user names, targets registry ids, details counts and codes.
struct AuditRow {
  std::int64_t seq = 0;   // 1, 2, 3, ... with no gaps
  std::int64_t time = 0;  // unix seconds
  std::string actor;
  std::string action;
  std::string target;
  std::string detail;
  std::string mac;  // MAC chaining this entry to the previous one
};

// A record's matching encodings (keyed tokens and Bloom filters, see
// linkage/encoded_io.h): opaque bytes to the store.
struct EncodingRow {
  std::int64_t record_id = 0;
  std::uint8_t kind = 0;  // record::Kind value of the record
  std::string blob;
};

// Review state of a potential match: found by matching (potential), put
// forward by a caseworker (proposed), decided by an officer (confirmed or
// rejected).
enum class MatchStatus : std::uint8_t {
  kPotential = 0,
  kConfirmed = 1,
  kRejected = 2,
  kProposed = 3,
};
inline constexpr std::uint8_t kMaxMatchStatus = 3;

// A potential match between a request and a person. The explanation holds
// only field names, levels and weights (JSON), never values.
struct MatchRow {
  std::int64_t id = 0;  // assigned on insert
  std::int64_t request_id = 0;
  std::int64_t person_id = 0;
  double probability = 0;
  double weight = 0;
  std::string explanation;
  MatchStatus status = MatchStatus::kPotential;
  std::int64_t created_at = 0;
  // Schema 3, the review (UpdateMatchReview): user ids (0 = none), when
  // decided, and a reason code from a fixed list (never free text).
  std::int64_t proposed_by = 0;
  std::int64_t decided_by = 0;
  std::int64_t decided_at = 0;
  std::string reason;
  // Schema 4: a match found by a linkage hub with a record of a partner
  // organisation (engine::Node's partner linkage). `partner` is the
  // partner node's name and `partner_ref` the pair's opaque reference
  // (the same on both sides; unique among matches); the side held by the
  // partner has id 0, the other is a record here. Both "" for a match
  // inside the registry.
  std::string partner;
  std::string partner_ref;
  bool is_partner() const { return !partner_ref.empty(); }
};

// Schema 4: the reference under which a record was sent to a linkage hub
// (pprl::RecordRef, 16 random bytes) and the upload batch it went in.
struct HubRefRow {
  std::int64_t record_id = 0;
  std::string ref;
  std::int64_t batch = 0;
};
// Bytes of a hub reference.
inline constexpr std::size_t kHubRefBytes = 16;

// Schema 3: accounts of the node server. None of this is personal data of
// the people traced: office names, staff login names, roles, hashes.
struct OfficeRow {
  std::int64_t id = 0;  // assigned on insert
  std::string name;     // unique
  std::int64_t created_at = 0;
};

struct UserRow {
  std::int64_t id = 0;  // assigned on insert
  std::string name;     // login name, unique
  std::int64_t office_id = 0;
  std::uint8_t role = 0;       // auth::Role value
  std::string password_hash;   // Argon2id (crypto_pwhash_str)
  std::string totp_sealed;     // TOTP secret sealed by the engine; "" = none
  std::int64_t totp_last_step = 0;  // last accepted TOTP step (no reuse)
  std::int64_t failures = 0;        // consecutive failed logins
  std::int64_t last_failure_at = 0;
  bool disabled = false;
  std::int64_t created_at = 0;
};

// A login session; the id itself is never stored, only its keyed hash.
struct SessionRow {
  std::string id_hash;
  std::int64_t user_id = 0;
  std::int64_t created_at = 0;
  std::int64_t last_seen_at = 0;
};

// What the found person allows to be passed on (engine::DisclosureDecision
// values) after a confirmed match; the message is sealed like a record.
struct DisclosureRow {
  std::int64_t match_id = 0;
  std::uint8_t decision = 0;
  std::uint32_t withhold = 0;  // bit set of withheld items (engine)
  std::string sealed;          // AEAD ciphertext of the message and contact; "" = none
  std::string wrapped_key;     // its data key, wrapped; "" = none
  std::int64_t decided_by = 0;
  std::int64_t decided_at = 0;
};

// The state of a tracing case, one per request (engine::CaseState values).
struct CaseRow {
  std::int64_t request_id = 0;
  std::uint8_t state = 0;
  std::int64_t updated_by = 0;
  std::int64_t updated_at = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Transactions (prefer the RAII Transaction below). Not nested.
  virtual Status Begin() = 0;
  virtual Status Commit() = 0;
  // Safe to call when no transaction is open (then a no-op returning OK).
  virtual Status Rollback() = 0;
  // True while a transaction begun with Begin() is open. Lets helpers such as
  // AuditLog join the caller's transaction or open their own.
  virtual bool InTransaction() const = 0;

  // Small named values (wrapped master key, audit head, settings).
  virtual Result<std::optional<std::string>> GetMeta(std::string_view key) = 0;
  virtual Status SetMeta(std::string_view key, std::string_view value) = 0;

  // Inserts `row` (id 0: the store assigns one) and returns its id.
  // ALREADY_EXISTS when a non-empty source_token is already used.
  virtual Result<std::int64_t> InsertRecord(const RecordRow& row) = 0;
  // NOT_FOUND when absent.
  virtual Result<RecordRow> GetRecord(std::int64_t id) = 0;
  // Ids of records with this source token (0 or 1 per kind).
  virtual Result<std::vector<std::int64_t>> FindBySourceToken(std::string_view token) = 0;
  // Replaces the payload: sets sealed, version and updated_at (and
  // status_token). ABORTED when the stored version is not `expected_version`
  // (another writer won). NOT_FOUND when absent. FAILED_PRECONDITION when the
  // record is shredded. INVALID_ARGUMENT unless row.version > expected_version
  // (the version is the AEAD associated data and must move forward).
  virtual Status UpdateRecord(const RecordRow& row, std::int64_t expected_version) = 0;
  // Rewraps: sets the wrapped data key of a record (master-key rotation).
  // NOT_FOUND when absent, FAILED_PRECONDITION when shredded,
  // INVALID_ARGUMENT when `wrapped_key` is empty.
  virtual Status SetWrappedKey(std::int64_t id, std::string_view wrapped_key) = 0;
  // Crypto-shred: destroys the wrapped data key and the ciphertext, and the
  // tokens (and the record's matches, their disclosures and its case), so
  // that nothing of the record can be opened again; the row
  // remains as a tombstone (version + 1, wrapped_key nullopt, sealed and
  // tokens empty). The backend must not leave the old bytes in free pages or
  // its log (SQLite: secure_delete + WAL checkpoint): call Checkpoint()
  // after the commit. NOT_FOUND when absent; shredding twice is OK.
  virtual Status ShredRecord(std::int64_t id) = 0;
  // Calls `fn` for each matching record in id order; stops at the first
  // non-OK status `fn` returns and returns it. `fn` may call this store
  // (read, update, shred the record it was given).
  virtual Status ForEachRecord(const RecordFilter& filter,
                               const std::function<Status(const RecordRow&)>& fn) = 0;
  virtual Result<std::int64_t> CountRecords(const RecordFilter& filter) = 0;
  // The newest records that pass `filter`: at most `limit` of them, by
  // descending id. INVALID_ARGUMENT unless 0 < limit <= kMaxLatestRecords.
  virtual Result<std::vector<RecordRow>> LatestRecords(const RecordFilter& filter,
                                                       std::int64_t limit) = 0;

  // Matching data (schema 2). Shredding a record deletes its encoding, its
  // blocking tokens and every match it is part of.
  //
  // Sets (inserts or replaces) the encoding of a record. NOT_FOUND when the
  // record is absent, FAILED_PRECONDITION when it is shredded.
  virtual Status PutEncoding(std::int64_t record_id, std::uint8_t kind, std::string_view blob) = 0;
  // nullopt when the record has none.
  virtual Result<std::optional<EncodingRow>> GetEncoding(std::int64_t record_id) = 0;
  // Adds blocking tokens of a record (a token it already has is ignored;
  // empty tokens are INVALID_ARGUMENT).
  virtual Status AddBlockingTokens(std::int64_t record_id,
                                   std::span<const std::string> tokens) = 0;
  // Ids of the records with this token, ascending, at most `limit` (> 0).
  virtual Result<std::vector<std::int64_t>> FindByBlockingToken(std::string_view token,
                                                                std::int64_t limit) = 0;
  // How many records hold this token (0 for an empty one).
  virtual Result<std::int64_t> CountByBlockingToken(std::string_view token) = 0;
  // Inserts a potential match, or, when the pair is already there, updates
  // its probability, weight and explanation (keeping status and id).
  // Returns the id. A partner match (non-empty partner_ref) is the same
  // pair when its partner_ref is. INVALID_ARGUMENT unless both ids are
  // positive (a match inside the registry) or, for a partner match,
  // exactly one is and `partner` is given.
  virtual Result<std::int64_t> PutMatch(const MatchRow& row) = 0;
  // NOT_FOUND when there is no match with this id.
  virtual Status SetMatchStatus(std::int64_t id, MatchStatus status) = 0;
  // Matches (all, or those with `status`) by descending probability, then
  // id; stops at the first non-OK status of `fn`.
  virtual Status ForEachMatch(std::optional<MatchStatus> status,
                              const std::function<Status(const MatchRow&)>& fn) = 0;

  // Schema 3: the review of matches. nullopt when absent.
  virtual Result<std::optional<MatchRow>> GetMatch(std::int64_t id) = 0;
  // Sets status, proposed_by, decided_by, decided_at and reason of match
  // row.id. NOT_FOUND when absent.
  virtual Status UpdateMatchReview(const MatchRow& row) = 0;
  // The matches of one record (as request or as person), by descending
  // probability, then id.
  virtual Status ForEachMatchOf(std::int64_t record_id,
                                const std::function<Status(const MatchRow&)>& fn) = 0;
  // Inserts or replaces the disclosure decision of a match. NOT_FOUND when
  // the match is absent. Shredding either record of the match deletes it.
  virtual Status PutDisclosure(const DisclosureRow& row) = 0;
  virtual Result<std::optional<DisclosureRow>> GetDisclosure(std::int64_t match_id) = 0;
  // Inserts or replaces the case of a request. NOT_FOUND when the request is
  // absent. Shredding the request deletes it.
  virtual Status PutCase(const CaseRow& row) = 0;
  virtual Result<std::optional<CaseRow>> GetCase(std::int64_t request_id) = 0;

  // Schema 4: references of records sent to a linkage hub. Shredding a
  // record deletes its reference (pairs naming it then find no record).
  // ALREADY_EXISTS when the record or the reference already has one;
  // NOT_FOUND when the record is absent; INVALID_ARGUMENT for a reference
  // that is not kHubRefBytes long.
  virtual Status PutHubRef(const HubRefRow& row) = 0;
  // The row of this reference; nullopt when none.
  virtual Result<std::optional<HubRefRow>> FindHubRef(std::string_view ref) = 0;
  // The rows of one batch, by record id.
  virtual Status ForEachHubRef(std::int64_t batch,
                               const std::function<Status(const HubRefRow&)>& fn) = 0;

  // Schema 3: accounts. Inserts return the new id; ALREADY_EXISTS for a
  // name in use; INVALID_ARGUMENT for an empty name.
  virtual Result<std::int64_t> InsertOffice(const OfficeRow& row) = 0;
  virtual Result<std::optional<OfficeRow>> GetOffice(std::int64_t id) = 0;
  virtual Result<std::optional<OfficeRow>> FindOffice(std::string_view name) = 0;
  virtual Status ForEachOffice(const std::function<Status(const OfficeRow&)>& fn) = 0;  // by id
  // ALREADY_EXISTS for a name in use; NOT_FOUND for an unknown office.
  virtual Result<std::int64_t> InsertUser(const UserRow& row) = 0;
  virtual Result<std::optional<UserRow>> GetUser(std::int64_t id) = 0;
  virtual Result<std::optional<UserRow>> FindUser(std::string_view name) = 0;
  // Replaces every field but id, name and created_at. NOT_FOUND when absent.
  virtual Status UpdateUser(const UserRow& row) = 0;
  virtual Status ForEachUser(const std::function<Status(const UserRow&)>& fn) = 0;  // by id
  // ALREADY_EXISTS for a used hash; NOT_FOUND for an unknown user.
  virtual Status InsertSession(const SessionRow& row) = 0;
  virtual Result<std::optional<SessionRow>> GetSession(std::string_view id_hash) = 0;
  // Sets last_seen_at. NOT_FOUND when absent.
  virtual Status TouchSession(std::string_view id_hash, std::int64_t now) = 0;
  // OK also when absent.
  virtual Status DeleteSession(std::string_view id_hash) = 0;
  // Deletes the sessions of `user_id` (0: of every user) last seen before
  // `seen_before` (INT64_MAX: all of them). Returns how many.
  virtual Result<std::int64_t> DeleteSessions(std::int64_t user_id, std::int64_t seen_before) = 0;

  virtual Result<std::int64_t> InsertImport(const ImportRow& row) = 0;
  virtual Status FinishImport(const ImportRow& row) = 0;

  // Appends `row` (its seq must be last seq + 1; ALREADY_EXISTS otherwise).
  virtual Status AppendAudit(const AuditRow& row) = 0;
  virtual Result<std::optional<AuditRow>> LastAudit() = 0;
  // In seq order; stops at the first non-OK status of `fn`.
  virtual Status ForEachAudit(const std::function<Status(const AuditRow&)>& fn) = 0;

  // Moves everything from the write-ahead log into the main file and
  // empties the log. Called after a shred and on close.
  virtual Status Checkpoint() = 0;
  // "ok" or the backend's list of problems.
  virtual Result<std::string> IntegrityCheck() = 0;
};

// RAII transaction: rolls back unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(Store& store);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Store* store) : store_(store) {}
  Store* store_;
};

}  // namespace kinlink::store

#endif  // KINLINK_STORE_STORE_H_
