#include "store/internal/pg_util.h"

#include <libpq-fe.h>

#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

namespace kinlink::store::internal {
namespace {

// The most one PostgreSQL field holds.
constexpr std::size_t kMaxFieldBytes = std::size_t{1} << 30;
// pg_type oid of bytea, the element type of a bytea[] parameter.
constexpr std::uint32_t kByteaOid = 17;

void PutBe32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

std::string Be64(std::uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (56 - 8 * i)) & 0xff);
  return out;
}

std::uint64_t GetBe(const char* data, int size) {
  std::uint64_t value = 0;
  for (int i = 0; i < size; ++i) value = (value << 8) | static_cast<unsigned char>(data[i]);
  return value;
}

// A description of an SQLSTATE for messages; generic on purpose.
std::string_view Describe(std::string_view state) {
  if (state == "23505") return "a unique value is already used";
  if (state == "40001") return "the transaction could not be serialised; retry";
  if (state == "40P01") return "deadlock; retry";
  if (state == "25P02") return "the transaction was aborted by an earlier error; roll it back";
  if (state == "25006") return "the transaction is read-only";
  if (state == "55P03") return "a lock could not be acquired in time";
  if (state == "57014") return "the statement was cancelled (a timeout)";
  if (state == "42501") return "permission denied";
  if (state == "42P01") return "a registry table is missing";
  if (state == "42703") return "a registry column is missing";
  if (state == "42P07") return "a table of that name already exists";
  if (state.starts_with("08")) return "the connection to the server failed";
  if (state.starts_with("22")) return "the server rejected a value (e.g. invalid UTF-8 in text)";
  if (state.starts_with("28")) return "the server refused the credentials";
  if (state.starts_with("53")) return "the server is out of resources";
  if (state.starts_with("57P")) return "the server is shutting down or unavailable";
  if (state.starts_with("XX")) return "the server reported an internal error or corruption";
  return "the server reported an error";
}

}  // namespace

std::int64_t PgResult::affected() const {
  if (result_ == nullptr) return 0;
  const char* text = PQcmdTuples(result_);
  std::int64_t count = 0;
  std::from_chars(text, text + std::strlen(text), count);
  return count;
}

std::string_view PgSqlState(const PGresult* result) {
  if (result == nullptr) return {};
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  return state == nullptr ? std::string_view() : std::string_view(state);
}

Status PgError(const PGconn* conn, const PGresult* result, std::string_view operation) {
  std::string message(operation);
  std::string_view state = PgSqlState(result);
  if (state.empty()) {
    // No SQLSTATE: the client failed before or without the server answering.
    if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
      return UnavailableError(message + ": the connection to the PostgreSQL server was lost");
    }
    if (result == nullptr) return ResourceExhaustedError(message + ": out of memory");
    return InternalError(message + ": the PostgreSQL client library failed");
  }
  message += ": ";
  message += Describe(state);
  message += " (SQLSTATE ";
  message += state;
  // Constraint names are the schema's own identifiers, never values.
  if (const char* constraint = PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME)) {
    message += ", constraint ";
    message += constraint;
  }
  message += ")";

  if (state == "23505" || state == "42P07") return AlreadyExistsError(message);
  if (state == "40001" || state == "40P01" || state == "25P02") return AbortedError(message);
  if (state == "55P03" || state == "57014") {
    return UnavailableError(message + " (another process is using the registry)");
  }
  if (state == "42501" || state == "25006" || state.starts_with("28")) {
    return PermissionDeniedError(message);
  }
  if (state == "42P01" || state == "42703" || state.starts_with("XX")) {
    return DataLossError(message);
  }
  if (state.starts_with("08") || state.starts_with("57P") || state == "53300") {
    return UnavailableError(message);
  }
  if (state.starts_with("53")) return ResourceExhaustedError(message);
  if (state.starts_with("22")) return InvalidArgumentError(message);
  return InternalError(message);
}

PgParams& PgParams::Add(const char* data, std::size_t size) {
  if (size > kMaxFieldBytes) {
    ok_ = false;
    size = 0;
  }
  values_.push_back(data);
  lengths_.push_back(static_cast<int>(size));
  formats_.push_back(1);  // binary
  return *this;
}

PgParams& PgParams::AddOwned(std::string bytes) {
  owned_.push_back(std::move(bytes));
  return Add(owned_.back().data(), owned_.back().size());
}

PgParams& PgParams::Int(std::int64_t value) {
  return AddOwned(Be64(static_cast<std::uint64_t>(value)));
}

PgParams& PgParams::Float(double value) {
  return AddOwned(Be64(std::bit_cast<std::uint64_t>(value)));
}

PgParams& PgParams::Bool(bool value) { return AddOwned(std::string(1, value ? '\1' : '\0')); }

PgParams& PgParams::Bytes(std::string_view bytes) {
  // A null pointer would mean SQL NULL: an empty value points at "".
  return Add(bytes.empty() ? "" : bytes.data(), bytes.size());
}

