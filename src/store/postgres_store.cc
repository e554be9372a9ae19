#include "store/postgres_store.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/internal/pg_schema.h"
#include "store/internal/pg_store_impl.h"
#include "store/internal/pg_util.h"
#include "store/internal/sqlite_schema.h"  // kMarkerKey, kVersionKey: shared meta keys

namespace kinlink::store {
namespace internal {
namespace {

// Server notices (VACUUM's, for one) would go to stderr; the store logs
// nothing.
void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

// libpq's connection error, on one line, without trailing blanks. It names
// the host and the reason, never the password.
std::string ConnectionMessage(const PGconn* conn) {
  std::string text = conn == nullptr ? std::string() : std::string(PQerrorMessage(conn));
  for (char& c : text) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text.empty() ? std::string("unknown error") : text;
}

}  // namespace

Result<PgResult> PostgresStore::RunPrepared(const std::string& name, const char* sql,
                                            bool* prepared, const PgParams& params,
                                            std::string_view operation) {
  if (!params.ok()) {
    return InvalidArgumentError(std::string(operation) + ": a value is over 1 GiB");
  }
  PGconn* conn = conn_.get();
  if (!*prepared) {
    // The parameter types come from the casts in the SQL text.
    PgResult made(PQprepare(conn, name.c_str(), sql, 0, nullptr));
    if (PQresultStatus(made.get()) != PGRES_COMMAND_OK) {
      return PgError(conn, made.get(), operation);
    }
    *prepared = true;
  }
  PgResult result(PQexecPrepared(conn, name.c_str(), params.size(), params.values(),
                                 params.lengths(), params.formats(), /*resultFormat=binary*/ 1));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return PgError(conn, result.get(), operation);
  }
  return result;
}

Result<PgResult> PostgresStore::Run(PgSql which, const PgParams& params,
                                    std::string_view operation) {
  int index = static_cast<int>(which);
  return RunPrepared("kl_" + std::to_string(index), kPgSqlText[index], &prepared_[index], params,
                     operation);
}

Result<PgResult> PostgresStore::RunText(const std::string& sql, const PgParams& params,
                                        std::string_view operation) {
  auto [it, inserted] = text_statements_.try_emplace(sql);
  if (inserted) it->second.name = "kl_text_" + std::to_string(text_statements_.size());
  return RunPrepared(it->second.name, it->first.c_str(), &it->second.prepared, params, operation);
}

Status PostgresStore::Exec(const char* sql, std::string_view operation) {
  PgResult result(PQexec(conn_.get(), sql));
  ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return PgError(conn_.get(), result.get(), operation);
  }
  return OkStatus();
}

Status PostgresStore::LockWriters(std::int64_t key, std::string_view operation) {
  PgParams params;
  params.Int(key);
  return Run(PgSql::kLock, params, operation).status();
}

Status PostgresStore::Write(const std::function<Status()>& body) {
  if (InTransaction()) return body();
  KL_RETURN_IF_ERROR(Begin());
  Status status = body();
  if (status.ok()) status = Commit();
  if (!status.ok()) Rollback().IgnoreError();
  return status;
}

Result<std::int64_t> PostgresStore::RegistryOid() {
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kRegistryOid, PgParams(), "open registry"));
  PgRow row(result.get(), 0);
  std::int64_t oid = result.rows() == 1 ? row.Int(0) : 0;
  if (!row.ok()) return InternalError("open registry: unexpected answer from the server");
  return oid;
}

Result<std::optional<std::string>> PostgresStore::ReadMeta(std::string_view key) {
  PgParams params;
  params.Bytes(key);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kGetMeta, params, "read meta"));
  if (result.rows() == 0) return std::optional<std::string>();
  return std::optional<std::string>(PgRow(result.get(), 0).Bytes(0));
}

