#include "store/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/internal/registry_file.h"
#include "store/internal/sqlite_schema.h"
#include "store/internal/sqlite_store_impl.h"
#include "store/internal/sqlite_util.h"

namespace kinlink::store {
namespace internal {

Result<StmtLease> SqliteStore::Prepare(Sql which, std::string_view operation) {
  int index = static_cast<int>(which);
  return PrepareCached(db_, statements_[index], internal::kSqlText[index], operation);
}

Result<StmtLease> SqliteStore::PrepareFilter(const std::string& sql, std::string_view operation) {
  CachedStmt& cached = filter_statements_[sql];
  return PrepareCached(db_, cached, sql.c_str(), operation);
}

Status SqliteStore::StepDone(sqlite3_stmt* stmt, std::string_view operation) {
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) return OkStatus();
  return SqliteError(rc, operation);
}

Status SqliteStore::Exec(const char* sql, std::string_view operation) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqliteError(rc, operation);
  return OkStatus();
}

Status SqliteStore::Init(bool create) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  // Defensive mode: no writable_schema or other ways for SQL to corrupt the
  // file; the registry never needs them.
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);

  auto read_version = [this]() -> Result<int> {
    KL_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadMetaRaw(internal::kVersionKey));
    int parsed = -1;
    if (text.has_value()) {
      const char* end = text->data() + text->size();
      auto [ptr, ec] = std::from_chars(text->data(), end, parsed);
      if (ec != std::errc() || ptr != end || parsed < 0) parsed = -1;
    }
    if (parsed < 0) return DataLossError("open registry: the schema version is malformed");
    return parsed;
  };
  int version = kSchemaVersion;
  // An existing file must carry the marker before anything is written to it
  // (even switching the journal mode writes the header).
  if (!create) {
    {
      sqlite3_stmt* stmt = nullptr;
      int rc = sqlite3_prepare_v2(
          db_, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'", -1, &stmt,
          nullptr);
      if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
      sqlite3_finalize(stmt);
      if ((rc & 0xff) == SQLITE_NOTADB) {
        return DataLossError("open registry: not a Kinlink registry (not an SQLite database)");
      }
      if (rc == SQLITE_DONE) return DataLossError("open registry: not a Kinlink registry");
      if (rc != SQLITE_ROW) return SqliteError(rc, "open registry: read schema");
    }
    KL_ASSIGN_OR_RETURN(std::optional<std::string> marker, ReadMetaRaw(internal::kMarkerKey));
    if (!marker.has_value() || *marker != "1") {
      return DataLossError("open registry: not a Kinlink registry");
    }
    KL_ASSIGN_OR_RETURN(version, read_version());
    if (version > kSchemaVersion) {
      return FailedPreconditionError("registry schema version " + std::to_string(version) +
                                     " is newer than this kinlink (" +
                                     std::to_string(kSchemaVersion) + "); upgrade kinlink");
    }
  }

  // journal_mode returns the mode it ended in; anything but WAL (e.g. a file
  // system without shared memory) would silently change crash behaviour.
  {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    std::string mode = rc == SQLITE_ROW ? ColumnBytes(stmt, 0) : std::string();
    sqlite3_finalize(stmt);
    if ((rc & 0xff) == SQLITE_NOTADB) {
      return DataLossError("open registry: not a Kinlink registry (not an SQLite database)");
    }
    if (rc != SQLITE_ROW) return SqliteError(rc, "open registry: set journal mode");
    if (mode != "wal") {
      return FailedPreconditionError("open registry: cannot use write-ahead logging here");
    }
  }
  // secure_delete zeroes deleted content (crypto-shred must not leave the
  // old wrapped key in free space); temp_store keeps sorts off the disk; the
  // larger page cache keeps random token-index inserts in memory.
  KL_RETURN_IF_ERROR(
      Exec("PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; "
           "PRAGMA temp_store=MEMORY; PRAGMA foreign_keys=ON; "
           "PRAGMA cache_size=-65536",
           "open registry: set pragmas"));

  if (create) {
    KL_RETURN_IF_ERROR(Begin());
    Status status = Exec(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
        "INSERT INTO meta(key, value) VALUES('kinlink_registry', '1');"
        "INSERT INTO meta(key, value) VALUES('schema_version', '0');",
        "create registry");
    if (status.ok()) status = Migrate(0);
    if (status.ok()) status = Commit();
    if (!status.ok()) Rollback().IgnoreError();
    return status;
  }

  if (version == kSchemaVersion) return OkStatus();

  KL_RETURN_IF_ERROR(Begin());
  // Another process may have migrated between our read and our lock.
  Result<int> locked_version = read_version();
  Status status = locked_version.status();
  if (status.ok() && *locked_version > kSchemaVersion) {
    status = FailedPreconditionError("open registry: schema changed while opening");
  }
  if (status.ok()) status = Migrate(*locked_version);
  if (status.ok()) status = Commit();
  if (!status.ok()) Rollback().IgnoreError();
  return status;
}

