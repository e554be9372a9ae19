// The SQLite backend, part three (schema 3): the review of matches,
// disclosure decisions, cases, offices, users and sessions.
#include <limits>

#include "store/internal/sqlite_store_impl.h"

namespace kinlink::store::internal {

namespace {

using P = SqliteStore::Param;

P Int(std::int64_t v) { return P{P::kInt, v, {}}; }
P Blob(std::string_view v) { return P{P::kBlob, 0, v}; }
P Text(std::string_view v) { return P{P::kText, 0, v}; }

constexpr const char* kUserColumns =
    "id, name, office_id, role, password_hash, totp_sealed, totp_last_step, failures, "
    "last_failure_at, disabled, created_at";

UserRow ReadUser(sqlite3_stmt* stmt) {
  UserRow u;
  u.id = sqlite3_column_int64(stmt, 0);
  u.name = ColumnBytes(stmt, 1);
  u.office_id = sqlite3_column_int64(stmt, 2);
  u.role = static_cast<std::uint8_t>(sqlite3_column_int(stmt, 3));
  u.password_hash = ColumnBytes(stmt, 4);
  u.totp_sealed = ColumnBytes(stmt, 5);
  u.totp_last_step = sqlite3_column_int64(stmt, 6);
  u.failures = sqlite3_column_int64(stmt, 7);
  u.last_failure_at = sqlite3_column_int64(stmt, 8);
  u.disabled = sqlite3_column_int(stmt, 9) != 0;
  u.created_at = sqlite3_column_int64(stmt, 10);
  return u;
}

OfficeRow ReadOffice(sqlite3_stmt* stmt) {
  OfficeRow o;
  o.id = sqlite3_column_int64(stmt, 0);
  o.name = ColumnBytes(stmt, 1);
  o.created_at = sqlite3_column_int64(stmt, 2);
  return o;
}

SessionRow ReadSession(sqlite3_stmt* stmt) {
  SessionRow s;
  s.id_hash = ColumnBytes(stmt, 0);
  s.user_id = sqlite3_column_int64(stmt, 1);
  s.created_at = sqlite3_column_int64(stmt, 2);
  s.last_seen_at = sqlite3_column_int64(stmt, 3);
  return s;
}

// Maps the constraint failures of an insert: a unique name or key in use,
// or a reference to a row that does not exist.
Status InsertError(const Status& s, std::string_view what, std::string_view referenced) {
  if (s.code() == StatusCode::kAlreadyExists) {
    return AlreadyExistsError(std::string(what) + ": already exists");
  }
  if (s.code() == StatusCode::kNotFound) {
    return NotFoundError(std::string(what) + ": no such " + std::string(referenced));
  }
  return s;
}

}  // namespace

Result<std::int64_t> SqliteStore::Run(const char* sql, std::initializer_list<Param> params,
                                      std::string_view operation) {
  KL_RETURN_IF_ERROR(Query(sql, params, operation, nullptr));
  return static_cast<std::int64_t>(sqlite3_changes64(db_));
}

Status SqliteStore::Query(const char* sql, std::initializer_list<Param> params,
                          std::string_view operation,
                          const std::function<Status(sqlite3_stmt*)>& row) {
  KL_ASSIGN_OR_RETURN(StmtLease lease, PrepareFilter(sql, operation));
  sqlite3_stmt* stmt = lease.get();
  int index = 1;
  for (const Param& p : params) {
    int rc = SQLITE_OK;
    switch (p.type) {
      case Param::kInt:
        rc = sqlite3_bind_int64(stmt, index, p.i);
        break;
      case Param::kBlob:
        rc = BindBlob(stmt, index, p.b);
        break;
      case Param::kText:
        rc = BindText(stmt, index, p.b);
        break;
    }
    if (rc != SQLITE_OK) return SqliteError(rc, operation);
    ++index;
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    if (row) KL_RETURN_IF_ERROR(row(stmt));
  }
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return AlreadyExistsError(std::string(operation) + ": already exists");
  }
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
    return NotFoundError(std::string(operation) + ": refers to a row that does not exist");
  }
  if (rc != SQLITE_DONE) return SqliteError(rc, operation);
  return OkStatus();
}