Result<int> PostgresStore::ReadSchemaVersion() {
  KL_ASSIGN_OR_RETURN(std::optional<std::string> text, ReadMeta(kVersionKey));
  int parsed = -1;
  if (text.has_value()) {
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, parsed);
    if (ec != std::errc() || ptr != end || parsed < 0) parsed = -1;
  }
  if (parsed < 0) return DataLossError("open registry: the schema version is malformed");
  return parsed;
}

Status PostgresStore::Init(bool create) {
  PQsetNoticeProcessor(conn_.get(), IgnoreNotice, nullptr);
  KL_RETURN_IF_ERROR(Exec(kPgLockTimeoutSql, "open registry: configure the session"));
  if (create) return CreateSchema();

  KL_ASSIGN_OR_RETURN(std::int64_t oid, RegistryOid());
  if (oid == 0) return NotFoundError("open registry: the database holds no Kinlink registry");
  writer_lock_key_ = kPgLockSpace | oid;
  KL_ASSIGN_OR_RETURN(std::optional<std::string> marker, ReadMeta(kMarkerKey));
  if (!marker.has_value() || *marker != "1") {
    return DataLossError("open registry: not a Kinlink registry");
  }
  KL_ASSIGN_OR_RETURN(int version, ReadSchemaVersion());
  if (version > kSchemaVersion) {
    return FailedPreconditionError("registry schema version " + std::to_string(version) +
                                   " is newer than this kinlink (" +
                                   std::to_string(kSchemaVersion) + "); upgrade kinlink");
  }
  if (version == kSchemaVersion) return OkStatus();

  KL_RETURN_IF_ERROR(Begin());
  // Another process may have migrated between our read and our lock.
  Result<int> locked_version = ReadSchemaVersion();
  Status status = locked_version.status();
  if (status.ok() && *locked_version > kSchemaVersion) {
    status = FailedPreconditionError("open registry: schema changed while opening");
  }
  if (status.ok()) status = Migrate(*locked_version);
  if (status.ok()) status = Commit();
  if (!status.ok()) Rollback().IgnoreError();
  return status;
}

Status PostgresStore::CreateSchema() {
  KL_RETURN_IF_ERROR(Exec("BEGIN ISOLATION LEVEL READ COMMITTED", "create registry"));
  Status status = [this]() -> Status {
    // Two processes creating at once: the second waits here, then finds the
    // first one's tables.
    KL_RETURN_IF_ERROR(LockWriters(kPgSchemaLockKey, "create registry"));
    KL_ASSIGN_OR_RETURN(std::int64_t existing, RegistryOid());
    if (existing != 0) {
      return AlreadyExistsError(
          "create registry: the database already holds a Kinlink registry (a table named meta)");
    }
    KL_RETURN_IF_ERROR(Exec(kPgCreateMeta, "create registry"));
    for (auto [key, value] : {std::pair<std::string_view, std::string_view>{kMarkerKey, "1"},
                              std::pair<std::string_view, std::string_view>{kVersionKey, "0"}}) {
      PgParams params;
      params.Bytes(key).Bytes(value);
      KL_RETURN_IF_ERROR(Run(PgSql::kSetMeta, params, "create registry").status());
    }
    KL_RETURN_IF_ERROR(Migrate(0));
    KL_ASSIGN_OR_RETURN(std::int64_t oid, RegistryOid());
    writer_lock_key_ = kPgLockSpace | oid;
    return Commit();
  }();
  if (!status.ok()) Rollback().IgnoreError();
  return status;
}

Status PostgresStore::Migrate(int from_version) {
  for (const PgMigration& migration : kPgMigrations) {
    if (migration.version <= from_version) continue;
    KL_RETURN_IF_ERROR(Exec(
        migration.sql, "migrate registry to schema version " + std::to_string(migration.version)));
  }
  const std::string version = std::to_string(kSchemaVersion);
  PgParams params;
  params.Bytes(kVersionKey).Bytes(version);
  return Run(PgSql::kSetMeta, params, "migrate registry: record schema version").status();
}