Status SqliteStore::Migrate(int from_version) {
  for (const internal::Migration& migration : internal::kMigrations) {
    if (migration.version <= from_version) continue;
    KL_RETURN_IF_ERROR(Exec(
        migration.sql, "migrate registry to schema version " + std::to_string(migration.version)));
  }
  std::string sql = "UPDATE meta SET value = '" + std::to_string(kSchemaVersion) +
                    "' WHERE key = 'schema_version'";
  return Exec(sql.c_str(), "migrate registry: record schema version");
}

Status SqliteStore::Begin() {
  if (InTransaction()) {
    return FailedPreconditionError("begin transaction: a transaction is already open");
  }
  KL_ASSIGN_OR_RETURN(StmtLease stmt, Prepare(Sql::kBegin, "begin transaction"));
  return StepDone(stmt.get(), "begin transaction");
}

Status SqliteStore::Commit() {
  if (!InTransaction()) return FailedPreconditionError("commit: no transaction is open");
  KL_ASSIGN_OR_RETURN(StmtLease stmt, Prepare(Sql::kCommit, "commit"));
  return StepDone(stmt.get(), "commit");
}

Status SqliteStore::Rollback() {
  // SQLite may already have rolled back on its own (e.g. after SQLITE_FULL).
  if (!InTransaction()) return OkStatus();
  KL_ASSIGN_OR_RETURN(StmtLease stmt, Prepare(Sql::kRollback, "rollback"));
  return StepDone(stmt.get(), "rollback");
}

Result<std::optional<std::string>> SqliteStore::ReadMetaRaw(std::string_view key) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kGetMeta, "read meta"));
  sqlite3_stmt* stmt = lease.get();
  int rc = BindText(stmt, 1, key);
  if (rc != SQLITE_OK) return SqliteError(rc, "read meta");
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return SqliteError(rc, "read meta");
  return std::optional<std::string>(ColumnBytes(stmt, 0));
}

Result<std::optional<std::string>> SqliteStore::GetMeta(std::string_view key) {
  return ReadMetaRaw(key);
}

Status SqliteStore::SetMeta(std::string_view key, std::string_view value) {
  if (key.empty()) return InvalidArgumentError("write meta: empty key");
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kSetMeta, "write meta"));
  sqlite3_stmt* stmt = lease.get();
  int rc = BindText(stmt, 1, key);
  if (rc == SQLITE_OK) rc = BindBlob(stmt, 2, value);
  if (rc != SQLITE_OK) return SqliteError(rc, "write meta");
  return StepDone(stmt, "write meta");
}

Result<std::int64_t> SqliteStore::InsertRecord(const RecordRow& row) {
  if (row.id < 0) return InvalidArgumentError("insert record: negative id");
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kInsertRecord, "insert record"));
  sqlite3_stmt* stmt = lease.get();
  int rc = row.id == 0 ? sqlite3_bind_null(stmt, 1) : sqlite3_bind_int64(stmt, 1, row.id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, row.kind);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, row.version);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, row.created_at);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 5, row.updated_at);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 6, row.import_id);
  if (rc == SQLITE_OK) rc = BindBlobOrNull(stmt, 7, row.source_token);
  if (rc == SQLITE_OK) rc = BindBlobOrNull(stmt, 8, row.status_token);
  if (rc == SQLITE_OK) {
    rc = row.wrapped_key.has_value() ? BindBlob(stmt, 9, *row.wrapped_key)
                                     : sqlite3_bind_null(stmt, 9);
  }
  if (rc == SQLITE_OK) rc = BindBlob(stmt, 10, row.sealed);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 11, row.office_id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 12, row.review_at);
  if (rc != SQLITE_OK) return SqliteError(rc, "insert record");
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE) {
    return AlreadyExistsError("insert record: the source token is already used");
  }
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return AlreadyExistsError("insert record: the id is already used");
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, "insert record");
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<RecordRow> SqliteStore::GetRecord(std::int64_t id) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kGetRecord, "read record"));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, id);
  if (rc != SQLITE_OK) return SqliteError(rc, "read record");
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_DONE) return NotFoundError("no record with id " + std::to_string(id));
  if (rc != SQLITE_ROW) return SqliteError(rc, "read record");
  return ReadRecord(stmt);
}