// ---- Review of matches, disclosures, cases.

Result<std::optional<MatchRow>> SqliteStore::GetMatch(std::int64_t id) {
  std::optional<MatchRow> out;
  const std::string sql = std::string("SELECT ") + kMatchColumns + " FROM matches WHERE id = ?1";
  KL_RETURN_IF_ERROR(Query(sql.c_str(), {Int(id)}, "read match", [&](sqlite3_stmt* s) -> Status {
    KL_ASSIGN_OR_RETURN(MatchRow row, ReadMatch(s));
    out = std::move(row);
    return OkStatus();
  }));
  return out;
}

Status SqliteStore::UpdateMatchReview(const MatchRow& row) {
  if (static_cast<std::uint8_t>(row.status) > kMaxMatchStatus) {
    return InvalidArgumentError("review match: unknown status");
  }
  KL_ASSIGN_OR_RETURN(
      std::int64_t changed,
      Run("UPDATE matches SET status = ?2, proposed_by = ?3, decided_by = ?4, decided_at = ?5, "
          "reason = ?6 WHERE id = ?1",
          {Int(row.id), Int(static_cast<int>(row.status)), Int(row.proposed_by),
           Int(row.decided_by), Int(row.decided_at), Text(row.reason)},
          "review match"));
  if (changed == 0) return NotFoundError("review match: no match with id " + std::to_string(row.id));
  return OkStatus();
}

Status SqliteStore::ForEachMatchOf(std::int64_t record_id,
                                   const std::function<Status(const MatchRow&)>& fn) {
  if (record_id <= 0) return OkStatus();  // 0 is the partner's side of partner matches
  const std::string sql = std::string("SELECT ") + kMatchColumns +
                          " FROM matches WHERE request_id = ?1 OR person_id = ?1 "
                          "ORDER BY probability DESC, id";
  std::vector<MatchRow> rows;  // collected first: `fn` may write
  KL_RETURN_IF_ERROR(
      Query(sql.c_str(), {Int(record_id)}, "list matches of a record", [&](sqlite3_stmt* s) {
        Result<MatchRow> row = ReadMatch(s);
        if (!row.ok()) return row.status();
        rows.push_back(std::move(*row));
        return OkStatus();
      }));
  for (const MatchRow& r : rows) KL_RETURN_IF_ERROR(fn(r));
  return OkStatus();
}

Status SqliteStore::PutDisclosure(const DisclosureRow& row) {
  KL_ASSIGN_OR_RETURN(std::optional<MatchRow> match, GetMatch(row.match_id));
  if (!match) {
    return NotFoundError("write disclosure: no match with id " + std::to_string(row.match_id));
  }
  return Run("INSERT INTO disclosures(match_id, decision, withhold, sealed, wrapped_key, "
             "decided_by, decided_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
             "ON CONFLICT(match_id) DO UPDATE SET decision = excluded.decision, "
             "withhold = excluded.withhold, sealed = excluded.sealed, "
             "wrapped_key = excluded.wrapped_key, decided_by = excluded.decided_by, "
             "decided_at = excluded.decided_at",
             {Int(row.match_id), Int(row.decision), Int(row.withhold), Blob(row.sealed),
              Blob(row.wrapped_key), Int(row.decided_by), Int(row.decided_at)},
             "write disclosure")
      .status();
}

Result<std::optional<DisclosureRow>> SqliteStore::GetDisclosure(std::int64_t match_id) {
  std::optional<DisclosureRow> out;
  KL_RETURN_IF_ERROR(Query("SELECT match_id, decision, withhold, sealed, wrapped_key, decided_by, "
                           "decided_at FROM disclosures WHERE match_id = ?1",
                           {Int(match_id)}, "read disclosure", [&](sqlite3_stmt* s) {
                             DisclosureRow d;
                             d.match_id = sqlite3_column_int64(s, 0);
                             d.decision = static_cast<std::uint8_t>(sqlite3_column_int(s, 1));
                             d.withhold = static_cast<std::uint32_t>(sqlite3_column_int64(s, 2));
                             d.sealed = ColumnBytes(s, 3);
                             d.wrapped_key = ColumnBytes(s, 4);
                             d.decided_by = sqlite3_column_int64(s, 5);
                             d.decided_at = sqlite3_column_int64(s, 6);
                             out = std::move(d);
                             return OkStatus();
                           }));
  return out;
}