Status PostgresStore::Begin() {
  if (InTransaction()) {
    return FailedPreconditionError("begin transaction: a transaction is already open");
  }
  // READ COMMITTED: each statement sees what was committed before it began,
  // so once the lock is held every earlier writer's commit is visible (a
  // REPEATABLE READ snapshot would date from before the wait).
  KL_RETURN_IF_ERROR(Exec("BEGIN ISOLATION LEVEL READ COMMITTED", "begin transaction"));
  Status locked = LockWriters(writer_lock_key_, "begin transaction");
  if (!locked.ok()) Exec("ROLLBACK", "begin transaction").IgnoreError();
  return locked;
}

Status PostgresStore::Commit() {
  if (!InTransaction()) return FailedPreconditionError("commit: no transaction is open");
  PgResult result(PQexec(conn_.get(), "COMMIT"));
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    return PgError(conn_.get(), result.get(), "commit");
  }
  // COMMIT of a transaction that an error aborted succeeds as a ROLLBACK.
  if (result.command() == "ROLLBACK") {
    return AbortedError("commit: the transaction was rolled back after an earlier error");
  }
  return OkStatus();
}

Status PostgresStore::Rollback() {
  if (!InTransaction()) return OkStatus();
  return Exec("ROLLBACK", "rollback");
}

bool PostgresStore::InTransaction() const {
  PGTransactionStatusType status = PQtransactionStatus(conn_.get());
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

Result<std::optional<std::string>> PostgresStore::GetMeta(std::string_view key) {
  return ReadMeta(key);
}

Status PostgresStore::SetMeta(std::string_view key, std::string_view value) {
  if (key.empty()) return InvalidArgumentError("write meta: empty key");
  return Write([&]() -> Status {
    PgParams params;
    params.Bytes(key).Bytes(value);
    return Run(PgSql::kSetMeta, params, "write meta").status();
  });
}

Result<std::int64_t> PostgresStore::InsertRecord(const RecordRow& row) {
  if (row.id < 0) return InvalidArgumentError("insert record: negative id");
  std::int64_t id = 0;
  KL_RETURN_IF_ERROR(Write([&]() -> Status {
    PgParams params;
    params.Int(row.id).Int(row.kind).Int(row.version).Int(row.created_at).Int(row.updated_at);
    params.Int(row.import_id).BytesOrNull(row.source_token).BytesOrNull(row.status_token);
    if (row.wrapped_key.has_value()) {
      params.Bytes(*row.wrapped_key);
    } else {
      params.Null();
    }
    params.Bytes(row.sealed).Int(row.office_id).Int(row.review_at);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kInsertRecord, params, "insert record"));
    if (result.rows() == 1) {
      PgRow inserted(result.get(), 0);
      id = inserted.Int(0);
      if (!inserted.ok()) return InternalError("insert record: unexpected answer from the server");
      return OkStatus();
    }
    // Nothing inserted: a unique key is taken (the messages never quote it).
    if (row.id != 0) {
      PgParams by_id;
      by_id.Int(row.id);
      KL_ASSIGN_OR_RETURN(PgResult used, Run(PgSql::kRecordIdUsed, by_id, "insert record"));
      if (used.rows() > 0) return AlreadyExistsError("insert record: the id is already used");
    }
    return AlreadyExistsError("insert record: the source token is already used");
  }));
  return id;
}

Result<RecordRow> PostgresStore::GetRecord(std::int64_t id) {
  PgParams params;
  params.Int(id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kGetRecord, params, "read record"));
  if (result.rows() == 0) return NotFoundError("no record with id " + std::to_string(id));
  return ReadPgRecord(result.get(), 0);
}

