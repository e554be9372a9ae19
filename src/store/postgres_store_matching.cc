// The PostgreSQL backend, part two: per-record encodings, blocking tokens and
// potential matches (schema 2); the review of matches, disclosure decisions,
// cases, offices, users and sessions (schema 3).
//
// A statement that fails aborts the whole transaction on PostgreSQL, so the
// expected refusals never reach the server as errors: a name or hash in use
// is an insert that does nothing (ON CONFLICT DO NOTHING), an unknown office,
// user, match or record is looked for first (under the writer lock), and
// text the server would reject is refused here.
#include <libpq-fe.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "common/utf8.h"
#include "store/internal/match_rules.h"
#include "store/internal/pg_store_impl.h"

namespace kinlink::store::internal {
namespace {

// Whether a text column can hold `text`: UTF-8 without NUL (PostgreSQL text
// holds no NUL byte).
bool StorableText(std::string_view text) {
  return text.find('\0') == std::string_view::npos && IsValidUtf8(text);
}

Status RequireText(std::string_view text, std::string_view field, std::string_view operation) {
  if (StorableText(text)) return OkStatus();
  return InvalidArgumentError(std::string(operation) + ": the " + std::string(field) +
                              " is not UTF-8 text without NUL");
}

// The one row a lookup by key found, or nullopt.
template <typename Row>
Result<std::optional<Row>> OptionalRow(const PgResult& result,
                                       Result<Row> (*read)(const PGresult*, int)) {
  if (result.rows() == 0) return std::optional<Row>();
  KL_ASSIGN_OR_RETURN(Row row, read(result.get(), 0));
  return std::optional<Row>(std::move(row));
}

}  // namespace

Status PostgresStore::RequireLiveRecord(std::int64_t id, std::string_view operation) {
  PgParams params;
  params.Int(id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kRecordState, params, operation));
  std::string op(operation);
  if (result.rows() == 0) return NotFoundError(op + ": no record with id " + std::to_string(id));
  PgRow row(result.get(), 0);
  bool shredded = row.Bool(1);
  if (!row.ok()) return InternalError(op + ": unexpected answer from the server");
  if (shredded) {
    return FailedPreconditionError(op + ": record " + std::to_string(id) + " is shredded");
  }
  return OkStatus();
}

Status PostgresStore::PutEncoding(std::int64_t record_id, std::uint8_t kind,
                                  std::string_view blob) {
  // Inside one write (writer lock held), so that no shred can come between
  // the check and the insert.
  return Write([&]() -> Status {
    KL_RETURN_IF_ERROR(RequireLiveRecord(record_id, "write encoding"));
    PgParams params;
    params.Int(record_id).Int(kind).Bytes(blob);
    return Run(PgSql::kPutEncoding, params, "write encoding").status();
  });
}

Result<std::optional<EncodingRow>> PostgresStore::GetEncoding(std::int64_t record_id) {
  PgParams params;
  params.Int(record_id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kGetEncoding, params, "read encoding"));
  if (result.rows() == 0) return std::optional<EncodingRow>();
  PgRow row(result.get(), 0);
  EncodingRow out;
  out.record_id = row.Int(0);
  std::int64_t kind = row.Int(1);
  out.blob = row.Bytes(2);
  if (!row.ok() || kind < 0 || kind > std::numeric_limits<std::uint8_t>::max()) {
    return DataLossError("read encoding: a stored value is malformed");
  }
  out.kind = static_cast<std::uint8_t>(kind);
  return std::optional<EncodingRow>(std::move(out));
}

// All tokens in one statement (a bytea[] parameter): one round trip however
// many tokens a record has.
Status PostgresStore::AddBlockingTokens(std::int64_t record_id,
                                        std::span<const std::string> tokens) {
  for (const std::string& token : tokens) {
    if (token.empty()) return InvalidArgumentError("add blocking tokens: empty token");
  }
  if (tokens.empty()) return OkStatus();
  return Write([&]() -> Status {
    PgParams params;
    params.ByteaArray(tokens).Int(record_id);
    return Run(PgSql::kAddBlockingTokens, params, "add blocking tokens").status();
  });
}

Result<std::vector<std::int64_t>> PostgresStore::FindByBlockingToken(std::string_view token,
                                                                     std::int64_t limit) {
  std::vector<std::int64_t> ids;
  if (token.empty() || limit <= 0) return ids;
  PgParams params;
  params.Bytes(token).Int(limit);
  KL_ASSIGN_OR_RETURN(PgResult result,
                      Run(PgSql::kFindByBlockingToken, params, "find by blocking token"));
  for (int i = 0; i < result.rows(); ++i) {
    PgRow row(result.get(), i);
    ids.push_back(row.Int(0));
    if (!row.ok()) {
      return InternalError("find by blocking token: unexpected answer from the server");
    }
  }
  return ids;
}