Status SqliteStore::PutCase(const CaseRow& row) {
  Result<RecordRow> request = GetRecord(row.request_id);
  if (!request.ok()) {
    return request.status().code() == StatusCode::kNotFound
               ? NotFoundError("write case: no record with id " + std::to_string(row.request_id))
               : request.status();
  }
  return Run("INSERT INTO cases(request_id, state, updated_by, updated_at) "
             "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(request_id) DO UPDATE SET "
             "state = excluded.state, updated_by = excluded.updated_by, "
             "updated_at = excluded.updated_at",
             {Int(row.request_id), Int(row.state), Int(row.updated_by), Int(row.updated_at)},
             "write case")
      .status();
}

Result<std::optional<CaseRow>> SqliteStore::GetCase(std::int64_t request_id) {
  std::optional<CaseRow> out;
  KL_RETURN_IF_ERROR(Query("SELECT request_id, state, updated_by, updated_at FROM cases "
                           "WHERE request_id = ?1",
                           {Int(request_id)}, "read case", [&](sqlite3_stmt* s) {
                             CaseRow c;
                             c.request_id = sqlite3_column_int64(s, 0);
                             c.state = static_cast<std::uint8_t>(sqlite3_column_int(s, 1));
                             c.updated_by = sqlite3_column_int64(s, 2);
                             c.updated_at = sqlite3_column_int64(s, 3);
                             out = c;
                             return OkStatus();
                           }));
  return out;
}

// ---- Offices.