Result<std::vector<std::int64_t>> PostgresStore::FindBySourceToken(std::string_view token) {
  std::vector<std::int64_t> ids;
  if (token.empty()) return ids;  // "" means "no token" and matches nothing
  PgParams params;
  params.Bytes(token);
  KL_ASSIGN_OR_RETURN(PgResult result,
                      Run(PgSql::kFindBySourceToken, params, "find by source token"));
  for (int i = 0; i < result.rows(); ++i) {
    PgRow row(result.get(), i);
    ids.push_back(row.Int(0));
    if (!row.ok()) return InternalError("find by source token: unexpected answer from the server");
  }
  return ids;
}

Status PostgresStore::ExplainNoChange(std::int64_t id, std::string_view operation) {
  PgParams params;
  params.Int(id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kRecordState, params, operation));
  std::string op(operation);
  if (result.rows() == 0) return NotFoundError(op + ": no record with id " + std::to_string(id));
  PgRow row(result.get(), 0);
  std::int64_t version = row.Int(0);
  bool shredded = row.Bool(1);
  if (!row.ok()) return InternalError(op + ": unexpected answer from the server");
  if (shredded) {
    return FailedPreconditionError(op + ": record " + std::to_string(id) + " is shredded");
  }
  return AbortedError(op + ": record " + std::to_string(id) +
                      " was changed by another writer (version " + std::to_string(version) + ")");
}

Status PostgresStore::UpdateRecord(const RecordRow& row, std::int64_t expected_version) {
  // The version is the AEAD associated data: it must move forward so that an
  // old ciphertext can never be replayed under the same version.
  if (row.version <= expected_version) {
    return InvalidArgumentError("update record: the new version must exceed the expected one");
  }
  return Write([&]() -> Status {
    PgParams params;
    params.Int(row.id).Int(expected_version).Bytes(row.sealed).Int(row.version);
    params.Int(row.updated_at).BytesOrNull(row.status_token);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kUpdateRecord, params, "update record"));
    if (result.affected() == 1) return OkStatus();
    return ExplainNoChange(row.id, "update record");
  });
}

Status PostgresStore::SetWrappedKey(std::int64_t id, std::string_view wrapped_key) {
  if (wrapped_key.empty()) return InvalidArgumentError("rewrap record key: empty wrapped key");
  return Write([&]() -> Status {
    PgParams params;
    params.Int(id).Bytes(wrapped_key);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kSetWrappedKey, params, "rewrap record key"));
    if (result.affected() == 1) return OkStatus();
    return ExplainNoChange(id, "rewrap record key");
  });
}

// Overwrites the record with its tombstone (which keeps its office and review
// date), then deletes what was derived from it. On PostgreSQL neither
// destroys the old bytes at once: they stay in dead row versions until
// VACUUM, which Checkpoint() runs (callers checkpoint after the commit, as
// the interface asks).
Status PostgresStore::ShredRecord(std::int64_t id) {
  return Write([&]() -> Status {
    PgParams params;
    params.Int(id);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kShredRecord, params, "shred record"));
    if (result.affected() == 0) {
      return NotFoundError("shred record: no record with id " + std::to_string(id));
    }
    // The matching data is derived from the record: it goes with it, and
    // so does what was decided on its matches (disclosures first: they are
    // found through the matches) and the case of a request.
    for (PgSql which : {PgSql::kShredEncoding, PgSql::kShredBlocking, PgSql::kShredDisclosures,
                        PgSql::kShredCase, PgSql::kShredMatches, PgSql::kShredHubRef}) {
      KL_RETURN_IF_ERROR(Run(which, params, "shred record").status());
    }
    return OkStatus();
  });
}

