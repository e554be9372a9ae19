// Private to store: the SQLite helpers SqliteStore is built from: result
// code to Status mapping, binding and reading values and rows, the WHERE
// clause of a RecordFilter, and the per-connection statement cache.
#ifndef KINLINK_STORE_INTERNAL_SQLITE_UTIL_H_
#define KINLINK_STORE_INTERNAL_SQLITE_UTIL_H_

#include <sqlite3.h>

#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"
#include "common/status.h"
#include "store/store.h"

namespace kinlink::store::internal {

// Maps an SQLite result code to a Status naming the operation. The message
// never quotes a stored value.
Status SqliteError(int rc, std::string_view operation);

// Bindings use SQLITE_STATIC (no copy): the bound bytes must live until the
// statement has been stepped and reset (StmtLease does the reset).

// Binds bytes as a BLOB; an empty value is an empty BLOB, not NULL.
int BindBlob(sqlite3_stmt* stmt, int index, std::string_view bytes);
// Binds bytes as a BLOB, or NULL when empty (tokens: "" = none).
int BindBlobOrNull(sqlite3_stmt* stmt, int index, std::string_view bytes);
int BindText(sqlite3_stmt* stmt, int index, std::string_view text);

// Column bytes (BLOB or TEXT); "" for NULL or empty.
std::string ColumnBytes(sqlite3_stmt* stmt, int column);

// Reads the current row of a statement selecting kRecordColumns, in order.
// DATA_LOSS when the stored kind is out of range.
Result<RecordRow> ReadRecord(sqlite3_stmt* stmt);
// Reads the current row of a statement selecting kMatchColumns, in order.
// DATA_LOSS for an unknown status.
Result<MatchRow> ReadMatch(sqlite3_stmt* stmt);
// Reads the current row of a statement selecting seq, time, actor, action,
// target, detail, mac.
AuditRow ReadAudit(sqlite3_stmt* stmt);

// The WHERE clause for a RecordFilter, using parameters ?1..?5; the same
// text for the same set of present fields, so that it can be cached.
std::string FilterWhere(const RecordFilter& filter);
// Binds the filter's values to a statement built with FilterWhere.
int BindFilter(sqlite3_stmt* stmt, const RecordFilter& filter);

// A prepared statement, cached per connection. `in_use` lets a callback run
// from ForEach* use the same kind of statement again (it then gets a fresh,
// temporary one).
struct CachedStmt {
  sqlite3_stmt* stmt = nullptr;
  bool in_use = false;
};

// Borrows a statement for one operation; on destruction resets it and
// clears its bindings (cached) or finalizes it (temporary).
class StmtLease {
 public:
  StmtLease(sqlite3_stmt* stmt, CachedStmt* cache) : stmt_(stmt), cache_(cache) {}
  StmtLease(const StmtLease&) = delete;
  StmtLease& operator=(const StmtLease&) = delete;
  StmtLease(StmtLease&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), cache_(std::exchange(other.cache_, nullptr)) {}
  StmtLease& operator=(StmtLease&&) = delete;
  ~StmtLease() {
    if (stmt_ == nullptr) return;
    if (cache_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
      cache_->in_use = false;
    } else {
      sqlite3_finalize(stmt_);
    }
  }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
  CachedStmt* cache_;  // null for a temporary statement
};

// Leases `cached` (preparing it on first use with SQLITE_PREPARE_PERSISTENT),
// or, when it is already leased, a temporary statement prepared from `sql`.
Result<StmtLease> PrepareCached(sqlite3* db, CachedStmt& cached, const char* sql,
                                std::string_view operation);

}  // namespace kinlink::store::internal

#endif  // KINLINK_STORE_INTERNAL_SQLITE_UTIL_H_
