// The SQLite backend, part two: per-record encodings, blocking tokens and
// potential matches (schema v2).
#include <sqlite3.h>

#include <string>
#include <vector>

#include "store/internal/match_rules.h"
#include "store/internal/sqlite_store_impl.h"

namespace kinlink::store::internal {

Status SqliteStore::RequireRecord(std::int64_t id, bool live, std::string_view operation) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kRecordState, operation));
  int rc = sqlite3_bind_int64(lease.get(), 1, id);
  if (rc != SQLITE_OK) return SqliteError(rc, operation);
  rc = sqlite3_step(lease.get());
  const std::string op(operation);
  if (rc == SQLITE_DONE) return NotFoundError(op + ": no record with id " + std::to_string(id));
  if (rc != SQLITE_ROW) return SqliteError(rc, operation);
  if (live && sqlite3_column_int(lease.get(), 1) != 0) {
    return FailedPreconditionError(op + ": record " + std::to_string(id) + " is shredded");
  }
  return OkStatus();
}

Status SqliteStore::PutEncoding(std::int64_t record_id, std::uint8_t kind,
                                std::string_view blob) {
  KL_RETURN_IF_ERROR(RequireRecord(record_id, /*live=*/true, "write encoding"));
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kPutEncoding, "write encoding"));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, record_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, kind);
  if (rc == SQLITE_OK) rc = BindBlob(stmt, 3, blob);
  if (rc != SQLITE_OK) return SqliteError(rc, "write encoding");
  return StepDone(stmt, "write encoding");
}

Result<std::optional<EncodingRow>> SqliteStore::GetEncoding(std::int64_t record_id) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kGetEncoding, "read encoding"));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, record_id);
  if (rc != SQLITE_OK) return SqliteError(rc, "read encoding");
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<EncodingRow>();
  if (rc != SQLITE_ROW) return SqliteError(rc, "read encoding");
  EncodingRow row;
  row.record_id = sqlite3_column_int64(stmt, 0);
  row.kind = static_cast<std::uint8_t>(sqlite3_column_int(stmt, 1));
  row.blob = ColumnBytes(stmt, 2);
  return std::optional<EncodingRow>(std::move(row));
}

Status SqliteStore::AddBlockingTokens(std::int64_t record_id,
                                      std::span<const std::string> tokens) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kAddBlockingToken, "add blocking tokens"));
  sqlite3_stmt* stmt = lease.get();
  for (const std::string& token : tokens) {
    if (token.empty()) return InvalidArgumentError("add blocking tokens: empty token");
    sqlite3_reset(stmt);
    int rc = BindBlob(stmt, 1, token);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, record_id);
    if (rc != SQLITE_OK) return SqliteError(rc, "add blocking tokens");
    KL_RETURN_IF_ERROR(StepDone(stmt, "add blocking tokens"));
  }
  return OkStatus();
}

Result<std::vector<std::int64_t>> SqliteStore::FindByBlockingToken(std::string_view token,
                                                                   std::int64_t limit) {
  std::vector<std::int64_t> ids;
  if (token.empty() || limit <= 0) return ids;
  KL_ASSIGN_OR_RETURN(StmtLease lease,
                      Prepare(Sql::kFindByBlockingToken, "find by blocking token"));
  sqlite3_stmt* stmt = lease.get();
  int rc = BindBlob(stmt, 1, token);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, limit);
  if (rc != SQLITE_OK) return SqliteError(rc, "find by blocking token");
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(stmt, 0));
  if (rc != SQLITE_DONE) return SqliteError(rc, "find by blocking token");
  return ids;
}

Result<std::int64_t> SqliteStore::CountByBlockingToken(std::string_view token) {
  if (token.empty()) return std::int64_t{0};
  KL_ASSIGN_OR_RETURN(StmtLease lease,
                      Prepare(Sql::kCountByBlockingToken, "count by blocking token"));
  sqlite3_stmt* stmt = lease.get();
  int rc = BindBlob(stmt, 1, token);
  if (rc != SQLITE_OK) return SqliteError(rc, "count by blocking token");
  rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) return SqliteError(rc, "count by blocking token");
  return static_cast<std::int64_t>(sqlite3_column_int64(stmt, 0));
}

