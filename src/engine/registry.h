// engine: Kinlink's use cases on a node's registry — create and open it with
// the operator's key, import a CSV as one transaction, show, list, export and
// erase records, change the passphrase, verify the audit log. This is the
// only layer that decrypts records, and every decryption is written to the
// audit log *before* the plaintext is handed out.
//
// A registry is a directory (DATA_DIR) holding `registry.db` (SQLite: see
// store/sqlite_store.h) and nothing else. Its master key is stored only
// wrapped, by Argon2id(passphrase) or by a key file kept outside DATA_DIR.
//
// Thread-safety: a Registry is used by one thread at a time. Several
// processes may open one registry; writers are serialised by the store.
//
//   KL_ASSIGN_OR_RETURN(auto reg, Registry::Open(dir, KeySource::Passphrase(p), "cli:ana"));
//   KL_ASSIGN_OR_RETURN(ImportSummary s, reg->Import(request, nullptr));
#ifndef KINLINK_ENGINE_REGISTRY_H_
#define KINLINK_ENGINE_REGISTRY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "crypto/crypto.h"
#include "formats/mapping.h"
#include "formats/record_reader.h"
#include "record/record.h"
#include "store/audit.h"
#include "score/model.h"
#include "store/store.h"

namespace kinlink::linkage {
class FeatureExtractor;
struct Features;
}  // namespace kinlink::linkage

namespace kinlink::engine {

namespace internal {
struct Matcher;
}  // namespace internal

// The file name of the database inside DATA_DIR.
inline constexpr std::string_view kRegistryFileName = "registry.db";

// How the master key is unwrapped: a passphrase, or a key file.
class KeySource {
 public:
  static KeySource Passphrase(std::string_view passphrase);
  static KeySource KeyFile(std::string path);

  bool is_key_file() const { return !key_file_.empty(); }
  std::string_view passphrase() const { return passphrase_.view(); }
  const std::string& key_file() const { return key_file_; }

