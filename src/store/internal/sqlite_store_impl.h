// Private to store: the SQLite backend's class, shared by its source files
// (sqlite_store.cc: schema, records, audit; sqlite_matching.cc: encodings,
// blocking tokens and potential matches).
#ifndef KINLINK_STORE_INTERNAL_SQLITE_STORE_IMPL_H_
#define KINLINK_STORE_INTERNAL_SQLITE_STORE_IMPL_H_

#include <sqlite3.h>

#include <array>
#include <initializer_list>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/internal/sqlite_schema.h"
#include "store/internal/sqlite_util.h"
#include "store/store.h"

namespace kinlink::store::internal {

// Writers wait this long for another process's write to finish.
inline constexpr int kBusyTimeoutMs = 10000;

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  ~SqliteStore() override {
    for (CachedStmt& cached : statements_) sqlite3_finalize(cached.stmt);
    for (auto& [sql, cached] : filter_statements_) sqlite3_finalize(cached.stmt);
    if (db_ == nullptr) return;
    // An open transaction is discarded by close; the passive checkpoint
    // moves what it can from the log without waiting on other processes.
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    sqlite3_close_v2(db_);
  }

  // Pragmas, then the schema: created (new file) or checked and migrated.
  Status Init(bool create);

  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;
  bool InTransaction() const override { return sqlite3_get_autocommit(db_) == 0; }

  Result<std::optional<std::string>> GetMeta(std::string_view key) override;
  Status SetMeta(std::string_view key, std::string_view value) override;

  Result<std::int64_t> InsertRecord(const RecordRow& row) override;
  Result<RecordRow> GetRecord(std::int64_t id) override;
  Result<std::vector<std::int64_t>> FindBySourceToken(std::string_view token) override;
  Status UpdateRecord(const RecordRow& row, std::int64_t expected_version) override;
  Status SetWrappedKey(std::int64_t id, std::string_view wrapped_key) override;
  Status ShredRecord(std::int64_t id) override;
  Status ForEachRecord(const RecordFilter& filter,
                       const std::function<Status(const RecordRow&)>& fn) override;
  Result<std::int64_t> CountRecords(const RecordFilter& filter) override;
  Result<std::vector<RecordRow>> LatestRecords(const RecordFilter& filter,
                                               std::int64_t limit) override;

  Status PutEncoding(std::int64_t record_id, std::uint8_t kind, std::string_view blob) override;
  Result<std::optional<EncodingRow>> GetEncoding(std::int64_t record_id) override;
  Status AddBlockingTokens(std::int64_t record_id, std::span<const std::string> tokens) override;
  Result<std::vector<std::int64_t>> FindByBlockingToken(std::string_view token,
                                                        std::int64_t limit) override;
  Result<std::int64_t> CountByBlockingToken(std::string_view token) override;
  Result<std::int64_t> PutMatch(const MatchRow& row) override;
  Status SetMatchStatus(std::int64_t id, MatchStatus status) override;
  Status ForEachMatch(std::optional<MatchStatus> status,
                      const std::function<Status(const MatchRow&)>& fn) override;

  Result<std::optional<MatchRow>> GetMatch(std::int64_t id) override;
  Status UpdateMatchReview(const MatchRow& row) override;
  Status ForEachMatchOf(std::int64_t record_id,
                        const std::function<Status(const MatchRow&)>& fn) override;
  Status PutDisclosure(const DisclosureRow& row) override;
  Result<std::optional<DisclosureRow>> GetDisclosure(std::int64_t match_id) override;
  Status PutCase(const CaseRow& row) override;
  Result<std::optional<CaseRow>> GetCase(std::int64_t request_id) override;
  Status PutHubRef(const HubRefRow& row) override;
  Result<std::optional<HubRefRow>> FindHubRef(std::string_view ref) override;
  Status ForEachHubRef(std::int64_t batch,
                       const std::function<Status(const HubRefRow&)>& fn) override;

  Result<std::int64_t> InsertOffice(const OfficeRow& row) override;
  Result<std::optional<OfficeRow>> GetOffice(std::int64_t id) override;
  Result<std::optional<OfficeRow>> FindOffice(std::string_view name) override;
  Status ForEachOffice(const std::function<Status(const OfficeRow&)>& fn) override;
  Result<std::int64_t> InsertUser(const UserRow& row) override;
  Result<std::optional<UserRow>> GetUser(std::int64_t id) override;
  Result<std::optional<UserRow>> FindUser(std::string_view name) override;
  Status UpdateUser(const UserRow& row) override;
  Status ForEachUser(const std::function<Status(const UserRow&)>& fn) override;
  Status InsertSession(const SessionRow& row) override;
  Result<std::optional<SessionRow>> GetSession(std::string_view id_hash) override;
  Status TouchSession(std::string_view id_hash, std::int64_t now) override;
  Status DeleteSession(std::string_view id_hash) override;
  Result<std::int64_t> DeleteSessions(std::int64_t user_id, std::int64_t seen_before) override;

  Result<std::int64_t> InsertImport(const ImportRow& row) override;
  Status FinishImport(const ImportRow& row) override;

  Status AppendAudit(const AuditRow& row) override;
  Result<std::optional<AuditRow>> LastAudit() override;
  Status ForEachAudit(const std::function<Status(const AuditRow&)>& fn) override;

  Status Checkpoint() override;
  Result<std::string> IntegrityCheck() override;

  // Helpers of sqlite_accounts.cc. Binds `params` (int64 or bytes; bytes bind as BLOB unless `text`) to a
  // statement cached by its SQL text, and steps it to the end; returns the
  // number of rows changed.
  struct Param {
    enum Type { kInt, kBlob, kText } type;
    std::int64_t i = 0;
    std::string_view b;
  };
  Result<std::int64_t> Run(const char* sql, std::initializer_list<Param> params,
                           std::string_view operation);
  // Same, calling `row` for every result row.
  Status Query(const char* sql, std::initializer_list<Param> params, std::string_view operation,
               const std::function<Status(sqlite3_stmt*)>& row);

 private:
  Result<StmtLease> Prepare(Sql which, std::string_view operation);
  Result<StmtLease> PrepareFilter(const std::string& sql, std::string_view operation);
  // Runs a statement that returns no rows.
  Status StepDone(sqlite3_stmt* stmt, std::string_view operation);
  // Runs SQL without bindings (pragmas, schema).
  Status Exec(const char* sql, std::string_view operation);
  Result<std::optional<std::string>> ReadMetaRaw(std::string_view key);
  Status Migrate(int from_version);
  // For an update that changed no row: NOT_FOUND, or the reason it did not
  // apply (shredded tombstone or another writer's version).
  // NOT_FOUND unless record `id` exists; with `live`, FAILED_PRECONDITION
  // when it is shredded.
  Status RequireRecord(std::int64_t id, bool live, std::string_view operation);
  Status ExplainNoChange(std::int64_t id, std::string_view operation);

  sqlite3* db_;
  std::array<CachedStmt, static_cast<int>(Sql::kCount)> statements_{};
  std::map<std::string, CachedStmt> filter_statements_;
};

}  // namespace kinlink::store::internal

#endif  // KINLINK_STORE_INTERNAL_SQLITE_STORE_IMPL_H_
