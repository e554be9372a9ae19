#include "store/internal/sqlite_util.h"

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace kinlink::store::internal {

// Maps an SQLite result code to a Status naming the operation. Uses
// sqlite3_errstr (generic text per code), never sqlite3_errmsg, so that no
// message can carry a stored value.
Status SqliteError(int rc, std::string_view operation) {
  std::string message(operation);
  message += ": ";
  message += sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(message + " (another process is using the registry)");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(message);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError(message);
      }
      return InternalError(message);
    case SQLITE_FULL:
      return ResourceExhaustedError(message);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return PermissionDeniedError(message);
    default:
      return InternalError(message);
  }
}

// Bindings use SQLITE_STATIC (no copy): every statement is stepped while
// the bound values live, and StmtLease clears the bindings right after.

// Binds bytes as a BLOB. An empty value must still be a BLOB, not NULL
// (sqlite3_bind_blob with a null pointer binds NULL).
int BindBlob(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  if (bytes.empty()) return sqlite3_bind_zeroblob(stmt, index, 0);
  return sqlite3_bind_blob64(stmt, index, bytes.data(), bytes.size(), SQLITE_STATIC);
}

// Binds bytes as a BLOB, or NULL when empty (tokens: "" = none).
int BindBlobOrNull(sqlite3_stmt* stmt, int index, std::string_view bytes) {
  if (bytes.empty()) return sqlite3_bind_null(stmt, index);
  return sqlite3_bind_blob64(stmt, index, bytes.data(), bytes.size(), SQLITE_STATIC);
}

int BindText(sqlite3_stmt* stmt, int index, std::string_view text) {
  return sqlite3_bind_text64(stmt, index, text.empty() ? "" : text.data(), text.size(),
                             SQLITE_STATIC, SQLITE_UTF8);
}