Result<std::int64_t> PostgresStore::CountByBlockingToken(std::string_view token) {
  if (token.empty()) return std::int64_t{0};
  PgParams params;
  params.Bytes(token);
  KL_ASSIGN_OR_RETURN(PgResult result,
                      Run(PgSql::kCountByBlockingToken, params, "count by blocking token"));
  PgRow row(result.get(), 0);
  const std::int64_t count = result.rows() == 1 ? row.Int(0) : -1;
  if (!row.ok() || count < 0) {
    return InternalError("count by blocking token: unexpected answer from the server");
  }
  return count;
}

Result<std::int64_t> PostgresStore::PutMatch(const MatchRow& row) {
  KL_RETURN_IF_ERROR(CheckMatchRow(row));
  KL_RETURN_IF_ERROR(RequireText(row.reason, "reason", "write match"));
  KL_RETURN_IF_ERROR(RequireText(row.partner, "partner", "write match"));
  KL_RETURN_IF_ERROR(RequireText(row.partner_ref, "partner reference", "write match"));
  std::int64_t id = 0;
  KL_RETURN_IF_ERROR(Write([&]() -> Status {
    PgParams params;
    params.Int(row.request_id).Int(row.person_id).Float(row.probability).Float(row.weight);
    params.Bytes(row.explanation).Int(static_cast<int>(row.status)).Int(row.created_at);
    params.Int(row.proposed_by).Int(row.decided_by).Int(row.decided_at).Bytes(row.reason);
    if (row.is_partner()) params.Bytes(row.partner).Bytes(row.partner_ref);
    KL_ASSIGN_OR_RETURN(
        PgResult result,
        Run(row.is_partner() ? PgSql::kPutPartnerMatch : PgSql::kPutMatch, params, "write match"));
    PgRow written(result.get(), 0);
    id = result.rows() == 1 ? written.Int(0) : 0;
    if (!written.ok() || id == 0) {
      return InternalError("write match: unexpected answer from the server");
    }
    return OkStatus();
  }));
  return id;
}

Status PostgresStore::SetMatchStatus(std::int64_t id, MatchStatus status) {
  if (static_cast<std::uint8_t>(status) > kMaxMatchStatus) {
    return InvalidArgumentError("set match status: unknown status");
  }
  return Write([&]() -> Status {
    PgParams params;
    params.Int(id).Int(static_cast<int>(status));
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kSetMatchStatus, params, "set match status"));
    if (result.affected() == 0) {
      return NotFoundError("set match status: no match with id " + std::to_string(id));
    }
    return OkStatus();
  });
}

// Pages in (probability DESC, id) order, resuming after the last row seen
// (see ForEachRecord). The resume condition is written so that the index on
// (probability DESC, id) can start the scan there. PostgreSQL orders NaN
// above every number and equal to itself, in sorts and comparisons alike, so
// the pages stay consistent even then.
Status PostgresStore::PageMatches(const std::string& condition, std::optional<std::int64_t> value,
                                  std::string_view operation,
                                  const std::function<Status(const MatchRow&)>& fn) {
  // $1: page size; $2: the condition's value when there is one; then the
  // resume point.
  const std::string base =
      std::string("SELECT ") + kPgMatchColumns + " FROM matches WHERE TRUE" + condition;
  const int next = value.has_value() ? 3 : 2;
  const std::string probability = "$" + std::to_string(next) + "::float8";
  const std::string id = "$" + std::to_string(next + 1) + "::bigint";
  const std::string order = " ORDER BY probability DESC, id LIMIT $1::bigint";
  const std::string first_sql = base + order;
  const std::string next_sql = base + " AND probability <= " + probability +
                               " AND (probability < " + probability + " OR id > " + id + ")" +
                               order;
  bool first = true;
  double after_probability = 0;
  std::int64_t after_id = 0;
  while (true) {
    PgParams params;
    params.Int(kPgPageRows);
    if (value.has_value()) params.Int(*value);
    if (!first) params.Float(after_probability).Int(after_id);
    KL_ASSIGN_OR_RETURN(PgResult page, RunText(first ? first_sql : next_sql, params, operation));
    first = false;
    for (int i = 0; i < page.rows(); ++i) {
      KL_ASSIGN_OR_RETURN(MatchRow row, ReadPgMatch(page.get(), i));
      after_probability = row.probability;
      after_id = row.id;
      KL_RETURN_IF_ERROR(fn(row));
    }
    if (page.rows() < kPgPageRows) return OkStatus();
  }
}

