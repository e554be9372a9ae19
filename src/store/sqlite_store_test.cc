#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "store/internal/sqlite_schema.h"
#include "store/internal/temp_dir.h"
#include "store/store_suite.h"

namespace kinlink::store {
namespace {

using internal::TempDir;

// One directory for every store the shared suite makes in this process.
const std::string& SuiteDir() {
  static TempDir dir;  // removed at exit, after every test closed its store
  return dir.path();
}

Result<std::unique_ptr<Store>> MakeSqliteStore() {
  static std::atomic<int> counter{0};
  return OpenSqliteStore(SuiteDir() + "/suite-" + std::to_string(counter++) + ".db",
                         OpenMode::kCreate);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite, ::testing::Values(StoreFactory(MakeSqliteStore)),
                         [](const auto&) { return std::string("Sqlite"); });

// Runs SQL on a registry file directly, bypassing the store (to build odd
// files and to tamper).
void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
            SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

std::string QueryText(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::string out = "<error>";
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      out = text != nullptr ? reinterpret_cast<const char*>(text) : "<null>";
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return out;
}

std::string RandomBytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

RecordRow SampleRow(const std::string& source_token) {
  RecordRow row;
  row.kind = 1;
  row.created_at = 1700000000;
  row.updated_at = 1700000000;
  row.source_token = source_token;
  row.wrapped_key = std::string(72, 'k');
  row.sealed = std::string(300, 's');
  return row;
}

TEST(SqliteStoreTest, CreateRefusesAnExistingFile) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  { std::ofstream(path) << "x"; }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kCreate);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadFile(path), "x");  // untouched
}

TEST(SqliteStoreTest, CreateRefusesALeftoverLog) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  { std::ofstream(path + "-wal") << "old log"; }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kCreate);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kAlreadyExists);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SqliteStoreTest, ExistingModeNeedsTheFile) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(path));  // not created by accident

  Result<std::unique_ptr<Store>> in_missing_dir =
      OpenSqliteStore(dir.path() + "/no/such/dir/registry.db", OpenMode::kCreate);
  ASSERT_FALSE(in_missing_dir.ok());
  EXPECT_EQ(in_missing_dir.status().code(), StatusCode::kNotFound);

  Result<std::unique_ptr<Store>> directory = OpenSqliteStore(dir.path(), OpenMode::kExisting);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().code(), StatusCode::kInvalidArgument);

  EXPECT_EQ(OpenSqliteStore("", OpenMode::kCreate).status().code(), StatusCode::kInvalidArgument);
}

TEST(SqliteStoreTest, FilesAreOwnerOnlyWhateverTheUmask) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  mode_t old_umask = ::umask(0);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kCreate);
  ::umask(old_umask);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->InsertRecord(SampleRow("t")).ok());
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat st;
    ASSERT_EQ(::stat((path + suffix).c_str(), &st), 0) << suffix;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << suffix;
  }
}

TEST(SqliteStoreTest, ReopenKeepsDataAndSchema) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  std::int64_t id = 0;
  {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kCreate);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    Result<std::int64_t> inserted = (*store)->InsertRecord(SampleRow("persist"));
    ASSERT_TRUE(inserted.ok());
    id = *inserted;
    ASSERT_TRUE((*store)->SetMeta("setting", "value").ok());
  }
  EXPECT_EQ(QueryText(path, "SELECT value FROM meta WHERE key='schema_version'"), std::to_string(kSchemaVersion));
  EXPECT_EQ(QueryText(path, "SELECT value FROM meta WHERE key='kinlink_registry'"), "1");
  EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "wal");

  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<RecordRow> row = (*store)->GetRecord(id);
  ASSERT_TRUE(row.ok());
  EXPECT_EQ(row->source_token, "persist");
  EXPECT_EQ(row->sealed, std::string(300, 's'));
  EXPECT_EQ(**(*store)->GetMeta("setting"), "value");
  EXPECT_EQ(**(*store)->GetMeta("schema_version"), std::to_string(kSchemaVersion));
}