PgParams& PgParams::BytesOrNull(std::string_view bytes) {
  return bytes.empty() ? Null() : Bytes(bytes);
}

PgParams& PgParams::Null() {
  values_.push_back(nullptr);
  lengths_.push_back(0);
  formats_.push_back(1);
  return *this;
}

// The binary form of a one-dimensional array: dimensions, has-nulls flag,
// element type, then (size, lower bound) per dimension, then each element as
// a 32-bit length and its bytes.
PgParams& PgParams::ByteaArray(std::span<const std::string> items) {
  std::size_t total = 20;
  for (const std::string& item : items) total += 4 + item.size();
  if (total > kMaxFieldBytes) {
    ok_ = false;
    return AddOwned(std::string());
  }
  std::string out;
  out.reserve(total);
  PutBe32(out, 1);
  PutBe32(out, 0);
  PutBe32(out, kByteaOid);
  PutBe32(out, static_cast<std::uint32_t>(items.size()));
  PutBe32(out, 1);
  for (const std::string& item : items) {
    PutBe32(out, static_cast<std::uint32_t>(item.size()));
    out.append(item);
  }
  return AddOwned(std::move(out));
}

std::int64_t PgRow::Int(int column) {
  if (IsNull(column)) {
    ok_ = false;
    return 0;
  }
  const char* data = PQgetvalue(result_, row_, column);
  switch (PQgetlength(result_, row_, column)) {
    case 2:
      return static_cast<std::int16_t>(GetBe(data, 2));
    case 4:
      return static_cast<std::int32_t>(GetBe(data, 4));
    case 8:
      return static_cast<std::int64_t>(GetBe(data, 8));
    default:
      ok_ = false;
      return 0;
  }
}

double PgRow::Float(int column) {
  if (IsNull(column) || PQgetlength(result_, row_, column) != 8) {
    ok_ = false;
    return 0;
  }
  return std::bit_cast<double>(GetBe(PQgetvalue(result_, row_, column), 8));
}

bool PgRow::Bool(int column) {
  if (IsNull(column) || PQgetlength(result_, row_, column) != 1) {
    ok_ = false;
    return false;
  }
  return PQgetvalue(result_, row_, column)[0] != 0;
}

std::string PgRow::Bytes(int column) const {
  if (IsNull(column)) return std::string();
  return std::string(PQgetvalue(result_, row_, column),
                     static_cast<std::size_t>(PQgetlength(result_, row_, column)));
}

Result<RecordRow> ReadPgRecord(const PGresult* result, int row_index) {
  PgRow row(result, row_index);
  RecordRow out;
  out.id = row.Int(0);
  std::int64_t kind = row.Int(1);
  out.version = row.Int(2);
  out.created_at = row.Int(3);
  out.updated_at = row.Int(4);
  out.import_id = row.Int(5);
  out.source_token = row.Bytes(6);
  out.status_token = row.Bytes(7);
  if (row.IsNull(8)) {
    out.wrapped_key = std::nullopt;
  } else {
    out.wrapped_key = row.Bytes(8);
  }
  out.sealed = row.Bytes(9);
  out.office_id = row.Int(10);
  out.review_at = row.Int(11);
  if (!row.ok()) return DataLossError("read record: a stored value is malformed");
  if (kind < 0 || kind > std::numeric_limits<std::uint8_t>::max()) {
    return DataLossError("read record: stored kind is out of range");
  }
  out.kind = static_cast<std::uint8_t>(kind);
  return out;
}

Result<AuditRow> ReadPgAudit(const PGresult* result, int row_index) {
  PgRow row(result, row_index);
  AuditRow out;
  out.seq = row.Int(0);
  out.time = row.Int(1);
  out.actor = row.Bytes(2);
  out.action = row.Bytes(3);
  out.target = row.Bytes(4);
  out.detail = row.Bytes(5);
  out.mac = row.Bytes(6);
  if (!row.ok()) return DataLossError("read audit: a stored value is malformed");
  return out;
}

Result<MatchRow> ReadPgMatch(const PGresult* result, int row_index) {
  PgRow row(result, row_index);
  MatchRow out;
  out.id = row.Int(0);
  out.request_id = row.Int(1);
  out.person_id = row.Int(2);
  out.probability = row.Float(3);
  out.weight = row.Float(4);
  out.explanation = row.Bytes(5);
  std::int64_t status = row.Int(6);
  out.created_at = row.Int(7);
  out.proposed_by = row.Int(8);
  out.decided_by = row.Int(9);
  out.decided_at = row.Int(10);
  out.reason = row.Bytes(11);
  out.partner = row.Bytes(12);
  out.partner_ref = row.Bytes(13);
  if (!row.ok()) return DataLossError("read match: a stored value is malformed");
  if (status < 0 || status > kMaxMatchStatus) {
    return DataLossError("read match: match " + std::to_string(out.id) + " has an unknown status");
  }
  out.status = static_cast<MatchStatus>(status);
  return out;
}