Status PostgresStore::ForEachMatch(std::optional<MatchStatus> status,
                                   const std::function<Status(const MatchRow&)>& fn) {
  if (!status.has_value()) return PageMatches("", std::nullopt, "list matches", fn);
  return PageMatches(" AND status = $2::bigint", static_cast<int>(*status), "list matches", fn);
}

// ---- Schema 3: the review of matches, disclosures, cases.

Result<std::optional<MatchRow>> PostgresStore::GetMatch(std::int64_t id) {
  PgParams params;
  params.Int(id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kGetMatch, params, "read match"));
  return OptionalRow<MatchRow>(result, ReadPgMatch);
}

Status PostgresStore::UpdateMatchReview(const MatchRow& row) {
  if (static_cast<std::uint8_t>(row.status) > kMaxMatchStatus) {
    return InvalidArgumentError("review match: unknown status");
  }
  KL_RETURN_IF_ERROR(RequireText(row.reason, "reason", "review match"));
  return Write([&]() -> Status {
    PgParams params;
    params.Int(row.id).Int(static_cast<int>(row.status)).Int(row.proposed_by);
    params.Int(row.decided_by).Int(row.decided_at).Bytes(row.reason);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kUpdateMatchReview, params, "review match"));
    if (result.affected() == 0) {
      return NotFoundError("review match: no match with id " + std::to_string(row.id));
    }
    return OkStatus();
  });
}

// The two conditions use the unique (request_id, person_id) index and
// matches_person.
Status PostgresStore::ForEachMatchOf(std::int64_t record_id,
                                     const std::function<Status(const MatchRow&)>& fn) {
  if (record_id <= 0) return OkStatus();  // 0 is the partner's side of partner matches
  return PageMatches(" AND (request_id = $2::bigint OR person_id = $2::bigint)", record_id,
                     "list matches of a record", fn);
}

Status PostgresStore::PutDisclosure(const DisclosureRow& row) {
  return Write([&]() -> Status {
    PgParams params;
    params.Int(row.match_id).Int(row.decision).Int(row.withhold).Bytes(row.sealed);
    params.Bytes(row.wrapped_key).Int(row.decided_by).Int(row.decided_at);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kPutDisclosure, params, "write disclosure"));
    if (result.affected() == 0) {
      return NotFoundError("write disclosure: no match with id " + std::to_string(row.match_id));
    }
    return OkStatus();
  });
}

Result<std::optional<DisclosureRow>> PostgresStore::GetDisclosure(std::int64_t match_id) {
  PgParams params;
  params.Int(match_id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kGetDisclosure, params, "read disclosure"));
  return OptionalRow<DisclosureRow>(result, ReadPgDisclosure);
}

Status PostgresStore::RequireRow(PgSql exists, std::int64_t id, std::string_view what,
                                 std::string_view operation) {
  PgParams params;
  params.Int(id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(exists, params, operation));
  if (result.rows() > 0) return OkStatus();
  return NotFoundError(std::string(operation) + ": no " + std::string(what) + " with id " +
                       std::to_string(id));
}

// As with SQLite, the request need only exist: a shredded one may have a
// case (shredding it again deletes that).
Status PostgresStore::PutCase(const CaseRow& row) {
  return Write([&]() -> Status {
    KL_RETURN_IF_ERROR(RequireRow(PgSql::kRecordExists, row.request_id, "record", "write case"));
    PgParams params;
    params.Int(row.request_id).Int(row.state).Int(row.updated_by).Int(row.updated_at);
    return Run(PgSql::kPutCase, params, "write case").status();
  });
}

Result<std::optional<CaseRow>> PostgresStore::GetCase(std::int64_t request_id) {
  PgParams params;
  params.Int(request_id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kGetCase, params, "read case"));
  return OptionalRow<CaseRow>(result, ReadPgCase);
}

// ---- Schema 4: hub references.

namespace {

Result<HubRefRow> ReadPgHubRef(const PGresult* result, int row_index) {
  PgRow row(result, row_index);
  HubRefRow out;
  out.record_id = row.Int(0);
  out.ref = row.Bytes(1);
  out.batch = row.Int(2);
  if (!row.ok()) return DataLossError("read hub reference: a stored value is malformed");
  return out;
}

}  // namespace