TEST(SqliteStoreTest, RejectsFilesThatAreNotRegistries) {
  TempDir dir;
  std::string garbage = dir.path() + "/garbage.db";
  { std::ofstream(garbage, std::ios::binary) << RandomBytes(8192, 1); }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(garbage, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);

  std::string other = dir.path() + "/other.db";
  ExecSql(other, "CREATE TABLE people(name TEXT)");
  store = OpenSqliteStore(other, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(store.status().message().find("not a Kinlink registry"), std::string::npos);

  std::string empty = dir.path() + "/empty.db";
  { std::ofstream touch(empty); }
  store = OpenSqliteStore(empty, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
  // Refused files are left as they were.
  EXPECT_EQ(std::filesystem::file_size(empty), 0u);
  EXPECT_EQ(QueryText(other, "PRAGMA journal_mode"), "delete");
  EXPECT_FALSE(std::filesystem::exists(other + "-wal"));

  std::string no_marker = dir.path() + "/no_marker.db";
  ExecSql(no_marker,
          "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
          "INSERT INTO meta VALUES('schema_version', '1')");
  store = OpenSqliteStore(no_marker, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
}

TEST(SqliteStoreTest, RefusesANewerSchema) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  ASSERT_TRUE(OpenSqliteStore(path, OpenMode::kCreate).ok());
  ExecSql(path, "UPDATE meta SET value = '7' WHERE key = 'schema_version'");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.status().message(),
            "registry schema version 7 is newer than this kinlink (4); upgrade kinlink");
  // Refusing did not touch the file.
  EXPECT_EQ(QueryText(path, "SELECT value FROM meta WHERE key='schema_version'"), "7");
}

TEST(SqliteStoreTest, RejectsAMalformedSchemaVersion) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  ASSERT_TRUE(OpenSqliteStore(path, OpenMode::kCreate).ok());
  ExecSql(path, "UPDATE meta SET value = '1x' WHERE key = 'schema_version'");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss);
}

TEST(SqliteStoreTest, MigratesAnOlderFile) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  // A registry as version 0 left it: only the meta table.
  ExecSql(path,
          "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
          "INSERT INTO meta VALUES('kinlink_registry', '1');"
          "INSERT INTO meta VALUES('schema_version', '0');");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(**(*store)->GetMeta("schema_version"), std::to_string(kSchemaVersion));
  Result<std::int64_t> id = (*store)->InsertRecord(SampleRow("after-migration"));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  ASSERT_TRUE((*store)->AppendAudit({1, 5, "a", "b", "c", "d", "mac"}).ok());
  store->reset();  // close
  EXPECT_EQ(QueryText(path,
                      "SELECT count(*) FROM sqlite_schema WHERE type='index' AND "
                      "name LIKE 'records_%'"),
            "4");
}

TEST(SqliteStoreTest, MigratesAVersionOneRegistry) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  // A registry as schema version 1 left it, with one record in it.
  ExecSql(path, std::string("CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
                            "INSERT INTO meta VALUES('kinlink_registry', '1');"
                            "INSERT INTO meta VALUES('schema_version', '1');") +
                    internal::kMigrations[0].sql +
                    "INSERT INTO records VALUES(5, 1, 1, 10, 10, 0, x'0102', NULL, x'aa', "
                    "x'bb');");
  ASSERT_EQ(QueryText(path, "SELECT count(*) FROM sqlite_schema WHERE name = 'encodings'"), "0");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(**(*store)->GetMeta("schema_version"), std::to_string(kSchemaVersion));
  Result<RecordRow> old = (*store)->GetRecord(5);
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->sealed, "\xbb");
  EXPECT_EQ(old->office_id, 0);  // schema 3 defaults
  EXPECT_EQ(old->review_at, 0);
  ASSERT_TRUE((*store)->PutEncoding(5, 1, "enc").ok());
  const std::vector<std::string> tokens = {"tok"};
  ASSERT_TRUE((*store)->AddBlockingTokens(5, tokens).ok());
  EXPECT_EQ(*(*store)->FindByBlockingToken("tok", 10), (std::vector<std::int64_t>{5}));
  MatchRow match;
  match.request_id = 5;
  match.person_id = 6;
  ASSERT_TRUE((*store)->PutMatch(match).ok());
  store->reset();
  // Reopening a migrated file changes nothing.
  store = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*(*store)->GetEncoding(5))->blob, "enc");
}