Result<std::vector<std::int64_t>> SqliteStore::FindBySourceToken(std::string_view token) {
  std::vector<std::int64_t> ids;
  if (token.empty()) return ids;  // "" means "no token" and matches nothing
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kFindBySourceToken, "find by source token"));
  sqlite3_stmt* stmt = lease.get();
  int rc = BindBlob(stmt, 1, token);
  if (rc != SQLITE_OK) return SqliteError(rc, "find by source token");
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) ids.push_back(sqlite3_column_int64(stmt, 0));
  if (rc != SQLITE_DONE) return SqliteError(rc, "find by source token");
  return ids;
}

Status SqliteStore::ExplainNoChange(std::int64_t id, std::string_view operation) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kRecordState, operation));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, id);
  if (rc != SQLITE_OK) return SqliteError(rc, operation);
  rc = sqlite3_step(stmt);
  std::string op(operation);
  if (rc == SQLITE_DONE) return NotFoundError(op + ": no record with id " + std::to_string(id));
  if (rc != SQLITE_ROW) return SqliteError(rc, operation);
  if (sqlite3_column_int(stmt, 1) != 0) {
    return FailedPreconditionError(op + ": record " + std::to_string(id) + " is shredded");
  }
  return AbortedError(op + ": record " + std::to_string(id) +
                      " was changed by another writer (version " +
                      std::to_string(sqlite3_column_int64(stmt, 0)) + ")");
}

Status SqliteStore::UpdateRecord(const RecordRow& row, std::int64_t expected_version) {
  // The version is the AEAD associated data: it must move forward so that an
  // old ciphertext can never be replayed under the same version.
  if (row.version <= expected_version) {
    return InvalidArgumentError("update record: the new version must exceed the expected one");
  }
  {
    KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kUpdateRecord, "update record"));
    sqlite3_stmt* stmt = lease.get();
    int rc = sqlite3_bind_int64(stmt, 1, row.id);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, expected_version);
    if (rc == SQLITE_OK) rc = BindBlob(stmt, 3, row.sealed);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, row.version);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 5, row.updated_at);
    if (rc == SQLITE_OK) rc = BindBlobOrNull(stmt, 6, row.status_token);
    if (rc != SQLITE_OK) return SqliteError(rc, "update record");
    KL_RETURN_IF_ERROR(StepDone(stmt, "update record"));
    if (sqlite3_changes64(db_) == 1) return OkStatus();
  }
  return ExplainNoChange(row.id, "update record");
}

Status SqliteStore::SetWrappedKey(std::int64_t id, std::string_view wrapped_key) {
  if (wrapped_key.empty()) return InvalidArgumentError("rewrap record key: empty wrapped key");
  {
    KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kSetWrappedKey, "rewrap record key"));
    sqlite3_stmt* stmt = lease.get();
    int rc = sqlite3_bind_int64(stmt, 1, id);
    if (rc == SQLITE_OK) rc = BindBlob(stmt, 2, wrapped_key);
    if (rc != SQLITE_OK) return SqliteError(rc, "rewrap record key");
    KL_RETURN_IF_ERROR(StepDone(stmt, "rewrap record key"));
    if (sqlite3_changes64(db_) == 1) return OkStatus();
  }
  return ExplainNoChange(id, "rewrap record key");
}