// Fetches kPgPageRows at a time, resuming after the last id seen: memory stays
// bounded, and no cursor or statement is open while `fn` runs, so `fn` may use
// the store (even shred the record, which takes it out of the filter).
Status PostgresStore::ForEachRecord(const RecordFilter& filter,
                                    const std::function<Status(const RecordRow&)>& fn) {
  const std::string sql = std::string("SELECT ") + kPgRecordColumns +
                          " FROM records WHERE id > $1::bigint" + PgFilterSql(filter, 3) +
                          " ORDER BY id LIMIT $2::bigint";
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  while (true) {
    PgParams params;
    params.Int(after).Int(kPgPageRows);
    BindPgFilter(filter, params);
    KL_ASSIGN_OR_RETURN(PgResult page, RunText(sql, params, "list records"));
    for (int i = 0; i < page.rows(); ++i) {
      KL_ASSIGN_OR_RETURN(RecordRow row, ReadPgRecord(page.get(), i));
      after = row.id;
      KL_RETURN_IF_ERROR(fn(row));
    }
    if (page.rows() < kPgPageRows) return OkStatus();
  }
}

Result<std::int64_t> PostgresStore::CountRecords(const RecordFilter& filter) {
  const std::string sql = "SELECT count(*) FROM records WHERE TRUE" + PgFilterSql(filter, 1);
  PgParams params;
  BindPgFilter(filter, params);
  KL_ASSIGN_OR_RETURN(PgResult result, RunText(sql, params, "count records"));
  PgRow row(result.get(), 0);
  std::int64_t count = result.rows() == 1 ? row.Int(0) : -1;
  if (!row.ok() || count < 0)
    return InternalError("count records: unexpected answer from the server");
  return count;
}

Result<std::vector<RecordRow>> PostgresStore::LatestRecords(const RecordFilter& filter,
                                                            std::int64_t limit) {
  if (limit <= 0 || limit > kMaxLatestRecords) {
    return InvalidArgumentError("latest records: the limit must be 1.." +
                                std::to_string(kMaxLatestRecords));
  }
  const std::string sql = std::string("SELECT ") + kPgRecordColumns + " FROM records WHERE TRUE" +
                          PgFilterSql(filter, 2) + " ORDER BY id DESC LIMIT $1::bigint";
  PgParams params;
  params.Int(limit);
  BindPgFilter(filter, params);
  KL_ASSIGN_OR_RETURN(PgResult page, RunText(sql, params, "latest records"));
  std::vector<RecordRow> rows;
  for (int i = 0; i < page.rows(); ++i) {
    KL_ASSIGN_OR_RETURN(RecordRow row, ReadPgRecord(page.get(), i));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::int64_t> PostgresStore::InsertImport(const ImportRow& row) {
  std::int64_t id = 0;
  KL_RETURN_IF_ERROR(Write([&]() -> Status {
    PgParams params;
    params.Int(row.started_at).Int(row.finished_at).Int(row.kind).Int(row.accepted);
    params.Int(row.rejected);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kInsertImport, params, "insert import"));
    PgRow inserted(result.get(), 0);
    id = result.rows() == 1 ? inserted.Int(0) : 0;
    if (!inserted.ok() || id == 0) {
      return InternalError("insert import: unexpected answer from the server");
    }
    return OkStatus();
  }));
  return id;
}

Status PostgresStore::FinishImport(const ImportRow& row) {
  return Write([&]() -> Status {
    PgParams params;
    params.Int(row.id).Int(row.finished_at).Int(row.accepted).Int(row.rejected);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kFinishImport, params, "finish import"));
    if (result.affected() == 0) {
      return NotFoundError("finish import: no import with id " + std::to_string(row.id));
    }
    return OkStatus();
  });
}

// The writer lock makes the check and the insert one step: no other process
// can append between them. ON CONFLICT keeps the seq unique without aborting
// the caller's transaction should the lock ever be bypassed (e.g. an entry
// written by hand).
Status PostgresStore::AppendAudit(const AuditRow& row) {
  return Write([&]() -> Status {
    KL_ASSIGN_OR_RETURN(PgResult head, Run(PgSql::kLastAuditSeq, PgParams(), "append audit"));
    PgRow head_row(head.get(), 0);
    std::int64_t last = head.rows() == 1 ? head_row.Int(0) : 0;
    if (!head_row.ok()) return InternalError("append audit: unexpected answer from the server");
    if (row.seq <= last) {
      return AlreadyExistsError("append audit: entry " + std::to_string(row.seq) +
                                " already exists (last is " + std::to_string(last) + ")");
    }
    if (row.seq != last + 1) {
      return FailedPreconditionError("append audit: entry " + std::to_string(row.seq) +
                                     " would leave a gap after " + std::to_string(last));
    }
    PgParams params;
    params.Int(row.seq).Int(row.time).Bytes(row.actor).Bytes(row.action).Bytes(row.target);
    params.Bytes(row.detail).Bytes(row.mac);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kInsertAudit, params, "append audit"));
    if (result.affected() == 0) {
      return AlreadyExistsError("append audit: entry " + std::to_string(row.seq) +
                                " already exists");
    }
    return OkStatus();
  });
}