 private:
  crypto::SecretBytes passphrase_;
  std::string key_file_;
};

struct CreateOptions {
  crypto::KdfParams kdf = crypto::KdfParams::Moderate();
  // Creates the key file when it does not exist (key-file registries).
  bool create_key_file = true;
};

struct ImportRequest {
  std::string path;  // the CSV file; "" = read `data` instead
  // The CSV itself, when `path` is empty (the node server's uploads): not
  // owned, must outlive the call. Nothing of it is written to a file: no
  // rejects file either (the summary's issues report the rejects).
  std::string_view data;
  record::Kind kind = record::Kind::kPerson;
  const formats::Mapping* mapping = nullptr;  // null: canonical header
  // Status given to persons whose row has none (e.g. a hospital list).
  std::optional<record::PersonStatus> default_status;
  // Where rejected rows are reported (CSV: line,column,column_name,reason).
  // Empty: PATH.rejects.csv beside the input, created only when needed.
  // Not used for `data`.
  std::string rejects_path;
  formats::CsvLimits limits;
  // The office that holds the imported records (created when new); "" = the
  // registry itself (no office: the node server shows them to no one).
  std::string office;
  // Review date of the records: now + this (0: none).
  std::int64_t retention_s = 0;
  // The office by id, used when `office` is "" (0: none). The node server
  // imports into the caller's office.
  std::int64_t office_id = 0;
  // Who the audit log names ("" = the registry's actor).
  std::string actor;
  // Unix seconds for the records' creation and review dates (0 = the clock).
  std::int64_t now = 0;
  // Reads and checks every row as an import would (duplicate ids against
  // the file and the registry included) but stores nothing: no office, no
  // import, no record, no rejects file. One audit entry ("import.dry_run",
  // counts only). first_id, last_id and potential_matches stay 0.
  bool dry_run = false;
};

struct ImportProgress {
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;  // 0 when unknown
  std::uint64_t rows = 0;
  // The second phase of an import, and IndexPending: bytes_done/bytes_total
  // then count records indexed / to index.
  bool indexing = false;
};
using ProgressFn = std::function<void(const ImportProgress&)>;

struct ImportSummary {
  std::int64_t import_id = 0;  // 0 for a dry run
  std::int64_t rows = 0;       // data rows read (accepted + rejected)
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::int64_t first_id = 0;  // registry ids given to the accepted rows
  std::int64_t last_id = 0;
  std::vector<std::string> warnings;         // header warnings
  std::vector<formats::ColumnUse> columns;   // what each header column fills
  std::vector<formats::RowIssue> issues;     // first kMaxRejectsInSummary
  std::string rejects_path;                  // "" when nothing was rejected
  // Potential matches stored for the accepted records (against records of
  // the other kind already in the registry).
  std::int64_t potential_matches = 0;
  double seconds = 0;        // all of it
  double store_seconds = 0;  // reading, checking, encrypting, storing (one transaction)
  // The matching index (IndexPending) after the import's commit; records
  // indexed includes any left over from an earlier interrupted run.
  double index_seconds = 0;
  std::int64_t indexed = 0;
  // Not OK when indexing failed after the records were stored: they are
  // kept, and the next import or search indexes them.
  Status index_status;
};

struct IndexSummary {
  std::int64_t indexed = 0;            // records given encodings and tokens
  std::int64_t potential_matches = 0;  // matches stored for them
  double seconds = 0;
};

// Matching inside the registry: what a search asks for. The query is a
// record (names, dates, places; never stored) of any kind; `kind` limits
// the results to requests or persons.
struct SearchQuery {
  record::Record record;
  std::optional<record::Kind> kind;
  int top = 10;  // 1..1000
};

// One ranked candidate. `explanation` holds field names, levels and
// weights only; source_id and name are decrypted (and audited).
struct SearchHit {
  std::int64_t registry_id = 0;
  record::Kind kind = record::Kind::kPerson;
  double probability = 0;
  double weight = 0;
  score::Explanation explanation;
  std::string source_id;
  std::string name;
  // engine::Node: the office holding a record the caller may not open (then
  // source_id and name are empty); "" otherwise.
  std::string held_by;
};

// A stored potential match with the names of both sides (decrypted). The
// side of a partner match held by the partner organisation has id 0 and
// empty source id and name (match.partner names the organisation).
struct MatchView {
  store::MatchRow match;
  std::string request_source_id;
  std::string request_name;
  std::string person_source_id;
  std::string person_name;
};

// Potential matches stored per new record, and the threshold.
inline constexpr double kStoredMatchThreshold = 0.5;
inline constexpr int kMaxStoredMatchesPerRecord = 10;
// Records per transaction of IndexPending.
inline constexpr std::int64_t kIndexBatchRecords = 8192;
// Meta key of the registry's Fellegi–Sunter model (JSON); absent: the
// default model shipped with kinlink (data/models/default.json).
inline constexpr std::string_view kMetaMatchModel = "match_model";

// "potential", "confirmed", "rejected"; nullopt for anything else.
std::optional<store::MatchStatus> ParseMatchStatus(std::string_view text);
std::string_view MatchStatusName(store::MatchStatus status);
// The default model (data/models/default.json, compiled in).
std::string_view DefaultModelJson();
// The explanation as stored and printed: {"prior":..,"fields":[{"field",
// "level","label","weight"}..],"weight":..,"probability":..}. No values.
std::string ExplanationJson(const score::Explanation& e);

// A decrypted record with its registry bookkeeping.
struct RecordView {
  std::int64_t registry_id = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::int64_t version = 0;
  record::Record record;
};

struct ListFilter {
  std::optional<record::Kind> kind;
  std::optional<record::PersonStatus> status;
  std::optional<std::int64_t> registered_from;  // unix seconds, inclusive
  std::optional<std::int64_t> registered_to;    // unix seconds, inclusive
  std::int64_t limit = 0;                       // 0 = no limit
};

struct ExportOptions {
  std::optional<record::Kind> kind;  // none: all records, with a kind column
  bool registry_ids = false;         // add a first column registry_id
};

// True for a PostgreSQL URI (postgresql://... or postgres://...): the
// registry then lives in that database instead of DATA_DIR/registry.db.
// Several `kinlink serve` processes may share it.
bool IsDatabaseUri(std::string_view location);

// The name a list shows for a record: full_name, else given + family.
std::string DisplayName(const record::Record& r);

// "KL-17" for registry id 17.
std::string FormatRegistryId(std::int64_t id);
// 17 for "KL-17" (case-insensitive prefix); nullopt otherwise.
std::optional<std::int64_t> ParseRegistryId(std::string_view text);

class Registry {
 public:
  // Creates DATA_DIR (mode 0700) if needed and a new registry in it with a
  // fresh master key. ALREADY_EXISTS if a registry is there;
  // INVALID_ARGUMENT for a key file inside DATA_DIR.
  static Result<std::unique_ptr<Registry>> Create(const std::string& data_dir,
                                                  const KeySource& key,
                                                  const CreateOptions& options,
                                                  std::string actor);
  // NOT_FOUND when no registry is there; UNAUTHENTICATED for a wrong
  // passphrase or key file; FAILED_PRECONDITION when the registry uses the
  // other kind of key. Nothing is written on failure.
  static Result<std::unique_ptr<Registry>> Open(const std::string& data_dir, const KeySource& key,
                                                std::string actor);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Imports every valid row of a CSV in one transaction: after an error or
  // a kill nothing of it is stored. Rows with problems are reported and
  // skipped. Fails (nothing stored) on file-level errors. Then indexes the
  // new records for matching (IndexPending): that part commits in batches
  // and, when interrupted, resumes at the next import or search.
  Result<ImportSummary> Import(const ImportRequest& request, const ProgressFn& progress);

