// The PostgreSQL backend, part two: per-record encodings, blocking tokens and
// potential matches (schema v2).
#include <libpq-fe.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "store/internal/pg_store_impl.h"

namespace kinlink::store::internal {

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

Result<std::int64_t> PostgresStore::PutMatch(const MatchRow& row) {
  if (row.request_id <= 0 || row.person_id <= 0) {
    return InvalidArgumentError("write match: the record ids must be positive");
  }
  std::int64_t id = 0;
  KL_RETURN_IF_ERROR(Write([&]() -> Status {
    PgParams params;
    params.Int(row.request_id).Int(row.person_id).Float(row.probability).Float(row.weight);
    params.Bytes(row.explanation).Int(static_cast<int>(row.status)).Int(row.created_at);
    KL_ASSIGN_OR_RETURN(PgResult result, Run(PgSql::kPutMatch, params, "write match"));
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
  if (static_cast<std::uint8_t>(status) > static_cast<std::uint8_t>(MatchStatus::kRejected)) {
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
Status PostgresStore::ForEachMatch(std::optional<MatchStatus> status,
                                   const std::function<Status(const MatchRow&)>& fn) {
  // $1: page size; $2: the status when filtered; then the resume point.
  std::string base = std::string("SELECT ") + kPgMatchColumns + " FROM matches WHERE TRUE";
  int next = 2;
  if (status) base += " AND status = $" + std::to_string(next++) + "::bigint";
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
    if (status) params.Int(static_cast<int>(*status));
    if (!first) params.Float(after_probability).Int(after_id);
    KL_ASSIGN_OR_RETURN(PgResult page,
                        RunText(first ? first_sql : next_sql, params, "list matches"));
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

}  // namespace kinlink::store::internal
