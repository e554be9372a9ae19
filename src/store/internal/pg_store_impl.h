// Private to store: the PostgreSQL backend's class, shared by its source
// files (postgres_store.cc: connection, schema, transactions, records,
// imports, audit, maintenance; postgres_store_matching.cc: encodings,
// blocking tokens, potential matches and their review, disclosures, cases,
// offices, users and sessions).
#ifndef KINLINK_STORE_INTERNAL_PG_STORE_IMPL_H_
#define KINLINK_STORE_INTERNAL_PG_STORE_IMPL_H_

#include <libpq-fe.h>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/internal/pg_schema.h"
#include "store/internal/pg_util.h"
#include "store/store.h"

namespace kinlink::store::internal {

// Writers wait this long for another process's write transaction to end
// (SQLite's busy timeout has the same value), then fail UNAVAILABLE.
inline constexpr const char* kPgLockTimeoutSql = "SET lock_timeout = '10s'";

// Not thread-safe: one connection, used by one thread at a time.
class PostgresStore final : public Store {
 public:
  explicit PostgresStore(PgConn conn) : conn_(std::move(conn)) {}
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;
  // Closing the connection rolls back an open transaction (server side).
  ~PostgresStore() override = default;

  // Session settings, then the schema: created (kCreate) or checked and
  // migrated.
  Status Init(bool create);

  Status Begin() override;
  Status Commit() override;
  Status Rollback() override;
  bool InTransaction() const override;

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

 private:
  // Runs a cached statement (prepared on first use) with binary parameters
  // and binary results. Fails unless the server reports success.
  Result<PgResult> Run(PgSql which, const PgParams& params, std::string_view operation);
  // The same for a statement built at run time (filters), cached by text.
  Result<PgResult> RunText(const std::string& sql, const PgParams& params,
                           std::string_view operation);
  Result<PgResult> RunPrepared(const std::string& name, const char* sql, bool* prepared,
                               const PgParams& params, std::string_view operation);
  // Runs constant SQL without parameters (transaction control, schema, SET,
  // VACUUM).
  Status Exec(const char* sql, std::string_view operation);
  // Takes the registry's writer lock until the transaction ends.
  Status LockWriters(std::int64_t key, std::string_view operation);
  // Runs `body` as one write: inside the caller's transaction when one is
  // open, otherwise in a transaction of its own (which holds the writer
  // lock, as every write does).
  Status Write(const std::function<Status()>& body);

  Result<std::optional<std::string>> ReadMeta(std::string_view key);
  Result<int> ReadSchemaVersion();
  // The oid of this registry's meta table; 0 when there is none.
  Result<std::int64_t> RegistryOid();
  Status CreateSchema();
  Status Migrate(int from_version);
  // For an update that changed no row: NOT_FOUND, or the reason it did not
  // apply (shredded tombstone or another writer's version).
  Status ExplainNoChange(std::int64_t id, std::string_view operation);
  // FAILED_PRECONDITION when the record is shredded, NOT_FOUND when absent.
  Status RequireLiveRecord(std::int64_t id, std::string_view operation);
  // NOT_FOUND (naming `what`) unless the statement `exists` (SELECT 1 ...
  // WHERE id = $1) finds a row with this id. The check that keeps a foreign
  // key violation, which would abort the caller's transaction, from
  // happening (run under the writer lock, so the row cannot go meanwhile).
  Status RequireRow(PgSql exists, std::int64_t id, std::string_view what,
                    std::string_view operation);
  // Matches by descending probability, then id, kPgPageRows at a time;
  // `condition` (" AND ...") may use $2::bigint, bound to `value`.
  Status PageMatches(const std::string& condition, std::optional<std::int64_t> value,
                     std::string_view operation, const std::function<Status(const MatchRow&)>& fn);
  // Pages through a statement taking (after id, limit) and returning rows
  // in id order; `each` reads row i of a page, hands it on and returns its
  // id.
  Status PageById(PgSql which, std::string_view operation,
                  const std::function<Result<std::int64_t>(const PGresult*, int)>& each);

  PgConn conn_;
  // Advisory lock serialising this registry's write transactions.
  std::int64_t writer_lock_key_ = 0;
  std::array<bool, static_cast<int>(PgSql::kCount)> prepared_{};
  // Statements built at run time: SQL text -> (name, prepared).
  struct TextStatement {
    std::string name;
    bool prepared = false;
  };
  std::map<std::string, TextStatement> text_statements_;
};

}  // namespace kinlink::store::internal

#endif  // KINLINK_STORE_INTERNAL_PG_STORE_IMPL_H_
