// Private to store: the registry schema (numbered migrations) and the SQL
// text of the statements every connection caches.
#ifndef KINLINK_STORE_INTERNAL_SQLITE_SCHEMA_H_
#define KINLINK_STORE_INTERNAL_SQLITE_SCHEMA_H_

#include <array>
#include <string_view>

#include "store/store.h"

namespace kinlink::store::internal {

inline constexpr std::string_view kMarkerKey = "kinlink_registry";
inline constexpr std::string_view kVersionKey = "schema_version";

// Numbered migrations, applied in order inside one transaction to bring a
// file from its stored schema version up to kSchemaVersion. Entries are never
// edited once released; a change is a new entry. `meta` itself is created
// before the first migration so that the version can always be read.
struct Migration {
  int version;
  const char* sql;
};
inline constexpr Migration kMigrations[] = {
    {1, R"sql(
CREATE TABLE records(
  id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  import_id INTEGER NOT NULL,
  source_token BLOB,
  status_token BLOB,
  wrapped_key BLOB,
  sealed BLOB NOT NULL);
CREATE UNIQUE INDEX records_source_token ON records(source_token);
CREATE INDEX records_kind_id ON records(kind, id);
CREATE INDEX records_created_at ON records(created_at);
CREATE TABLE imports(
  id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  accepted INTEGER NOT NULL,
  rejected INTEGER NOT NULL);
CREATE TABLE audit(
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  mac BLOB NOT NULL);
)sql"},
    {2, R"sql(
CREATE TABLE encodings(
  record_id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  blob BLOB NOT NULL);
CREATE TABLE blocking(
  token BLOB NOT NULL,
  record_id INTEGER NOT NULL,
  PRIMARY KEY(token, record_id)) WITHOUT ROWID;
CREATE INDEX blocking_record ON blocking(record_id);
CREATE TABLE matches(
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL,
  person_id INTEGER NOT NULL,
  probability REAL NOT NULL,
  weight REAL NOT NULL,
  explanation TEXT NOT NULL,
  status INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE(request_id, person_id));
CREATE INDEX matches_person ON matches(person_id);
CREATE INDEX matches_status ON matches(status, probability);
)sql"},
    {3, R"sql(
ALTER TABLE records ADD COLUMN office_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE records ADD COLUMN review_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX records_review_at ON records(review_at) WHERE review_at > 0;
ALTER TABLE matches ADD COLUMN proposed_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE matches ADD COLUMN decided_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE matches ADD COLUMN decided_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE matches ADD COLUMN reason TEXT NOT NULL DEFAULT '';
CREATE TABLE offices(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL);
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  office_id INTEGER NOT NULL REFERENCES offices(id),
  role INTEGER NOT NULL,
  password_hash TEXT NOT NULL,
  totp_sealed BLOB NOT NULL,
  totp_last_step INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  last_failure_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE sessions(
  id_hash BLOB PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL);
CREATE INDEX sessions_user ON sessions(user_id, last_seen_at);
CREATE TABLE disclosures(
  match_id INTEGER PRIMARY KEY,
  decision INTEGER NOT NULL,
  withhold INTEGER NOT NULL,
  sealed BLOB NOT NULL,
  wrapped_key BLOB NOT NULL,
  decided_by INTEGER NOT NULL,
  decided_at INTEGER NOT NULL);
CREATE TABLE cases(
  request_id INTEGER PRIMARY KEY,
  state INTEGER NOT NULL,
  updated_by INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
)sql"},
    // Partner matches (schema 4): a match may have one side held by a
    // partner organisation (id 0), named by the pair's reference. SQLite
    // cannot drop the table's UNIQUE(request_id, person_id), so the table
    // is rebuilt with the pair unique only among matches inside the
    // registry, and the partner reference unique among the others.
    {4, R"sql(
CREATE TABLE matches_v4(
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL,
  person_id INTEGER NOT NULL,
  probability REAL NOT NULL,
  weight REAL NOT NULL,
  explanation TEXT NOT NULL,
  status INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  proposed_by INTEGER NOT NULL DEFAULT 0,
  decided_by INTEGER NOT NULL DEFAULT 0,
  decided_at INTEGER NOT NULL DEFAULT 0,
  reason TEXT NOT NULL DEFAULT '',
  partner TEXT NOT NULL DEFAULT '',
  partner_ref TEXT NOT NULL DEFAULT '');
INSERT INTO matches_v4(id, request_id, person_id, probability, weight, explanation, status,
  created_at, proposed_by, decided_by, decided_at, reason)
  SELECT id, request_id, person_id, probability, weight, explanation, status, created_at,
  proposed_by, decided_by, decided_at, reason FROM matches;
DROP TABLE matches;
ALTER TABLE matches_v4 RENAME TO matches;
CREATE UNIQUE INDEX matches_pair ON matches(request_id, person_id) WHERE partner_ref = '';
CREATE UNIQUE INDEX matches_partner_ref ON matches(partner_ref) WHERE partner_ref <> '';
CREATE INDEX matches_request ON matches(request_id);
CREATE INDEX matches_person ON matches(person_id);
CREATE INDEX matches_status ON matches(status, probability);
CREATE TABLE hub_refs(
  record_id INTEGER PRIMARY KEY,
  ref BLOB NOT NULL UNIQUE,
  batch INTEGER NOT NULL);
CREATE INDEX hub_refs_batch ON hub_refs(batch, record_id);
)sql"},
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion,
              "one migration per schema version");

inline constexpr const char* kRecordColumns =
    "id, kind, version, created_at, updated_at, import_id, source_token, status_token, "
    "wrapped_key, sealed, office_id, review_at";

inline constexpr const char* kMatchColumns =
    "id, request_id, person_id, probability, weight, explanation, status, created_at, "
    "proposed_by, decided_by, decided_at, reason, partner, partner_ref";

// The statements every connection prepares once (on first use) and reuses.
enum class Sql : int {
  kBegin,
  kCommit,
  kRollback,
  kGetMeta,
  kSetMeta,
  kInsertRecord,
  kGetRecord,
  kFindBySourceToken,
  kUpdateRecord,
  kRecordState,
  kSetWrappedKey,
  kShredRecord,
  kInsertImport,
  kFinishImport,
  kLastAuditSeq,
  kInsertAudit,
  kLastAudit,
  kForEachAudit,
  kPutEncoding,
  kGetEncoding,
  kAddBlockingToken,
  kFindByBlockingToken,
  kCountByBlockingToken,
  kPutMatch,
  kPutPartnerMatch,
  kSetMatchStatus,
  kShredEncoding,
  kShredBlocking,
  kShredDisclosures,
  kShredCase,
  kShredMatches,
  kShredHubRef,
  kPutHubRef,
  kFindHubRef,
  kHubRefsOfBatch,
  kCount,  // not a statement
};

inline constexpr std::array<const char*, static_cast<int>(Sql::kCount)> kSqlText = {
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT value FROM meta WHERE key = ?1",
    "INSERT INTO meta(key, value) VALUES(?1, ?2) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    "INSERT INTO records(id, kind, version, created_at, updated_at, import_id, source_token, "
    "status_token, wrapped_key, sealed, office_id, review_at) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    "SELECT id, kind, version, created_at, updated_at, import_id, source_token, status_token, "
    "wrapped_key, sealed, office_id, review_at FROM records WHERE id = ?1",
    "SELECT id FROM records WHERE source_token = ?1 ORDER BY id",
    "UPDATE records SET sealed = ?3, version = ?4, updated_at = ?5, status_token = ?6 "
    "WHERE id = ?1 AND version = ?2 AND wrapped_key IS NOT NULL",
    "SELECT version, wrapped_key IS NULL FROM records WHERE id = ?1",
    "UPDATE records SET wrapped_key = ?2 WHERE id = ?1 AND wrapped_key IS NOT NULL",
    "UPDATE records SET wrapped_key = NULL, sealed = zeroblob(0), source_token = NULL, "
    "status_token = NULL, version = version + 1 WHERE id = ?1",
    "INSERT INTO imports(started_at, finished_at, kind, accepted, rejected) "
    "VALUES(?1, ?2, ?3, ?4, ?5)",
    "UPDATE imports SET finished_at = ?2, accepted = ?3, rejected = ?4 WHERE id = ?1",
    "SELECT max(seq) FROM audit",
    "INSERT INTO audit(seq, time, actor, action, target, detail, mac) "
    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    "SELECT seq, time, actor, action, target, detail, mac FROM audit "
    "ORDER BY seq DESC LIMIT 1",
    "SELECT seq, time, actor, action, target, detail, mac FROM audit ORDER BY seq",
    "INSERT INTO encodings(record_id, kind, blob) VALUES(?1, ?2, ?3) "
    "ON CONFLICT(record_id) DO UPDATE SET kind = excluded.kind, blob = excluded.blob",
    "SELECT record_id, kind, blob FROM encodings WHERE record_id = ?1",
    "INSERT OR IGNORE INTO blocking(token, record_id) VALUES(?1, ?2)",
    "SELECT record_id FROM blocking WHERE token = ?1 ORDER BY record_id LIMIT ?2",
    "SELECT count(*) FROM blocking WHERE token = ?1",
    "INSERT INTO matches(request_id, person_id, probability, weight, explanation, status, "
    "created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT(request_id, person_id) WHERE partner_ref = '' DO UPDATE SET "
    "probability = excluded.probability, weight = excluded.weight, "
    "explanation = excluded.explanation RETURNING id",
    "INSERT INTO matches(request_id, person_id, probability, weight, explanation, status, "
    "created_at, partner, partner_ref) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
    "ON CONFLICT(partner_ref) WHERE partner_ref <> '' DO UPDATE SET "
    "probability = excluded.probability, weight = excluded.weight, "
    "explanation = excluded.explanation RETURNING id",
    "UPDATE matches SET status = ?2 WHERE id = ?1",
    "DELETE FROM encodings WHERE record_id = ?1",
    "DELETE FROM blocking WHERE record_id = ?1",
    "DELETE FROM disclosures WHERE match_id IN "
    "(SELECT id FROM matches WHERE request_id = ?1 OR person_id = ?1)",
    "DELETE FROM cases WHERE request_id = ?1",
    "DELETE FROM matches WHERE request_id = ?1 OR person_id = ?1",
    "DELETE FROM hub_refs WHERE record_id = ?1",
    "INSERT INTO hub_refs(record_id, ref, batch) VALUES(?1, ?2, ?3)",
    "SELECT record_id, ref, batch FROM hub_refs WHERE ref = ?1",
    "SELECT record_id, ref, batch FROM hub_refs WHERE batch = ?1 ORDER BY record_id",
};

}  // namespace kinlink::store::internal

#endif  // KINLINK_STORE_INTERNAL_SQLITE_SCHEMA_H_