Status PostgresStore::PutHubRef(const HubRefRow& row) {
  KL_RETURN_IF_ERROR(CheckHubRefRow(row));
  return Write([&]() -> Status {
    KL_RETURN_IF_ERROR(
        RequireRow(PgSql::kRecordExists, row.record_id, "record", "write hub reference"));
    PgParams params;
    params.Int(row.record_id).Bytes(row.ref).Int(row.batch);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kPutHubRef, params, "write hub reference"));
    if (result.rows() == 0) {
      return AlreadyExistsError("write hub reference: record " + std::to_string(row.record_id) +
                                " or the reference already has one");
    }
    return OkStatus();
  });
}

Result<std::optional<HubRefRow>> PostgresStore::FindHubRef(std::string_view ref) {
  if (ref.empty()) return std::optional<HubRefRow>();
  PgParams params;
  params.Bytes(ref);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kFindHubRef, params, "read hub reference"));
  return OptionalRow<HubRefRow>(result, ReadPgHubRef);
}

Status PostgresStore::ForEachHubRef(std::int64_t batch,
                                    const std::function<Status(const HubRefRow&)>& fn) {
  // One batch is at most a few thousand rows: one query, then `fn`.
  PgParams params;
  params.Int(batch);
  KL_ASSIGN_OR_RETURN(PgResult result,
                      Run(PgSql::kHubRefsOfBatch, params, "list hub references"));
  std::vector<HubRefRow> rows;
  for (int i = 0; i < result.rows(); ++i) {
    KL_ASSIGN_OR_RETURN(HubRefRow row, ReadPgHubRef(result.get(), i));
    rows.push_back(std::move(row));
  }
  for (const HubRefRow& row : rows) KL_RETURN_IF_ERROR(fn(row));
  return OkStatus();
}

// ---- Schema 3: offices, users, sessions.

Status PostgresStore::PageById(
    PgSql which, std::string_view operation,
    const std::function<Result<std::int64_t>(const PGresult*, int)>& each) {
  std::int64_t after = std::numeric_limits<std::int64_t>::min();
  while (true) {
    PgParams params;
    params.Int(after).Int(kPgPageRows);
    KL_ASSIGN_OR_RETURN(PgResult page, Run(which, params, operation));
    for (int i = 0; i < page.rows(); ++i) {
      KL_ASSIGN_OR_RETURN(after, each(page.get(), i));
    }
    if (page.rows() < kPgPageRows) return OkStatus();
  }
}

Result<std::int64_t> PostgresStore::InsertOffice(const OfficeRow& row) {
  if (row.name.empty()) return InvalidArgumentError("insert office: empty name");
  KL_RETURN_IF_ERROR(RequireText(row.name, "name", "insert office"));
  std::int64_t id = 0;
  KL_RETURN_IF_ERROR(Write([&]() -> Status {
    PgParams params;
    params.Bytes(row.name).Int(row.created_at);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kInsertOffice, params, "insert office"));
    if (result.rows() == 0) return AlreadyExistsError("insert office: the name is already used");
    PgRow inserted(result.get(), 0);
    id = inserted.Int(0);
    if (!inserted.ok()) return InternalError("insert office: unexpected answer from the server");
    return OkStatus();
  }));
  return id;
}

Result<std::optional<OfficeRow>> PostgresStore::GetOffice(std::int64_t id) {
  PgParams params;
  params.Int(id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kGetOffice, params, "read office"));
  return OptionalRow<OfficeRow>(result, ReadPgOffice);
}

Result<std::optional<OfficeRow>> PostgresStore::FindOffice(std::string_view name) {
  // A name no office can have (the server would refuse it as text).
  if (!StorableText(name)) return std::optional<OfficeRow>();
  PgParams params;
  params.Bytes(name);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kFindOffice, params, "find office"));
  return OptionalRow<OfficeRow>(result, ReadPgOffice);
}

Status PostgresStore::ForEachOffice(const std::function<Status(const OfficeRow&)>& fn) {
  return PageById(PgSql::kOfficePage, "list offices",
                  [&](const PGresult* page, int i) -> Result<std::int64_t> {
                    KL_ASSIGN_OR_RETURN(OfficeRow row, ReadPgOffice(page, i));
                    KL_RETURN_IF_ERROR(fn(row));
                    return row.id;
                  });
}

