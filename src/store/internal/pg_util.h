// Private to store: the libpq helpers PostgresStore is built from: owning
// handles, statement parameters in binary form, reading binary result rows,
// SQLSTATE to Status mapping, and the WHERE clause of a RecordFilter.
//
// Thread-safety: none of these types is thread-safe; each belongs to the one
// connection it is used with.
#ifndef KINLINK_STORE_INTERNAL_PG_UTIL_H_
#define KINLINK_STORE_INTERNAL_PG_UTIL_H_

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/status.h"
#include "store/store.h"

namespace kinlink::store::internal {

// Closes a connection (the server rolls back a transaction left open).
struct PgConnCloser {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConn = std::unique_ptr<PGconn, PgConnCloser>;

// Owns one PGresult. Movable, not copyable.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* result) : result_(result) {}
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  PgResult(PgResult&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  PgResult& operator=(PgResult&& other) noexcept {
    if (this != &other) {
      PQclear(result_);
      result_ = std::exchange(other.result_, nullptr);
    }
    return *this;
  }
  ~PgResult() { PQclear(result_); }

  const PGresult* get() const { return result_; }
  int rows() const { return result_ == nullptr ? 0 : PQntuples(result_); }
  // Rows an INSERT, UPDATE or DELETE changed (or returned); 0 when unknown.
  std::int64_t affected() const;
  // The command tag ("COMMIT", "ROLLBACK", "UPDATE 1", ...); "" when none.
  std::string_view command() const {
    return result_ == nullptr ? std::string_view() : std::string_view(PQcmdStatus(result_));
  }

 private:
  PGresult* result_ = nullptr;
};

// Maps a failed command to a Status naming the operation. The message holds
// the SQLSTATE, a generic description and the constraint's name, never the
// server's message text (which can quote a value, e.g. in DETAIL).
Status PgError(const PGconn* conn, const PGresult* result, std::string_view operation);
// The SQLSTATE of a failed command ("" when there is none).
std::string_view PgSqlState(const PGresult* result);

// The parameters of one statement, all sent in binary format, in order
// ($1, $2, ...). Byte values (bytea, text) are referenced, not copied: they
// must live until the statement has run. Numbers are copied.
class PgParams {
 public:
  PgParams() = default;
  PgParams(const PgParams&) = delete;
  PgParams& operator=(const PgParams&) = delete;

  // A bigint ($n::bigint).
  PgParams& Int(std::int64_t value);
  // A double precision ($n::float8).
  PgParams& Float(double value);
  // A boolean ($n::boolean).
  PgParams& Bool(bool value);
  // A bytea or text value; an empty value is empty, not NULL.
  PgParams& Bytes(std::string_view bytes);
  // Bytes, or NULL when empty (tokens: "" = none).
  PgParams& BytesOrNull(std::string_view bytes);
  PgParams& Null();
  // A bytea[] ($n::bytea[]) holding `items`; copied.
  PgParams& ByteaArray(std::span<const std::string> items);

  // False when a value is too large for the protocol (over 1 GiB, the most a
  // PostgreSQL field holds).
  bool ok() const { return ok_; }
  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  PgParams& Add(const char* data, std::size_t size);
  PgParams& AddOwned(std::string bytes);

  std::deque<std::string> owned_;  // a deque: growing it moves no element
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  bool ok_ = true;
};

// Reads one row of a result fetched in binary format. A value of an
// unexpected size marks the reader bad (ok() false) and reads as 0 or "".
class PgRow {
 public:
  PgRow(const PGresult* result, int row) : result_(result), row_(row) {}

  bool IsNull(int column) const { return PQgetisnull(result_, row_, column) != 0; }
  // smallint, integer or bigint.
  std::int64_t Int(int column);
  double Float(int column);
  bool Bool(int column);
  // bytea or text; "" for NULL.
  std::string Bytes(int column) const;
  bool ok() const { return ok_; }

 private:
  const PGresult* result_;
  int row_;
  bool ok_ = true;
};

// Reads a row selecting kPgRecordColumns, in order. DATA_LOSS when a value is
// malformed or the stored kind is out of range.
Result<RecordRow> ReadPgRecord(const PGresult* result, int row);
// Reads a row selecting seq, time, actor, action, target, detail, mac.
Result<AuditRow> ReadPgAudit(const PGresult* result, int row);
// Reads a row selecting kPgMatchColumns, in order.
Result<MatchRow> ReadPgMatch(const PGresult* result, int row);
// Read rows selecting kPgOfficeColumns, kPgUserColumns, kPgSessionColumns,
// kPgDisclosureColumns and kPgCaseColumns, in order. DATA_LOSS when a value
// is malformed or out of its field's range.
Result<OfficeRow> ReadPgOffice(const PGresult* result, int row);
Result<UserRow> ReadPgUser(const PGresult* result, int row);
Result<SessionRow> ReadPgSession(const PGresult* result, int row);
Result<DisclosureRow> ReadPgDisclosure(const PGresult* result, int row);
Result<CaseRow> ReadPgCase(const PGresult* result, int row);

// The conditions of a RecordFilter (" AND ..."), with parameters numbered
// from `first_param`; the same text for the same set of present fields, so
// that the statement can be prepared once.
std::string PgFilterSql(const RecordFilter& filter, int first_param);
// Appends the filter's values for a statement built with PgFilterSql.
void BindPgFilter(const RecordFilter& filter, PgParams& params);

}  // namespace kinlink::store::internal

#endif  // KINLINK_STORE_INTERNAL_PG_UTIL_H_