// Column bytes (BLOB or TEXT); "" for NULL or empty.
std::string ColumnBytes(sqlite3_stmt* stmt, int column) {
  const void* data = sqlite3_column_blob(stmt, column);
  int size = sqlite3_column_bytes(stmt, column);
  if (data == nullptr || size <= 0) return std::string();
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

Result<RecordRow> ReadRecord(sqlite3_stmt* stmt) {
  RecordRow row;
  row.id = sqlite3_column_int64(stmt, 0);
  std::int64_t kind = sqlite3_column_int64(stmt, 1);
  if (kind < 0 || kind > std::numeric_limits<std::uint8_t>::max()) {
    return DataLossError("read record: stored kind is out of range");
  }
  row.kind = static_cast<std::uint8_t>(kind);
  row.version = sqlite3_column_int64(stmt, 2);
  row.created_at = sqlite3_column_int64(stmt, 3);
  row.updated_at = sqlite3_column_int64(stmt, 4);
  row.import_id = sqlite3_column_int64(stmt, 5);
  row.source_token = ColumnBytes(stmt, 6);
  row.status_token = ColumnBytes(stmt, 7);
  if (sqlite3_column_type(stmt, 8) == SQLITE_NULL) {
    row.wrapped_key = std::nullopt;
  } else {
    row.wrapped_key = ColumnBytes(stmt, 8);
  }
  row.sealed = ColumnBytes(stmt, 9);
  row.office_id = sqlite3_column_int64(stmt, 10);
  row.review_at = sqlite3_column_int64(stmt, 11);
  return row;
}

Result<MatchRow> ReadMatch(sqlite3_stmt* stmt) {
  MatchRow row;
  row.id = sqlite3_column_int64(stmt, 0);
  row.request_id = sqlite3_column_int64(stmt, 1);
  row.person_id = sqlite3_column_int64(stmt, 2);
  row.probability = sqlite3_column_double(stmt, 3);
  row.weight = sqlite3_column_double(stmt, 4);
  row.explanation = ColumnBytes(stmt, 5);
  const int st = sqlite3_column_int(stmt, 6);
  if (st < 0 || st > kMaxMatchStatus) {
    return DataLossError("read match: match " + std::to_string(row.id) +
                         " has an unknown status");
  }
  row.status = static_cast<MatchStatus>(st);
  row.created_at = sqlite3_column_int64(stmt, 7);
  row.proposed_by = sqlite3_column_int64(stmt, 8);
  row.decided_by = sqlite3_column_int64(stmt, 9);
  row.decided_at = sqlite3_column_int64(stmt, 10);
  row.reason = ColumnBytes(stmt, 11);
  row.partner = ColumnBytes(stmt, 12);
  row.partner_ref = ColumnBytes(stmt, 13);
  return row;
}

AuditRow ReadAudit(sqlite3_stmt* stmt) {
  AuditRow row;
  row.seq = sqlite3_column_int64(stmt, 0);
  row.time = sqlite3_column_int64(stmt, 1);
  row.actor = ColumnBytes(stmt, 2);
  row.action = ColumnBytes(stmt, 3);
  row.target = ColumnBytes(stmt, 4);
  row.detail = ColumnBytes(stmt, 5);
  row.mac = ColumnBytes(stmt, 6);
  return row;
}

// SQL and bindings for a RecordFilter; the same text for the same set of
// present fields, so that the statement can be cached.
std::string FilterWhere(const RecordFilter& filter) {
  std::string where = " WHERE 1";
  if (filter.kind.has_value()) where += " AND kind = ?1";
  if (filter.status_token.has_value()) {
    where += filter.status_token->empty() ? " AND status_token IS NULL" : " AND status_token = ?2";
  }
  if (filter.created_from.has_value()) where += " AND created_at >= ?3";
  if (filter.created_to.has_value()) where += " AND created_at <= ?4";
  if (filter.review_due_by.has_value()) where += " AND review_at > 0 AND review_at <= ?5";
  if (filter.office_id.has_value()) where += " AND office_id = ?6";
  if (!filter.include_shredded) where += " AND wrapped_key IS NOT NULL";
  return where;
}

int BindFilter(sqlite3_stmt* stmt, const RecordFilter& filter) {
  int rc = SQLITE_OK;
  if (filter.kind.has_value()) rc = sqlite3_bind_int64(stmt, 1, *filter.kind);
  if (rc == SQLITE_OK && filter.status_token.has_value() && !filter.status_token->empty()) {
    rc = BindBlob(stmt, 2, *filter.status_token);
  }
  if (rc == SQLITE_OK && filter.created_from.has_value()) {
    rc = sqlite3_bind_int64(stmt, 3, *filter.created_from);
  }
  if (rc == SQLITE_OK && filter.created_to.has_value()) {
    rc = sqlite3_bind_int64(stmt, 4, *filter.created_to);
  }
  if (rc == SQLITE_OK && filter.review_due_by.has_value()) {
    rc = sqlite3_bind_int64(stmt, 5, *filter.review_due_by);
  }
  if (rc == SQLITE_OK && filter.office_id.has_value()) {
    rc = sqlite3_bind_int64(stmt, 6, *filter.office_id);
  }
  return rc;
}

Result<StmtLease> PrepareCached(sqlite3* db, CachedStmt& cached, const char* sql,
                                std::string_view operation) {
  if (cached.stmt != nullptr && !cached.in_use) {
    cached.in_use = true;
    return StmtLease(cached.stmt, &cached);
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db, sql, -1, cached.stmt == nullptr ? SQLITE_PREPARE_PERSISTENT : 0,
                              &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(rc, operation);
  }
  if (cached.stmt == nullptr) {
    cached.stmt = stmt;
    cached.in_use = true;
    return StmtLease(stmt, &cached);
  }
  // The cached one is busy (a callback re-entered): a temporary statement.
  return StmtLease(stmt, nullptr);
}

}  // namespace kinlink::store::internal