Result<std::int64_t> SqliteStore::InsertOffice(const OfficeRow& row) {
  if (row.name.empty()) return InvalidArgumentError("insert office: empty name");
  Status s = Run("INSERT INTO offices(name, created_at) VALUES(?1, ?2)",
                 {Text(row.name), Int(row.created_at)}, "insert office")
                 .status();
  if (!s.ok()) return InsertError(s, "insert office", "office");
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<std::optional<OfficeRow>> SqliteStore::GetOffice(std::int64_t id) {
  std::optional<OfficeRow> out;
  KL_RETURN_IF_ERROR(Query("SELECT id, name, created_at FROM offices WHERE id = ?1", {Int(id)},
                           "read office", [&](sqlite3_stmt* s) {
                             out = ReadOffice(s);
                             return OkStatus();
                           }));
  return out;
}

Result<std::optional<OfficeRow>> SqliteStore::FindOffice(std::string_view name) {
  std::optional<OfficeRow> out;
  KL_RETURN_IF_ERROR(Query("SELECT id, name, created_at FROM offices WHERE name = ?1",
                           {Text(name)}, "find office", [&](sqlite3_stmt* s) {
                             out = ReadOffice(s);
                             return OkStatus();
                           }));
  return out;
}

Status SqliteStore::ForEachOffice(const std::function<Status(const OfficeRow&)>& fn) {
  std::vector<OfficeRow> rows;
  KL_RETURN_IF_ERROR(Query("SELECT id, name, created_at FROM offices ORDER BY id", {},
                           "list offices", [&](sqlite3_stmt* s) {
                             rows.push_back(ReadOffice(s));
                             return OkStatus();
                           }));
  for (const OfficeRow& r : rows) KL_RETURN_IF_ERROR(fn(r));
  return OkStatus();
}

// ---- Users.

Result<std::int64_t> SqliteStore::InsertUser(const UserRow& row) {
  if (row.name.empty()) return InvalidArgumentError("insert user: empty name");
  Status s = Run("INSERT INTO users(name, office_id, role, password_hash, totp_sealed, "
                 "totp_last_step, failures, last_failure_at, disabled, created_at) "
                 "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                 {Text(row.name), Int(row.office_id), Int(row.role), Text(row.password_hash),
                  Blob(row.totp_sealed), Int(row.totp_last_step), Int(row.failures),
                  Int(row.last_failure_at), Int(row.disabled ? 1 : 0), Int(row.created_at)},
                 "insert user")
                 .status();
  if (!s.ok()) return InsertError(s, "insert user", "office");
  return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<std::optional<UserRow>> SqliteStore::GetUser(std::int64_t id) {
  std::optional<UserRow> out;
  const std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?1";
  KL_RETURN_IF_ERROR(Query(sql.c_str(), {Int(id)}, "read user", [&](sqlite3_stmt* s) {
    out = ReadUser(s);
    return OkStatus();
  }));
  return out;
}

Result<std::optional<UserRow>> SqliteStore::FindUser(std::string_view name) {
  std::optional<UserRow> out;
  const std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE name = ?1";
  KL_RETURN_IF_ERROR(Query(sql.c_str(), {Text(name)}, "find user", [&](sqlite3_stmt* s) {
    out = ReadUser(s);
    return OkStatus();
  }));
  return out;
}

Status SqliteStore::UpdateUser(const UserRow& row) {
  Result<std::int64_t> changed =
      Run("UPDATE users SET office_id = ?2, role = ?3, password_hash = ?4, totp_sealed = ?5, "
          "totp_last_step = ?6, failures = ?7, last_failure_at = ?8, disabled = ?9 WHERE id = ?1",
          {Int(row.id), Int(row.office_id), Int(row.role), Text(row.password_hash),
           Blob(row.totp_sealed), Int(row.totp_last_step), Int(row.failures),
           Int(row.last_failure_at), Int(row.disabled ? 1 : 0)},
          "update user");
  if (!changed.ok()) return InsertError(changed.status(), "update user", "office");
  if (*changed == 0) return NotFoundError("update user: no user with id " + std::to_string(row.id));
  return OkStatus();
}

Status SqliteStore::ForEachUser(const std::function<Status(const UserRow&)>& fn) {
  std::vector<UserRow> rows;
  const std::string sql = std::string("SELECT ") + kUserColumns + " FROM users ORDER BY id";
  KL_RETURN_IF_ERROR(Query(sql.c_str(), {}, "list users", [&](sqlite3_stmt* s) {
    rows.push_back(ReadUser(s));
    return OkStatus();
  }));
  for (const UserRow& r : rows) KL_RETURN_IF_ERROR(fn(r));
  return OkStatus();
}

// ---- Sessions.

Status SqliteStore::InsertSession(const SessionRow& row) {
  Status s = Run("INSERT INTO sessions(id_hash, user_id, created_at, last_seen_at) "
                 "VALUES(?1, ?2, ?3, ?4)",
                 {Blob(row.id_hash), Int(row.user_id), Int(row.created_at), Int(row.last_seen_at)},
                 "insert session")
                 .status();
  return s.ok() ? s : InsertError(s, "insert session", "user");
}

Result<std::optional<SessionRow>> SqliteStore::GetSession(std::string_view id_hash) {
  std::optional<SessionRow> out;
  KL_RETURN_IF_ERROR(Query("SELECT id_hash, user_id, created_at, last_seen_at FROM sessions "
                           "WHERE id_hash = ?1",
                           {Blob(id_hash)}, "read session", [&](sqlite3_stmt* s) {
                             out = ReadSession(s);
                             return OkStatus();
                           }));
  return out;
}

Status SqliteStore::TouchSession(std::string_view id_hash, std::int64_t now) {
  KL_ASSIGN_OR_RETURN(std::int64_t changed,
                      Run("UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1",
                          {Blob(id_hash), Int(now)}, "touch session"));
  if (changed == 0) return NotFoundError("touch session: no such session");
  return OkStatus();
}

Status SqliteStore::DeleteSession(std::string_view id_hash) {
  return Run("DELETE FROM sessions WHERE id_hash = ?1", {Blob(id_hash)}, "delete session")
      .status();
}

Result<std::int64_t> SqliteStore::DeleteSessions(std::int64_t user_id, std::int64_t seen_before) {
  if (user_id == 0) {
    return Run("DELETE FROM sessions WHERE last_seen_at < ?1", {Int(seen_before)},
               "delete sessions");
  }
  return Run("DELETE FROM sessions WHERE user_id = ?1 AND last_seen_at < ?2",
             {Int(user_id), Int(seen_before)}, "delete sessions");
}

}  // namespace kinlink::store::internal