Result<std::int64_t> PostgresStore::InsertUser(const UserRow& row) {
  if (row.name.empty()) return InvalidArgumentError("insert user: empty name");
  KL_RETURN_IF_ERROR(RequireText(row.name, "name", "insert user"));
  KL_RETURN_IF_ERROR(RequireText(row.password_hash, "password hash", "insert user"));
  std::int64_t id = 0;
  Status written = Write([&]() -> Status {
    KL_RETURN_IF_ERROR(RequireRow(PgSql::kOfficeExists, row.office_id, "office", "insert user"));
    PgParams params;
    params.Bytes(row.name).Int(row.office_id).Int(row.role).Bytes(row.password_hash);
    params.Bytes(row.totp_sealed).Int(row.totp_last_step).Int(row.failures);
    params.Int(row.last_failure_at).Bool(row.disabled).Int(row.created_at);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kInsertUser, params, "insert user"));
    if (result.rows() == 0) return AlreadyExistsError("insert user: the name is already used");
    PgRow inserted(result.get(), 0);
    id = inserted.Int(0);
    if (!inserted.ok()) return InternalError("insert user: unexpected answer from the server");
    return OkStatus();
  });
  if (!written.ok()) return written;
  return id;
}

Result<std::optional<UserRow>> PostgresStore::GetUser(std::int64_t id) {
  PgParams params;
  params.Int(id);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kGetUser, params, "read user"));
  return OptionalRow<UserRow>(result, ReadPgUser);
}

Result<std::optional<UserRow>> PostgresStore::FindUser(std::string_view name) {
  if (!StorableText(name)) return std::optional<UserRow>();  // as FindOffice
  PgParams params;
  params.Bytes(name);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kFindUser, params, "find user"));
  return OptionalRow<UserRow>(result, ReadPgUser);
}

Status PostgresStore::UpdateUser(const UserRow& row) {
  KL_RETURN_IF_ERROR(RequireText(row.password_hash, "password hash", "update user"));
  return Write([&]() -> Status {
    KL_RETURN_IF_ERROR(RequireRow(PgSql::kUserExists, row.id, "user", "update user"));
    KL_RETURN_IF_ERROR(RequireRow(PgSql::kOfficeExists, row.office_id, "office", "update user"));
    PgParams params;
    params.Int(row.id).Int(row.office_id).Int(row.role).Bytes(row.password_hash);
    params.Bytes(row.totp_sealed).Int(row.totp_last_step).Int(row.failures);
    params.Int(row.last_failure_at).Bool(row.disabled);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kUpdateUser, params, "update user"));
    if (result.affected() == 0) {
      return NotFoundError("update user: no user with id " + std::to_string(row.id));
    }
    return OkStatus();
  });
}

Status PostgresStore::ForEachUser(const std::function<Status(const UserRow&)>& fn) {
  return PageById(PgSql::kUserPage, "list users",
                  [&](const PGresult* page, int i) -> Result<std::int64_t> {
                    KL_ASSIGN_OR_RETURN(UserRow row, ReadPgUser(page, i));
                    KL_RETURN_IF_ERROR(fn(row));
                    return row.id;
                  });
}

Status PostgresStore::InsertSession(const SessionRow& row) {
  return Write([&]() -> Status {
    KL_RETURN_IF_ERROR(RequireRow(PgSql::kUserExists, row.user_id, "user", "insert session"));
    PgParams params;
    params.Bytes(row.id_hash).Int(row.user_id).Int(row.created_at).Int(row.last_seen_at);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kInsertSession, params, "insert session"));
    // The messages never quote the hash.
    if (result.affected() == 0) return AlreadyExistsError("insert session: the id is already used");
    return OkStatus();
  });
}

Result<std::optional<SessionRow>> PostgresStore::GetSession(std::string_view id_hash) {
  PgParams params;
  params.Bytes(id_hash);
  KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kGetSession, params, "read session"));
  return OptionalRow<SessionRow>(result, ReadPgSession);
}

Status PostgresStore::TouchSession(std::string_view id_hash, std::int64_t now) {
  return Write([&]() -> Status {
    PgParams params;
    params.Bytes(id_hash).Int(now);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kTouchSession, params, "touch session"));
    if (result.affected() == 0) return NotFoundError("touch session: no such session");
    return OkStatus();
  });
}

Status PostgresStore::DeleteSession(std::string_view id_hash) {
  return Write([&]() -> Status {
    PgParams params;
    params.Bytes(id_hash);
    return Run(PgSql::kDeleteSession, params, "delete session").status();
  });
}

Result<std::int64_t> PostgresStore::DeleteSessions(std::int64_t user_id, std::int64_t seen_before) {
  std::int64_t deleted = 0;
  KL_RETURN_IF_ERROR(Write([&]() -> Status {
    PgParams params;
    params.Int(user_id).Int(seen_before);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kDeleteSessions, params, "delete sessions"));
    deleted = result.affected();
    return OkStatus();
  }));
  return deleted;
}

}  // namespace kinlink::store::internal