Result<std::int64_t> SqliteStore::PutMatch(const MatchRow& row) {
  KL_RETURN_IF_ERROR(CheckMatchRow(row));
  KL_ASSIGN_OR_RETURN(StmtLease lease,
                      Prepare(row.is_partner() ? Sql::kPutPartnerMatch : Sql::kPutMatch,
                              "write match"));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, row.request_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, row.person_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_double(stmt, 3, row.probability);
  if (rc == SQLITE_OK) rc = sqlite3_bind_double(stmt, 4, row.weight);
  if (rc == SQLITE_OK) rc = BindText(stmt, 5, row.explanation);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(stmt, 6, static_cast<int>(row.status));
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 7, row.created_at);
  if (row.is_partner()) {
    if (rc == SQLITE_OK) rc = BindText(stmt, 8, row.partner);
    if (rc == SQLITE_OK) rc = BindText(stmt, 9, row.partner_ref);
  }
  if (rc != SQLITE_OK) return SqliteError(rc, "write match");
  rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) return SqliteError(rc, "write match");
  return static_cast<std::int64_t>(sqlite3_column_int64(stmt, 0));
}

Status SqliteStore::SetMatchStatus(std::int64_t id, MatchStatus status) {
  if (static_cast<std::uint8_t>(status) > kMaxMatchStatus) {
    return InvalidArgumentError("set match status: unknown status");
  }
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kSetMatchStatus, "set match status"));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(stmt, 2, static_cast<int>(status));
  if (rc != SQLITE_OK) return SqliteError(rc, "set match status");
  KL_RETURN_IF_ERROR(StepDone(stmt, "set match status"));
  if (sqlite3_changes64(db_) == 0) {
    return NotFoundError("set match status: no match with id " + std::to_string(id));
  }
  return OkStatus();
}

Status SqliteStore::ForEachMatch(std::optional<MatchStatus> status,
                                 const std::function<Status(const MatchRow&)>& fn) {
  std::string sql = std::string("SELECT ") + kMatchColumns + " FROM matches";
  if (status) sql += " WHERE status = ?1";
  sql += " ORDER BY probability DESC, id";
  KL_ASSIGN_OR_RETURN(StmtLease lease, PrepareFilter(sql, "list matches"));
  sqlite3_stmt* stmt = lease.get();
  if (status) {
    int rc = sqlite3_bind_int(stmt, 1, static_cast<int>(*status));
    if (rc != SQLITE_OK) return SqliteError(rc, "list matches");
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    KL_ASSIGN_OR_RETURN(MatchRow row, ReadMatch(stmt));
    KL_RETURN_IF_ERROR(fn(row));
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, "list matches");
  return OkStatus();
}

Status SqliteStore::PutHubRef(const HubRefRow& row) {
  KL_RETURN_IF_ERROR(CheckHubRefRow(row));
  KL_RETURN_IF_ERROR(RequireRecord(row.record_id, /*live=*/false, "write hub reference"));
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kPutHubRef, "write hub reference"));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, row.record_id);
  if (rc == SQLITE_OK) rc = BindBlob(stmt, 2, row.ref);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, row.batch);
  if (rc != SQLITE_OK) return SqliteError(rc, "write hub reference");
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return AlreadyExistsError("write hub reference: record " + std::to_string(row.record_id) +
                              " or the reference already has one");
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, "write hub reference");
  return OkStatus();
}

Result<std::optional<HubRefRow>> SqliteStore::FindHubRef(std::string_view ref) {
  if (ref.empty()) return std::optional<HubRefRow>();
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kFindHubRef, "read hub reference"));
  sqlite3_stmt* stmt = lease.get();
  int rc = BindBlob(stmt, 1, ref);
  if (rc != SQLITE_OK) return SqliteError(rc, "read hub reference");
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<HubRefRow>();
  if (rc != SQLITE_ROW) return SqliteError(rc, "read hub reference");
  HubRefRow row;
  row.record_id = sqlite3_column_int64(stmt, 0);
  row.ref = ColumnBytes(stmt, 1);
  row.batch = sqlite3_column_int64(stmt, 2);
  return std::optional<HubRefRow>(std::move(row));
}

Status SqliteStore::ForEachHubRef(std::int64_t batch,
                                  const std::function<Status(const HubRefRow&)>& fn) {
  // Collected first: `fn` may use the store (the statement is cached).
  std::vector<HubRefRow> rows;
  {
    KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kHubRefsOfBatch, "list hub references"));
    sqlite3_stmt* stmt = lease.get();
    int rc = sqlite3_bind_int64(stmt, 1, batch);
    if (rc != SQLITE_OK) return SqliteError(rc, "list hub references");
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      HubRefRow row;
      row.record_id = sqlite3_column_int64(stmt, 0);
      row.ref = ColumnBytes(stmt, 1);
      row.batch = sqlite3_column_int64(stmt, 2);
      rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) return SqliteError(rc, "list hub references");
  }
  for (const HubRefRow& row : rows) KL_RETURN_IF_ERROR(fn(row));
  return OkStatus();
}

}  // namespace kinlink::store::internal