Result<std::optional<AuditRow>> PostgresStore::LastAudit() {
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kLastAudit, PgParams(), "read audit"));
  if (result.rows() == 0) return std::optional<AuditRow>();
  KL_ASSIGN_OR_RETURN(AuditRow row, ReadPgAudit(result.get(), 0));
  return std::optional<AuditRow>(std::move(row));
}

Status PostgresStore::ForEachAudit(const std::function<Status(const AuditRow&)>& fn) {
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  while (true) {
    PgParams params;
    params.Int(after).Int(kPgPageRows);
    KL_ASSIGN_OR_RETURN(PgResult page, Run(PgSql::kAuditPage, params, "read audit"));
    for (int i = 0; i < page.rows(); ++i) {
      KL_ASSIGN_OR_RETURN(AuditRow row, ReadPgAudit(page.get(), i));
      after = row.seq;
      KL_RETURN_IF_ERROR(fn(row));
    }
    if (page.rows() < kPgPageRows) return OkStatus();
  }
}

// The PostgreSQL counterpart of SQLite's WAL checkpoint after a shred: VACUUM
// removes the dead row versions that still hold a shredded record's old
// ciphertext, wrapped key and tokens (and their index entries), so that no
// row, live or dead, keeps them. It cannot run inside a transaction, and it
// cannot remove versions that another session's open snapshot may still
// see (they go at a later Checkpoint or autovacuum). It does not zero the
// freed space, nor reach the write-ahead log or backups: PostgreSQL has no
// secure_delete (docs/architecture.md).
Status PostgresStore::Checkpoint() {
  if (InTransaction()) {
    return FailedPreconditionError("checkpoint: cannot run inside a transaction");
  }
  return Exec(kPgVacuum, "checkpoint");
}