TEST(SqliteStoreTest, MigratesAVersionThreeRegistryKeepingItsReviewedMatches) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  std::string sql =
      "CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL);"
      "INSERT INTO meta VALUES('kinlink_registry', '1');"
      "INSERT INTO meta VALUES('schema_version', '3');";
  for (int v = 0; v < 3; ++v) sql += internal::kMigrations[v].sql;
  sql +=
      "INSERT INTO records(id, kind, version, created_at, updated_at, import_id, sealed) "
      "VALUES(5, 1, 1, 10, 10, 0, x'bb'), (6, 2, 1, 10, 10, 0, x'cc');"
      "INSERT INTO matches(id, request_id, person_id, probability, weight, explanation, status, "
      "created_at, proposed_by, decided_by, decided_at, reason) "
      "VALUES(9, 5, 6, 0.9, 8.5, '{}', 2, 20, 3, 4, 30, 'different_person');";
  ExecSql(path, sql);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<std::optional<MatchRow>> old = (*store)->GetMatch(9);
  ASSERT_TRUE(old.ok() && old->has_value());
  EXPECT_EQ((*old)->request_id, 5);
  EXPECT_EQ((*old)->person_id, 6);
  EXPECT_EQ((*old)->status, MatchStatus::kRejected);
  EXPECT_EQ((*old)->proposed_by, 3);
  EXPECT_EQ((*old)->decided_at, 30);
  EXPECT_EQ((*old)->reason, "different_person");
  EXPECT_EQ((*old)->partner_ref, "");
  // The pair is still unique: writing it again updates match 9.
  MatchRow again = **old;
  again.probability = 0.6;
  EXPECT_EQ(*(*store)->PutMatch(again), 9);
  // Schema 4: partner matches and hub references.
  MatchRow partner;
  partner.request_id = 5;
  partner.partner = "amman";
  partner.partner_ref = "0123456789abcdef0123456789abcdef";
  Result<std::int64_t> partner_id = (*store)->PutMatch(partner);
  ASSERT_TRUE(partner_id.ok()) << partner_id.status().ToString();
  EXPECT_GT(*partner_id, 9);
  ASSERT_TRUE((*store)->PutHubRef({5, std::string(16, 'r'), 1}).ok());
  EXPECT_EQ(*(*store)->IntegrityCheck(), "ok");
}

// Crypto-shred must leave none of the record's bytes anywhere on disk: not
// in the main file, not in the write-ahead log, not in the shared memory.
TEST(SqliteStoreTest, ShredLeavesNoBytesOnDisk) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  const std::string wrapped_key = RandomBytes(64, 101);
  const std::string sealed = RandomBytes(64, 102);
  const std::string source_token = RandomBytes(16, 103);
  const std::string status_token = RandomBytes(16, 104);
  const std::string encoding = RandomBytes(200, 105);
  const std::string blocking_token = RandomBytes(17, 106);
  const std::string explanation = "explained-" + std::to_string(std::random_device{}());
  {
    Result<std::unique_ptr<Store>> opened = OpenSqliteStore(path, OpenMode::kCreate);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    Store& store = **opened;
    // Neighbours on the same page, so that the page survives the shred.
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(store.InsertRecord(SampleRow("n" + std::to_string(i))).ok());
    }
    RecordRow row = SampleRow("");
    row.source_token = source_token;
    row.status_token = status_token;
    row.wrapped_key = wrapped_key;
    row.sealed = sealed;
    Result<Transaction> txn = Transaction::Begin(store);
    ASSERT_TRUE(txn.ok());
    Result<std::int64_t> id = store.InsertRecord(row);
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE(store.PutEncoding(*id, 1, encoding).ok());
    const std::vector<std::string> tokens = {blocking_token};
    ASSERT_TRUE(store.AddBlockingTokens(*id, tokens).ok());
    for (int i = 0; i < 20; ++i) {
      // Neighbours in the token index and the matches table too.
      const std::vector<std::string> other = {"neighbour-token-" + std::to_string(i)};
      ASSERT_TRUE(store.AddBlockingTokens(i + 1, other).ok());
    }
    MatchRow match;
    match.request_id = *id;
    match.person_id = 1;
    match.explanation = explanation;
    ASSERT_TRUE(store.PutMatch(match).ok());
    match.request_id = 2;
    match.explanation = "other";
    ASSERT_TRUE(store.PutMatch(match).ok());
    ASSERT_TRUE(txn->Commit().ok());
    ASSERT_TRUE(store.Checkpoint().ok());
    // The bytes are on disk before the shred (the check below can fail).
    const std::string before = ReadFile(path);
    EXPECT_NE(before.find(wrapped_key), std::string::npos);
    EXPECT_NE(before.find(encoding), std::string::npos);
    EXPECT_NE(before.find(blocking_token), std::string::npos);
    EXPECT_NE(before.find(explanation), std::string::npos);

    Result<Transaction> shred = Transaction::Begin(store);
    ASSERT_TRUE(shred.ok());
    ASSERT_TRUE(store.ShredRecord(*id).ok());
    ASSERT_TRUE(shred->Commit().ok());
    ASSERT_TRUE(store.Checkpoint().ok());
    Result<RecordRow> tombstone = store.GetRecord(*id);
    ASSERT_TRUE(tombstone.ok());
    EXPECT_FALSE(tombstone->wrapped_key.has_value());
  }
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    ++files;
    std::string bytes = ReadFile(entry.path().string());
    for (const std::string* secret : {&wrapped_key, &sealed, &source_token, &status_token,
                                      &encoding, &blocking_token, &explanation}) {
      EXPECT_EQ(bytes.find(*secret), std::string::npos) << entry.path();
    }
  }
  EXPECT_GE(files, 1);
}