  // Brings the matching index up to date: every stored record not yet
  // indexed (ids from the meta value "index_next" on) is decrypted in
  // memory, its encodings and blocking tokens are stored, and it is matched
  // against the indexed records of the other kind. Batches of
  // kIndexBatchRecords, each one transaction with one audit entry (ids and
  // counts only). Extraction runs on up to two threads. `progress` (may be
  // empty) gets indexing = true and records done / to do.
  Result<IndexSummary> IndexPending(const ProgressFn& progress);
  // Records stored but not yet indexed.
  Result<std::int64_t> PendingIndexCount();

  // Decrypts one record by registry id ("KL-17") or source id. With `kind`
  // only that kind's source ids are looked up. NOT_FOUND; FAILED_PRECONDITION
  // when a source id is used by both kinds and no kind was given; NOT_FOUND
  // "was erased" for a shredded record. Audited before decryption.
  Result<RecordView> Show(std::string_view id, std::optional<record::Kind> kind);

  // Decrypts the records that pass `filter`, in registry id order, and
  // calls `fn` for each. One audit entry listing the ids is written first.
  Status List(const ListFilter& filter, const std::function<Status(const RecordView&)>& fn);

  // Writes the records as CSV (canonical columns, then the kind's own).
  // Audited first. Returns the number of records written.
  Result<std::int64_t> Export(const ExportOptions& options, std::ostream& out);

  // Crypto-shreds one record: its data key, ciphertext and tokens are
  // destroyed and no trace of them stays in the database files.
  Status Erase(std::string_view id, std::optional<record::Kind> kind);

  // Re-wraps the master key under a new passphrase or key file. The old one
  // stops working; records are untouched.
  Status Rekey(const KeySource& new_key, const CreateOptions& options);

  // Checks the audit chain, then records that it was checked.
  Result<store::AuditVerifyReport> VerifyAudit();
  // The audit log, in order (for auditors). Audited itself.
  Status ForEachAuditEntry(const std::function<Status(const store::AuditRow&)>& fn);

  // Indexes pending records first (IndexPending), then ranks the registry's
  // records against the query: blocking tokens, then
  // encoded comparison and the model; falls back to name-only tokens when
  // the query's other tokens find fewer than `top` candidates. Audited
  // ("search", with the result ids and count, never the query) before any
  // record is decrypted for its name. INVALID_ARGUMENT for an empty query.
  Result<std::vector<SearchHit>> Search(const SearchQuery& query);
  // Search's ranking alone: no audit, no decryption (source_id and name
  // empty). For callers that decide what to open (engine::Node).
  Result<std::vector<SearchHit>> Rank(const SearchQuery& query);

  // The review queue: stored matches (all, or with `status`) by descending
  // probability, with both names decrypted (audited first). Indexes pending
  // records first, so no match waits for the next import.
  Status Matches(std::optional<store::MatchStatus> status,
                 const std::function<Status(const MatchView&)>& fn);

  std::int64_t RecordCount(const ListFilter& filter);

  // Stores one record (a form of the node server): validated (every
  // problem in one INVALID_ARGUMENT message, no values quoted), sealed,
  // audited as `actor`, then indexed and matched. Returns its registry id.
  // ALREADY_EXISTS when its source id is used by a record of its kind.
  Result<std::int64_t> RegisterRecord(record::Kind kind, record::Record rec,
                                      std::int64_t office_id, std::int64_t review_at,
                                      std::string_view actor);
  // The id of office `name`, created when absent (audited as `actor`).
  Result<std::int64_t> OfficeId(std::string_view name, std::string_view actor);
  const std::string& data_dir() const { return data_dir_; }

 private:
  friend class Node;  // the node server's use cases, on the same keys and store
  Registry(std::string data_dir, std::unique_ptr<store::Store> store,
           crypto::SecretBytes master, std::string actor);
  Result<std::int64_t> Resolve(std::string_view id, std::optional<record::Kind> kind);
  Result<record::Record> Decrypt(const store::RecordRow& row);
  // A new registry's meta (wrapped master key, counters) and first audit
  // entry, in one transaction.
  Status Initialize(const crypto::WrappedKey& wrapped, bool key_file);
  Status Audit(std::string_view action, std::string_view target, std::string_view detail);
  std::string SourceToken(record::Kind kind, std::string_view source_id) const;
  std::string StatusToken(record::PersonStatus status) const;
  Result<std::vector<std::int64_t>> MatchingIds(const ListFilter& filter);
  // Matching (matching.cc).
  Status EnsureMatcher();

  std::string data_dir_;
  std::unique_ptr<store::Store> store_;
  crypto::SecretBytes master_;
  crypto::SecretBytes record_wrap_key_;
  crypto::SecretBytes token_key_;
  crypto::SecretBytes audit_key_;
  crypto::SecretBytes data_key_{crypto::kKeyBytes};  // scratch for Decrypt
  std::string actor_;
  std::unique_ptr<store::AuditLog> audit_;
  std::unique_ptr<internal::Matcher> matcher_;
};

// "1-5,9,12-13" for ids {1,2,3,4,5,9,12,13} (sorted input).
std::string CompressIdRanges(const std::vector<std::int64_t>& sorted_ids);

}  // namespace kinlink::engine

#endif  // KINLINK_ENGINE_REGISTRY_H_