namespace {

// A stored small number (role, decision, state) that must fit its uint8 field.
bool ToByte(std::int64_t value, std::uint8_t& out) {
  if (value < 0 || value > std::numeric_limits<std::uint8_t>::max()) return false;
  out = static_cast<std::uint8_t>(value);
  return true;
}

}  // namespace

Result<OfficeRow> ReadPgOffice(const PGresult* result, int row_index) {
  PgRow row(result, row_index);
  OfficeRow out;
  out.id = row.Int(0);
  out.name = row.Bytes(1);
  out.created_at = row.Int(2);
  if (!row.ok()) return DataLossError("read office: a stored value is malformed");
  return out;
}

Result<UserRow> ReadPgUser(const PGresult* result, int row_index) {
  PgRow row(result, row_index);
  UserRow out;
  out.id = row.Int(0);
  out.name = row.Bytes(1);
  out.office_id = row.Int(2);
  std::int64_t role = row.Int(3);
  out.password_hash = row.Bytes(4);
  out.totp_sealed = row.Bytes(5);
  out.totp_last_step = row.Int(6);
  out.failures = row.Int(7);
  out.last_failure_at = row.Int(8);
  out.disabled = row.Bool(9);
  out.created_at = row.Int(10);
  if (!row.ok() || !ToByte(role, out.role)) {
    return DataLossError("read user: a stored value is malformed");
  }
  return out;
}

Result<SessionRow> ReadPgSession(const PGresult* result, int row_index) {
  PgRow row(result, row_index);
  SessionRow out;
  out.id_hash = row.Bytes(0);
  out.user_id = row.Int(1);
  out.created_at = row.Int(2);
  out.last_seen_at = row.Int(3);
  if (!row.ok()) return DataLossError("read session: a stored value is malformed");
  return out;
}

Result<DisclosureRow> ReadPgDisclosure(const PGresult* result, int row_index) {
  PgRow row(result, row_index);
  DisclosureRow out;
  out.match_id = row.Int(0);
  std::int64_t decision = row.Int(1);
  std::int64_t withhold = row.Int(2);
  out.sealed = row.Bytes(3);
  out.wrapped_key = row.Bytes(4);
  out.decided_by = row.Int(5);
  out.decided_at = row.Int(6);
  if (!row.ok() || !ToByte(decision, out.decision) || withhold < 0 ||
      withhold > std::numeric_limits<std::uint32_t>::max()) {
    return DataLossError("read disclosure: a stored value is malformed");
  }
  out.withhold = static_cast<std::uint32_t>(withhold);
  return out;
}

Result<CaseRow> ReadPgCase(const PGresult* result, int row_index) {
  PgRow row(result, row_index);
  CaseRow out;
  out.request_id = row.Int(0);
  std::int64_t state = row.Int(1);
  out.updated_by = row.Int(2);
  out.updated_at = row.Int(3);
  if (!row.ok() || !ToByte(state, out.state)) {
    return DataLossError("read case: a stored value is malformed");
  }
  return out;
}

// PostgreSQL needs every parameter it is given to appear in the text (to
// know its type), so the numbers follow the fields that are present.
std::string PgFilterSql(const RecordFilter& filter, int first_param) {
  std::string sql;
  int next = first_param;
  auto param = [&next](const char* type) { return "$" + std::to_string(next++) + "::" + type; };
  if (filter.kind.has_value()) sql += " AND kind = " + param("bigint");
  if (filter.status_token.has_value()) {
    sql += filter.status_token->empty() ? " AND status_token IS NULL"
                                        : " AND status_token = " + param("bytea");
  }
  if (filter.created_from.has_value()) sql += " AND created_at >= " + param("bigint");
  if (filter.created_to.has_value()) sql += " AND created_at <= " + param("bigint");
  // "review_at > 0" as written lets the partial index records_review_at serve.
  if (filter.review_due_by.has_value()) {
    sql += " AND review_at > 0 AND review_at <= " + param("bigint");
  }
  if (filter.office_id.has_value()) sql += " AND office_id = " + param("bigint");
  if (!filter.include_shredded) sql += " AND wrapped_key IS NOT NULL";
  return sql;
}

void BindPgFilter(const RecordFilter& filter, PgParams& params) {
  if (filter.kind.has_value()) params.Int(*filter.kind);
  if (filter.status_token.has_value() && !filter.status_token->empty()) {
    params.Bytes(*filter.status_token);
  }
  if (filter.created_from.has_value()) params.Int(*filter.created_from);
  if (filter.created_to.has_value()) params.Int(*filter.created_to);
  if (filter.review_due_by.has_value()) params.Int(*filter.review_due_by);
  if (filter.office_id.has_value()) params.Int(*filter.office_id);
}

}  // namespace kinlink::store::internal