TEST(SqliteStoreTest, CorruptionIsDataLoss) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kCreate);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->Begin().ok());
    for (int i = 0; i < 500; ++i) {
      ASSERT_TRUE((*store)->InsertRecord(SampleRow("c" + std::to_string(i))).ok());
    }
    ASSERT_TRUE((*store)->Commit().ok());
    ASSERT_TRUE((*store)->Checkpoint().ok());
  }
  // Overwrite pages in the middle of the file, among the records (the first
  // pages hold the schema and the roots of the small tables).
  std::string bytes = ReadFile(path);
  ASSERT_GT(bytes.size(), 16u * 4096u);
  const std::size_t middle = bytes.size() / 4096 / 2 * 4096;
  std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(middle),
            bytes.begin() + static_cast<std::ptrdiff_t>(middle + 4 * 4096), '\xab');
  { std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes; }

  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<std::string> check = (*store)->IntegrityCheck();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_NE(*check, "ok");
  Status listed = (*store)->ForEachRecord({}, [](const RecordRow&) { return OkStatus(); });
  EXPECT_EQ(listed.code(), StatusCode::kDataLoss) << listed.ToString();
}

TEST(SqliteStoreTest, TwoConnectionsShareCommittedWrites) {
  TempDir dir;
  std::string path = dir.path() + "/registry.db";
  Result<std::unique_ptr<Store>> first = OpenSqliteStore(path, OpenMode::kCreate);
  ASSERT_TRUE(first.ok());
  Result<std::unique_ptr<Store>> second = OpenSqliteStore(path, OpenMode::kExisting);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  ASSERT_TRUE((*first)->Begin().ok());
  Result<std::int64_t> id = (*first)->InsertRecord(SampleRow("shared"));
  ASSERT_TRUE(id.ok());
  // Not visible until committed.
  EXPECT_EQ((*second)->GetRecord(*id).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE((*first)->Commit().ok());
  EXPECT_TRUE((*second)->GetRecord(*id).ok());
  Result<std::int64_t> dup = (*second)->InsertRecord(SampleRow("shared"));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
}

// Measures the insert rate the import path relies on (printed, not asserted:
// tests do not time).
TEST(SqliteStoreTest, BulkInsertInOneTransaction) {
  TempDir dir;
  Result<std::unique_ptr<Store>> opened =
      OpenSqliteStore(dir.path() + "/registry.db", OpenMode::kCreate);
  ASSERT_TRUE(opened.ok());
  Store& store = **opened;
  constexpr int kRows = 200000;
  std::mt19937_64 rng(7);
  std::vector<std::string> tokens(kRows);
  for (std::string& token : tokens) {
    token.resize(16);
    for (char& c : token) c = static_cast<char>(rng() & 0xff);
  }
  RecordRow row = SampleRow("");
  row.status_token = std::string(16, 't');
  row.wrapped_key = RandomBytes(72, 9);
  row.sealed = RandomBytes(300, 10);
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu_start = std::clock();
  ASSERT_TRUE(store.Begin().ok());
  for (int i = 0; i < kRows; ++i) {
    row.source_token = tokens[i];
    row.created_at = 1700000000 + i;
    Result<std::int64_t> id = store.InsertRecord(row);
    ASSERT_TRUE(id.ok()) << id.status().ToString();
  }
  auto inserted = std::chrono::steady_clock::now();
  double insert_cpu_s = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  ASSERT_TRUE(store.Commit().ok());
  auto committed = std::chrono::steady_clock::now();
  double insert_s = std::chrono::duration<double>(inserted - start).count();
  double total_s = std::chrono::duration<double>(committed - start).count();
  std::printf(
      "[ info     ] %d inserts: %.3f s inserting + %.3f s commit; %.0f inserts/s "
      "(%.0f/s with the commit; %.0f/s of CPU time)\n",
      kRows, insert_s, total_s - insert_s, kRows / insert_s, kRows / total_s, kRows / insert_cpu_s);
  Result<std::int64_t> count = store.CountRecords({});
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, kRows);
}

}  // namespace
}  // namespace kinlink::store