// Cheap checks of what the schema does not enforce: the marker and schema
// version, every table present, the audit numbered 1..N without gaps,
// tombstones holding nothing, kinds and match statuses in range, no
// disclosure without its match and no case without its record. One scan of
// records, audit, matches, disclosures and cases; the server checks its own
// pages (checksums) as it reads them.
Result<std::string> PostgresStore::IntegrityCheck() {
  const std::string_view op = "integrity check";
  KL_ASSIGN_OR_RETURN(PgResult tables, Run(PgSql::kCheckTables, PgParams(), op));
  std::string missing = tables.rows() == 1 ? PgRow(tables.get(), 0).Bytes(0) : std::string();
  if (!missing.empty()) return "missing tables: " + missing;

  std::vector<std::string> problems;
  KL_ASSIGN_OR_RETURN(std::optional<std::string> marker, ReadMeta(kMarkerKey));
  if (!marker.has_value() || *marker != "1")
    problems.push_back("meta: the registry marker is missing");
  Result<int> version = ReadSchemaVersion();
  if (!version.ok()) {
    problems.push_back("meta: the schema version is malformed");
  } else if (*version != kSchemaVersion) {
    problems.push_back("meta: schema version " + std::to_string(*version) + ", expected " +
                       std::to_string(kSchemaVersion));
  }

  KL_ASSIGN_OR_RETURN(PgResult audit, Run(PgSql::kCheckAudit, PgParams(), op));
  KL_ASSIGN_OR_RETURN(PgResult records, Run(PgSql::kCheckRecords, PgParams(), op));
  KL_ASSIGN_OR_RETURN(PgResult matches, Run(PgSql::kCheckMatches, PgParams(), op));
  KL_ASSIGN_OR_RETURN(PgResult orphans, Run(PgSql::kCheckOrphans, PgParams(), op));
  if (audit.rows() != 1 || records.rows() != 1 || matches.rows() != 1 || orphans.rows() != 1) {
    return InternalError("integrity check: unexpected answer from the server");
  }
  PgRow a(audit.get(), 0), r(records.get(), 0), m(matches.get(), 0), o(orphans.get(), 0);
  const std::int64_t entries = a.Int(0), first = a.Int(1), last = a.Int(2);
  const std::int64_t bad_kinds = r.Int(0), unclean = r.Int(1);
  const std::int64_t bad_statuses = m.Int(0);
  const std::int64_t stray_disclosures = o.Int(0), stray_cases = o.Int(1);
  if (!a.ok() || !r.ok() || !m.ok() || !o.ok()) {
    return InternalError("integrity check: unexpected answer from the server");
  }
  if (entries > 0 && (first != 1 || last != entries)) {
    problems.push_back("audit: " + std::to_string(entries) + " entries numbered " +
                       std::to_string(first) + ".." + std::to_string(last) + ", not 1.." +
                       std::to_string(entries) + " without gaps");
  }
  if (bad_kinds > 0) {
    problems.push_back("records: " + std::to_string(bad_kinds) + " with a kind out of range");
  }
  if (unclean > 0) {
    problems.push_back("records: " + std::to_string(unclean) +
                       " shredded records still hold ciphertext or tokens");
  }
  if (bad_statuses > 0) {
    problems.push_back("matches: " + std::to_string(bad_statuses) + " with an unknown status");
  }
  if (stray_disclosures > 0) {
    problems.push_back("disclosures: " + std::to_string(stray_disclosures) +
                       " whose match is gone");
  }
  if (stray_cases > 0) {
    problems.push_back("cases: " + std::to_string(stray_cases) + " whose record is gone");
  }
  if (problems.empty()) return std::string("ok");
  std::string out;
  for (const std::string& problem : problems) {
    if (!out.empty()) out += "\n";
    out += problem;
  }
  return out;
}

}  // namespace internal

using internal::PgConn;
using internal::PostgresStore;

Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo, OpenMode mode) {
  if (conninfo.find('\0') != std::string::npos) {
    return InvalidArgumentError("open registry: the connection string contains a NUL byte");
  }
  // Checked first so that a typo is INVALID_ARGUMENT, not UNAVAILABLE. libpq's
  // message would quote the string (and so perhaps a password): not kept.
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (parse_error != nullptr) PQfreemem(parse_error);
  if (options == nullptr) {
    return InvalidArgumentError("open registry: the PostgreSQL connection string is malformed");
  }
  PQconninfoFree(options);

  // The string expands in place of dbname; the entries after it override it
  // (text travels as UTF-8 whatever the string says).
  const char* const keywords[] = {"dbname", "fallback_application_name", "client_encoding",
                                  nullptr};
  const char* const values[] = {conninfo.c_str(), "kinlink", "UTF8", nullptr};
  PgConn conn(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr) return ResourceExhaustedError("open registry: out of memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return UnavailableError("open registry: cannot connect to PostgreSQL: " +
                            internal::ConnectionMessage(conn.get()));
  }
  // VACUUM's INDEX_CLEANUP option arrived in PostgreSQL 12.
  if (PQserverVersion(conn.get()) < 120000) {
    return FailedPreconditionError("open registry: the PostgreSQL server is older than 12");
  }
  auto store = std::make_unique<PostgresStore>(std::move(conn));
  KL_RETURN_IF_ERROR(store->Init(mode == OpenMode::kCreate));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace kinlink::store