Status SqliteStore::ShredRecord(std::int64_t id) {
  {
    KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kShredRecord, "shred record"));
    sqlite3_stmt* stmt = lease.get();
    int rc = sqlite3_bind_int64(stmt, 1, id);
    if (rc != SQLITE_OK) return SqliteError(rc, "shred record");
    KL_RETURN_IF_ERROR(StepDone(stmt, "shred record"));
    if (sqlite3_changes64(db_) == 0) {
      return NotFoundError("shred record: no record with id " + std::to_string(id));
    }
  }
  // The matching data is derived from the record: it goes with it.
  for (Sql which : {Sql::kShredEncoding, Sql::kShredBlocking, Sql::kShredDisclosures,
                    Sql::kShredCase, Sql::kShredMatches, Sql::kShredHubRef}) {
    KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(which, "shred record"));
    int rc = sqlite3_bind_int64(lease.get(), 1, id);
    if (rc != SQLITE_OK) return SqliteError(rc, "shred record");
    KL_RETURN_IF_ERROR(StepDone(lease.get(), "shred record"));
  }
  return OkStatus();
}

Status SqliteStore::ForEachRecord(const RecordFilter& filter,
                                  const std::function<Status(const RecordRow&)>& fn) {
  std::string sql = std::string("SELECT ") + internal::kRecordColumns + " FROM records" +
                    FilterWhere(filter) + " ORDER BY id";
  KL_ASSIGN_OR_RETURN(StmtLease lease, PrepareFilter(sql, "list records"));
  sqlite3_stmt* stmt = lease.get();
  int rc = BindFilter(stmt, filter);
  if (rc != SQLITE_OK) return SqliteError(rc, "list records");
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    KL_ASSIGN_OR_RETURN(RecordRow row, ReadRecord(stmt));
    KL_RETURN_IF_ERROR(fn(row));
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, "list records");
  return OkStatus();
}

Result<std::int64_t> SqliteStore::CountRecords(const RecordFilter& filter) {
  std::string sql = "SELECT count(*) FROM records" + FilterWhere(filter);
  KL_ASSIGN_OR_RETURN(StmtLease lease, PrepareFilter(sql, "count records"));
  sqlite3_stmt* stmt = lease.get();
  int rc = BindFilter(stmt, filter);
  if (rc != SQLITE_OK) return SqliteError(rc, "count records");
  rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) return SqliteError(rc, "count records");
  return static_cast<std::int64_t>(sqlite3_column_int64(stmt, 0));
}

Result<std::vector<RecordRow>> SqliteStore::LatestRecords(const RecordFilter& filter,
                                                          std::int64_t limit) {
  if (limit <= 0 || limit > kMaxLatestRecords) {
    return InvalidArgumentError("latest records: the limit must be 1.." +
                                std::to_string(kMaxLatestRecords));
  }
  // ?7 follows the filter's own parameters (?1..?6).
  std::string sql = std::string("SELECT ") + internal::kRecordColumns + " FROM records" +
                    FilterWhere(filter) + " ORDER BY id DESC LIMIT ?7";
  KL_ASSIGN_OR_RETURN(StmtLease lease, PrepareFilter(sql, "latest records"));
  sqlite3_stmt* stmt = lease.get();
  int rc = BindFilter(stmt, filter);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 7, limit);
  if (rc != SQLITE_OK) return SqliteError(rc, "latest records");
  std::vector<RecordRow> rows;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    KL_ASSIGN_OR_RETURN(RecordRow row, ReadRecord(stmt));
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, "latest records");
  return rows;
}

Result<std::int64_t> SqliteStore::InsertImport(const ImportRow& row) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kInsertImport, "insert import"));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, row.started_at);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, row.finished_at);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, row.kind);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, row.accepted);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 5, row.rejected);
  if (rc != SQLITE_OK) return SqliteError(rc, "insert import");
  KL_RETURN_IF_ERROR(StepDone(stmt, "insert import"));
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

Status SqliteStore::FinishImport(const ImportRow& row) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kFinishImport, "finish import"));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, row.id);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, row.finished_at);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 3, row.accepted);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 4, row.rejected);
  if (rc != SQLITE_OK) return SqliteError(rc, "finish import");
  KL_RETURN_IF_ERROR(StepDone(stmt, "finish import"));
  if (sqlite3_changes64(db_) == 0) {
    return NotFoundError("finish import: no import with id " + std::to_string(row.id));
  }
  return OkStatus();
}

