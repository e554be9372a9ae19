// Private to store: the SQLite backend's class, shared by its source files
// (sqlite_store.cc: schema, records, audit; sqlite_matching.cc: encodings,
// blocking tokens and potential matches).
#ifndef KINLINK_STORE_INTERNAL_SQLITE_STORE_IMPL_H_
#define KINLINK_STORE_INTERNAL_SQLITE_STORE_IMPL_H_

#include <sqlite3.h>

#include <array>
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

  Status PutEncoding(std::int64_t record_id, std::uint8_t kind, std::string_view blob) override;
  Result<std::optional<EncodingRow>> GetEncoding(std::int64_t record_id) override;
  Status AddBlockingTokens(std::int64_t record_id, std::span<const std::string> tokens) override;
  Result<std::vector<std::int64_t>> FindByBlockingToken(std::string_view token,
                                                        std::int64_t limit) override;
  Result<std::int64_t> PutMatch(const MatchRow& row) override;
  Status SetMatchStatus(std::int64_t id, MatchStatus status) override;
  Status ForEachMatch(std::optional<MatchStatus> status,
                      const std::function<Status(const MatchRow&)>& fn) override;

  Result<std::int64_t> InsertImport(const ImportRow& row) override;
  Status FinishImport(const ImportRow& row) override;

  Status AppendAudit(const AuditRow& row) override;
  Result<std::optional<AuditRow>> LastAudit() override;
  Status ForEachAudit(const std::function<Status(const AuditRow&)>& fn) override;

  Status Checkpoint() override;
  Result<std::string> IntegrityCheck() override;

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
  Status ExplainNoChange(std::int64_t id, std::string_view operation);

  sqlite3* db_;
  std::array<CachedStmt, static_cast<int>(Sql::kCount)> statements_{};
  std::map<std::string, CachedStmt> filter_statements_;
};

}  // namespace kinlink::store::internal

#endif  // KINLINK_STORE_INTERNAL_SQLITE_STORE_IMPL_H_