Status SqliteStore::AppendAudit(const AuditRow& row) {
  std::int64_t last = 0;
  {
    KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kLastAuditSeq, "append audit"));
    int rc = sqlite3_step(lease.get());
    if (rc != SQLITE_ROW) return SqliteError(rc, "append audit");
    last = sqlite3_column_int64(lease.get(), 0);  // NULL (empty log) reads as 0
  }
  if (row.seq <= last) {
    return AlreadyExistsError("append audit: entry " + std::to_string(row.seq) +
                              " already exists (last is " + std::to_string(last) + ")");
  }
  if (row.seq != last + 1) {
    return FailedPreconditionError("append audit: entry " + std::to_string(row.seq) +
                                   " would leave a gap after " + std::to_string(last));
  }
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kInsertAudit, "append audit"));
  sqlite3_stmt* stmt = lease.get();
  int rc = sqlite3_bind_int64(stmt, 1, row.seq);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int64(stmt, 2, row.time);
  if (rc == SQLITE_OK) rc = BindText(stmt, 3, row.actor);
  if (rc == SQLITE_OK) rc = BindText(stmt, 4, row.action);
  if (rc == SQLITE_OK) rc = BindText(stmt, 5, row.target);
  if (rc == SQLITE_OK) rc = BindText(stmt, 6, row.detail);
  if (rc == SQLITE_OK) rc = BindBlob(stmt, 7, row.mac);
  if (rc != SQLITE_OK) return SqliteError(rc, "append audit");
  return StepDone(stmt, "append audit");
}

Result<std::optional<AuditRow>> SqliteStore::LastAudit() {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kLastAudit, "read audit"));
  int rc = sqlite3_step(lease.get());
  if (rc == SQLITE_DONE) return std::optional<AuditRow>();
  if (rc != SQLITE_ROW) return SqliteError(rc, "read audit");
  return std::optional<AuditRow>(ReadAudit(lease.get()));
}

Status SqliteStore::ForEachAudit(const std::function<Status(const AuditRow&)>& fn) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, Prepare(Sql::kForEachAudit, "read audit"));
  int rc;
  while ((rc = sqlite3_step(lease.get())) == SQLITE_ROW) {
    KL_RETURN_IF_ERROR(fn(ReadAudit(lease.get())));
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, "read audit");
  return OkStatus();
}

Status SqliteStore::Checkpoint() {
  if (InTransaction()) {
    return FailedPreconditionError("checkpoint: cannot run inside a transaction");
  }
  int log_frames = 0;
  int checkpointed = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames,
                                     &checkpointed);
  if (rc != SQLITE_OK) return SqliteError(rc, "checkpoint");
  return OkStatus();
}

Result<std::string> SqliteStore::IntegrityCheck() {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &stmt, nullptr);
  std::string problems;
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!problems.empty()) problems += "\n";
      problems += ColumnBytes(stmt, 0);
    }
  }
  sqlite3_finalize(stmt);
  if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
    return std::string("database disk image is malformed");
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, "integrity check");
  return problems;
}
}  // namespace internal

using internal::RemoveRegistryFiles;
using internal::SqliteError;
using internal::SqliteStore;

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode) {
  if (path.empty()) return InvalidArgumentError("open registry: empty path");
  if (path.find('\0') != std::string::npos) {
    return InvalidArgumentError("open registry: path contains a NUL byte");
  }
  const bool create = mode == OpenMode::kCreate;
  if (create) {
    KL_RETURN_IF_ERROR(internal::CreateRegistryFile(path));
  } else {
    KL_RETURN_IF_ERROR(internal::CheckRegistryFile(path));
  }

  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_close_v2(db);
    if (create) RemoveRegistryFiles(path);
    if ((rc & 0xff) == SQLITE_CANTOPEN) {
      if (::access(path.c_str(), R_OK | W_OK) != 0) {
        return internal::ErrnoError(errno, "open registry");
      }
      return NotFoundError("open registry: cannot open the file");
    }
    return SqliteError(rc, "open registry");
  }
  auto store = std::make_unique<SqliteStore>(db);
  Status status = store->Init(create);
  if (!status.ok()) {
    store.reset();
    if (create) RemoveRegistryFiles(path);
    return status;
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace kinlink::store
