// The PostgreSQL backend against a real server: the shared store suite, then
// what is particular to PostgreSQL (schema checks, concurrency between
// connections, shredding and VACUUM).
//
// KINLINK_TEST_PG holds a libpq connection string for a server where the test
// may CREATE DATABASE and DROP DATABASE; every test works in a database of
// its own (kl_test_<pid>_<n>), dropped afterwards. scripts/test.sh starts a
// throwaway server with scripts/pg-test-cluster.sh and sets it. Without it
// the tests fail, saying how to start one, unless KINLINK_SKIP_PG=1 (then
// they are skipped).
#include "store/postgres_store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "crypto/crypto.h"
#include "store/audit.h"
#include "store/internal/pg_schema.h"
#include "store/store_suite.h"

namespace kinlink::store {
namespace {

constexpr const char* kNoServer =
    "KINLINK_TEST_PG is not set. The PostgreSQL store tests need a server where they may "
    "CREATE DATABASE; start a throwaway one with\n"
    "    export KINLINK_TEST_PG=\"$(scripts/pg-test-cluster.sh start /tmp/kl-pg)\"\n"
    "  (stop it with scripts/pg-test-cluster.sh stop /tmp/kl-pg; scripts/test.sh does both),\n"
    "  or set KINLINK_SKIP_PG=1 to skip these tests.";

std::optional<std::string> ServerConninfo() {
  const char* value = std::getenv("KINLINK_TEST_PG");
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

bool SkipRequested() {
  const char* value = std::getenv("KINLINK_SKIP_PG");
  return value != nullptr && std::string_view(value) == "1";
}

void RecordSkip() { GTEST_SKIP() << "KINLINK_SKIP_PG=1: no PostgreSQL server for this test"; }

// For a test body: the server's conninfo; or "" once the test has been
// marked failed (no server) or skipped (KINLINK_SKIP_PG=1), and should
// return.
std::string RequireServer() {
  if (std::optional<std::string> server = ServerConninfo()) return *server;
  if (SkipRequested()) {
    RecordSkip();
  } else {
    ADD_FAILURE() << kNoServer;
  }
  return std::string();
}

// `base` with `overrides` replacing its settings, as key='value' pairs (base
// may be a URI).
Result<std::string> WithSettings(
    const std::string& base, const std::vector<std::pair<std::string, std::string>>& overrides) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(base.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return InvalidArgumentError("KINLINK_TEST_PG is not a valid conninfo");
  std::string out;
  auto append = [&out](std::string_view key, std::string_view value) {
    out += key;
    out += "='";
    for (char c : value) {
      if (c == '\\' || c == '\'') out += '\\';
      out += c;
    }
    out += "' ";
  };
  for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr || *option->val == '\0') continue;
    bool replaced = std::any_of(overrides.begin(), overrides.end(),
                                [&](const auto& o) { return o.first == option->keyword; });
    if (!replaced) append(option->keyword, option->val);
  }
  PQconninfoFree(options);
  for (const auto& [key, value] : overrides) append(key, value);
  return out;
}

void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

// A connection for test queries, without the server's notices on stderr.
PGconn* Connect(const std::string& conninfo) {
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (conn != nullptr) PQsetNoticeProcessor(conn, IgnoreNotice, nullptr);
  return conn;
}

// Runs SQL (no parameters) on a fresh connection. Test-only: callers quote
// identifiers themselves.
Status RunSql(const std::string& conninfo, const std::string& sql) {
  PGconn* conn = Connect(conninfo);
  Status status;
  if (PQstatus(conn) != CONNECTION_OK) {
    status = UnavailableError(std::string("connect: ") + PQerrorMessage(conn));
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    ExecStatusType rc = PQresultStatus(result);
    if (rc != PGRES_COMMAND_OK && rc != PGRES_TUPLES_OK) {
      status = InternalError(sql + ": " + PQresultErrorMessage(result));
    }
    PQclear(result);
  }
  PQfinish(conn);
  return status;
}

void ExecSql(const std::string& conninfo, const std::string& sql) {
  Status status = RunSql(conninfo, sql);
  ASSERT_TRUE(status.ok()) << status.ToString();
}

// The first value of the first row as text, with optional parameters (text
// format, or bytea in binary when `binary` is set); "<null>", "<none>" or
// "<error: ...>" otherwise.
std::string QueryText(const std::string& conninfo, const std::string& sql,
                      const std::vector<std::string>& params = {}, bool binary = false) {
  PGconn* conn = Connect(conninfo);
  std::string out;
  if (PQstatus(conn) != CONNECTION_OK) {
    out = std::string("<error: ") + PQerrorMessage(conn) + ">";
  } else {
    std::vector<const char*> values;
    std::vector<int> lengths, formats;
    for (const std::string& p : params) {
      values.push_back(p.data());
      lengths.push_back(static_cast<int>(p.size()));
      formats.push_back(binary ? 1 : 0);
    }
    PGresult* result = PQexecParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr,
                                    values.data(), lengths.data(), formats.data(), 0);
    if (PQresultStatus(result) != PGRES_TUPLES_OK) {
      out = std::string("<error: ") + PQresultErrorMessage(result) + ">";
    } else if (PQntuples(result) == 0) {
      out = "<none>";
    } else if (PQgetisnull(result, 0, 0)) {
      out = "<null>";
    } else {
      out = PQgetvalue(result, 0, 0);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return out;
}

// A database of its own on the test server, dropped (with any session still
// in it) when this object goes away.
class ScratchDatabase {
 public:
  static Result<std::unique_ptr<ScratchDatabase>> Create(const std::string& server) {
    static std::atomic<int> counter{0};
    auto db = std::make_unique<ScratchDatabase>();
    db->server_ = server;
    db->name_ = "kl_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    KL_ASSIGN_OR_RETURN(db->conninfo_, WithSettings(server, {{"dbname", db->name_}}));
    // A database left by a crashed run whose pid came round again goes first.
    KL_RETURN_IF_ERROR(RunSql(server, "DROP DATABASE IF EXISTS " + db->name_ + " WITH (FORCE)"));
    KL_RETURN_IF_ERROR(
        RunSql(server, "CREATE DATABASE " + db->name_ + " TEMPLATE template0 ENCODING 'UTF8'"));
    db->created_ = true;
    return db;
  }
  ScratchDatabase() = default;  // use Create
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  ~ScratchDatabase() {
    if (!created_) return;
    Status dropped = RunSql(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    EXPECT_TRUE(dropped.ok()) << dropped.ToString();
  }

  // The conninfo of this database.
  const std::string& conninfo() const { return conninfo_; }

 private:
  std::string server_;
  std::string name_;  // digits and underscores only: safe unquoted
  std::string conninfo_;
  bool created_ = false;
};

// The store the shared suite gets: a PostgreSQL store in a scratch database,
// which is dropped after the store has closed. Empty (every call UNAVAILABLE)
// for a test that was skipped before it could run.
class ScratchStore final : public Store {
 public:
  ScratchStore() = default;
  ScratchStore(std::unique_ptr<ScratchDatabase> db, std::unique_ptr<Store> inner)
      : db_(std::move(db)), inner_(std::move(inner)) {}
  ~ScratchStore() override {
    inner_.reset();  // close the connection, then drop the database
    db_.reset();
  }

  Status Begin() override {
    return Call([](Store& s) { return s.Begin(); });
  }
  Status Commit() override {
    return Call([](Store& s) { return s.Commit(); });
  }
  Status Rollback() override {
    return Call([](Store& s) { return s.Rollback(); });
  }
  bool InTransaction() const override { return inner_ != nullptr && inner_->InTransaction(); }
  Result<std::optional<std::string>> GetMeta(std::string_view key) override {
    return Call([&](Store& s) { return s.GetMeta(key); });
  }
  Status SetMeta(std::string_view key, std::string_view value) override {
    return Call([&](Store& s) { return s.SetMeta(key, value); });
  }
  Result<std::int64_t> InsertRecord(const RecordRow& row) override {
    return Call([&](Store& s) { return s.InsertRecord(row); });
  }
  Result<RecordRow> GetRecord(std::int64_t id) override {
    return Call([&](Store& s) { return s.GetRecord(id); });
  }
  Result<std::vector<std::int64_t>> FindBySourceToken(std::string_view token) override {
    return Call([&](Store& s) { return s.FindBySourceToken(token); });
  }
  Status UpdateRecord(const RecordRow& row, std::int64_t expected_version) override {
    return Call([&](Store& s) { return s.UpdateRecord(row, expected_version); });
  }
  Status SetWrappedKey(std::int64_t id, std::string_view wrapped_key) override {
    return Call([&](Store& s) { return s.SetWrappedKey(id, wrapped_key); });
  }
  Status ShredRecord(std::int64_t id) override {
    return Call([&](Store& s) { return s.ShredRecord(id); });
  }
  Status ForEachRecord(const RecordFilter& filter,
                       const std::function<Status(const RecordRow&)>& fn) override {
    return Call([&](Store& s) { return s.ForEachRecord(filter, fn); });
  }
  Result<std::int64_t> CountRecords(const RecordFilter& filter) override {
    return Call([&](Store& s) { return s.CountRecords(filter); });
  }
  Result<std::vector<RecordRow>> LatestRecords(const RecordFilter& filter,
                                               std::int64_t limit) override {
    return Call([&](Store& s) { return s.LatestRecords(filter, limit); });
  }
  Status PutEncoding(std::int64_t record_id, std::uint8_t kind, std::string_view blob) override {
    return Call([&](Store& s) { return s.PutEncoding(record_id, kind, blob); });
  }
  Result<std::optional<EncodingRow>> GetEncoding(std::int64_t record_id) override {
    return Call([&](Store& s) { return s.GetEncoding(record_id); });
  }
  Status AddBlockingTokens(std::int64_t record_id, std::span<const std::string> tokens) override {
    return Call([&](Store& s) { return s.AddBlockingTokens(record_id, tokens); });
  }
  Result<std::vector<std::int64_t>> FindByBlockingToken(std::string_view token,
                                                        std::int64_t limit) override {
    return Call([&](Store& s) { return s.FindByBlockingToken(token, limit); });
  }
  Result<std::int64_t> CountByBlockingToken(std::string_view token) override {
    return Call([&](Store& s) { return s.CountByBlockingToken(token); });
  }
  Result<std::int64_t> PutMatch(const MatchRow& row) override {
    return Call([&](Store& s) { return s.PutMatch(row); });
  }
  Status SetMatchStatus(std::int64_t id, MatchStatus status) override {
    return Call([&](Store& s) { return s.SetMatchStatus(id, status); });
  }
  Status ForEachMatch(std::optional<MatchStatus> status,
                      const std::function<Status(const MatchRow&)>& fn) override {
    return Call([&](Store& s) { return s.ForEachMatch(status, fn); });
  }
  Result<std::optional<MatchRow>> GetMatch(std::int64_t id) override {
    return Call([&](Store& s) { return s.GetMatch(id); });
  }
  Status UpdateMatchReview(const MatchRow& row) override {
    return Call([&](Store& s) { return s.UpdateMatchReview(row); });
  }
  Status ForEachMatchOf(std::int64_t record_id,
                        const std::function<Status(const MatchRow&)>& fn) override {
    return Call([&](Store& s) { return s.ForEachMatchOf(record_id, fn); });
  }
  Status PutDisclosure(const DisclosureRow& row) override {
    return Call([&](Store& s) { return s.PutDisclosure(row); });
  }
  Status PutHubRef(const HubRefRow& row) override {
    return Call([&](Store& s) { return s.PutHubRef(row); });
  }
  Result<std::optional<HubRefRow>> FindHubRef(std::string_view ref) override {
    return Call([&](Store& s) { return s.FindHubRef(ref); });
  }
  Status ForEachHubRef(std::int64_t batch,
                       const std::function<Status(const HubRefRow&)>& fn) override {
    return Call([&](Store& s) { return s.ForEachHubRef(batch, fn); });
  }
  Result<std::optional<DisclosureRow>> GetDisclosure(std::int64_t match_id) override {
    return Call([&](Store& s) { return s.GetDisclosure(match_id); });
  }
  Status PutCase(const CaseRow& row) override {
    return Call([&](Store& s) { return s.PutCase(row); });
  }
  Result<std::optional<CaseRow>> GetCase(std::int64_t request_id) override {
    return Call([&](Store& s) { return s.GetCase(request_id); });
  }
  Result<std::int64_t> InsertOffice(const OfficeRow& row) override {
    return Call([&](Store& s) { return s.InsertOffice(row); });
  }
  Result<std::optional<OfficeRow>> GetOffice(std::int64_t id) override {
    return Call([&](Store& s) { return s.GetOffice(id); });
  }
  Result<std::optional<OfficeRow>> FindOffice(std::string_view name) override {
    return Call([&](Store& s) { return s.FindOffice(name); });
  }
  Status ForEachOffice(const std::function<Status(const OfficeRow&)>& fn) override {
    return Call([&](Store& s) { return s.ForEachOffice(fn); });
  }
  Result<std::int64_t> InsertUser(const UserRow& row) override {
    return Call([&](Store& s) { return s.InsertUser(row); });
  }
  Result<std::optional<UserRow>> GetUser(std::int64_t id) override {
    return Call([&](Store& s) { return s.GetUser(id); });
  }
  Result<std::optional<UserRow>> FindUser(std::string_view name) override {
    return Call([&](Store& s) { return s.FindUser(name); });
  }
  Status UpdateUser(const UserRow& row) override {
    return Call([&](Store& s) { return s.UpdateUser(row); });
  }
  Status ForEachUser(const std::function<Status(const UserRow&)>& fn) override {
    return Call([&](Store& s) { return s.ForEachUser(fn); });
  }
  Status InsertSession(const SessionRow& row) override {
    return Call([&](Store& s) { return s.InsertSession(row); });
  }
  Result<std::optional<SessionRow>> GetSession(std::string_view id_hash) override {
    return Call([&](Store& s) { return s.GetSession(id_hash); });
  }
  Status TouchSession(std::string_view id_hash, std::int64_t now) override {
    return Call([&](Store& s) { return s.TouchSession(id_hash, now); });
  }
  Status DeleteSession(std::string_view id_hash) override {
    return Call([&](Store& s) { return s.DeleteSession(id_hash); });
  }
  Result<std::int64_t> DeleteSessions(std::int64_t user_id, std::int64_t seen_before) override {
    return Call([&](Store& s) { return s.DeleteSessions(user_id, seen_before); });
  }
  Result<std::int64_t> InsertImport(const ImportRow& row) override {
    return Call([&](Store& s) { return s.InsertImport(row); });
  }
  Status FinishImport(const ImportRow& row) override {
    return Call([&](Store& s) { return s.FinishImport(row); });
  }
  Status AppendAudit(const AuditRow& row) override {
    return Call([&](Store& s) { return s.AppendAudit(row); });
  }
  Result<std::optional<AuditRow>> LastAudit() override {
    return Call([](Store& s) { return s.LastAudit(); });
  }
  Status ForEachAudit(const std::function<Status(const AuditRow&)>& fn) override {
    return Call([&](Store& s) { return s.ForEachAudit(fn); });
  }
  Status Checkpoint() override {
    return Call([](Store& s) { return s.Checkpoint(); });
  }
  Result<std::string> IntegrityCheck() override {
    return Call([](Store& s) { return s.IntegrityCheck(); });
  }

 private:
  template <typename F>
  auto Call(F&& fn) -> decltype(fn(std::declval<Store&>())) {
    if (inner_ == nullptr) return UnavailableError("no PostgreSQL server");
    return fn(*inner_);
  }

  std::unique_ptr<ScratchDatabase> db_;
  std::unique_ptr<Store> inner_;
};

Result<std::unique_ptr<Store>> MakePostgresStore() {
  std::optional<std::string> server = ServerConninfo();
  if (!server.has_value()) {
    if (!SkipRequested()) return FailedPreconditionError(kNoServer);
    // The skip stops the test before its body runs: the empty store it gets
    // only lets the fixture's set-up complete.
    RecordSkip();
    return std::unique_ptr<Store>(std::make_unique<ScratchStore>());
  }
  KL_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDatabase> db, ScratchDatabase::Create(*server));
  KL_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                      OpenPostgresStore(db->conninfo(), OpenMode::kCreate));
  return std::unique_ptr<Store>(std::make_unique<ScratchStore>(std::move(db), std::move(store)));
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreSuite, ::testing::Values(StoreFactory(MakePostgresStore)),
                         [](const auto&) { return std::string("Postgres"); });

std::string RandomBytes(std::size_t size, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng() & 0xff);
  return out;
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

std::unique_ptr<Store> OpenOrFail(const std::string& conninfo, OpenMode mode) {
  Result<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo, mode);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// --- Tests that need no server.

TEST(PostgresStoreTest, MalformedConninfoIsInvalidArgument) {
  for (const std::string& conninfo :
       {std::string("host=127.0.0.1 password=hunter2 port"), std::string("no_such_option=1"),
        std::string("host=a\0b", 8)}) {
    Result<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo, OpenMode::kExisting);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << store.status().ToString();
    EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos);
  }
}

TEST(PostgresStoreTest, UnreachableServerIsUnavailable) {
  Result<std::unique_ptr<Store>> store = OpenPostgresStore(
      "host=127.0.0.1 port=1 user=nobody password=hunter2 connect_timeout=5", OpenMode::kCreate);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kUnavailable) << store.status().ToString();
  EXPECT_EQ(store.status().message().find("hunter2"), std::string::npos);
}

// --- Tests against the server.

TEST(PostgresStoreTest, CreateRefusesAnExistingRegistry) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string& conninfo = (*db)->conninfo();
  ASSERT_NE(OpenOrFail(conninfo, OpenMode::kCreate), nullptr);
  Result<std::unique_ptr<Store>> again = OpenPostgresStore(conninfo, OpenMode::kCreate);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status().ToString();
  EXPECT_NE(OpenOrFail(conninfo, OpenMode::kExisting), nullptr);
}

TEST(PostgresStoreTest, ExistingModeNeedsARegistry) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string& conninfo = (*db)->conninfo();
  ExecSql(conninfo, "CREATE TABLE people(name text)");
  Result<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound) << store.status().ToString();
  // Nothing was created by accident.
  EXPECT_EQ(QueryText(conninfo, "SELECT to_regclass('meta')"), "<null>");
  EXPECT_EQ(QueryText(conninfo, "SELECT to_regclass('records')"), "<null>");
}

TEST(PostgresStoreTest, ReopenKeepsDataAndSchema) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string& conninfo = (*db)->conninfo();
  std::int64_t id = 0;
  const std::string sealed = RandomBytes(300, 7);
  {
    std::unique_ptr<Store> store = OpenOrFail(conninfo, OpenMode::kCreate);
    ASSERT_NE(store, nullptr);
    RecordRow row = SampleRow("persist");
    row.sealed = sealed;
    Result<std::int64_t> inserted = store->InsertRecord(row);
    ASSERT_TRUE(inserted.ok()) << inserted.status().ToString();
    id = *inserted;
    ASSERT_TRUE(store->SetMeta("setting", "value").ok());
  }
  EXPECT_EQ(QueryText(conninfo,
                      "SELECT convert_from(value, 'UTF8') FROM meta WHERE key = 'schema_version'"),
            std::to_string(kSchemaVersion));
  EXPECT_EQ(QueryText(conninfo,
                      "SELECT convert_from(value, 'UTF8') FROM meta WHERE key = "
                      "'kinlink_registry'"),
            "1");
  EXPECT_EQ(QueryText(conninfo,
                      "SELECT string_agg(data_type, ',' ORDER BY column_name) FROM "
                      "information_schema.columns WHERE table_name = 'records' AND column_name "
                      "IN ('sealed', 'wrapped_key', 'source_token', 'status_token')"),
            "bytea,bytea,bytea,bytea");

  std::unique_ptr<Store> store = OpenOrFail(conninfo, OpenMode::kExisting);
  ASSERT_NE(store, nullptr);
  Result<RecordRow> row = store->GetRecord(id);
  ASSERT_TRUE(row.ok()) << row.status().ToString();
  EXPECT_EQ(row->source_token, "persist");
  EXPECT_EQ(row->sealed, sealed);
  EXPECT_EQ(**store->GetMeta("setting"), "value");
  EXPECT_EQ(**store->GetMeta("schema_version"), std::to_string(kSchemaVersion));
}

TEST(PostgresStoreTest, RejectsDatabasesThatAreNotRegistries) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string& conninfo = (*db)->conninfo();
  // A meta table, but no marker.
  ExecSql(conninfo,
          "CREATE TABLE meta(key text PRIMARY KEY, value bytea NOT NULL);"
          "INSERT INTO meta VALUES('schema_version', '1')");
  Result<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().ToString();
  EXPECT_NE(store.status().message().find("not a Kinlink registry"), std::string::npos);

  // Someone else's table called meta.
  ExecSql(conninfo, "DROP TABLE meta; CREATE TABLE meta(name text)");
  store = OpenPostgresStore(conninfo, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().ToString();
  // ... which kCreate does not overwrite.
  store = OpenPostgresStore(conninfo, OpenMode::kCreate);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kAlreadyExists) << store.status().ToString();
  EXPECT_EQ(QueryText(conninfo, "SELECT to_regclass('records')"), "<null>");
}

TEST(PostgresStoreTest, RefusesANewerSchema) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string& conninfo = (*db)->conninfo();
  ASSERT_NE(OpenOrFail(conninfo, OpenMode::kCreate), nullptr);
  ExecSql(conninfo, "UPDATE meta SET value = '7' WHERE key = 'schema_version'");
  Result<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store.status().message(), "registry schema version 7 is newer than this kinlink (" +
                                          std::to_string(kSchemaVersion) + "); upgrade kinlink");
  EXPECT_EQ(QueryText(conninfo,
                      "SELECT convert_from(value, 'UTF8') FROM meta WHERE key = 'schema_version'"),
            "7");

  ExecSql(conninfo, "UPDATE meta SET value = '1x' WHERE key = 'schema_version'");
  store = OpenPostgresStore(conninfo, OpenMode::kExisting);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataLoss) << store.status().ToString();
}

// The tables, columns and indexes of the registry in `conninfo`, one line
// each, in a fixed order.
std::string SchemaOf(const std::string& conninfo) {
  return QueryText(
      conninfo,
      "SELECT string_agg(line, E'\\n' ORDER BY line) FROM ("
      "SELECT format('%s.%s %s null=%s default=%s identity=%s storage=%s', c.table_name, "
      "c.column_name, c.data_type, c.is_nullable, c.column_default, c.is_identity, "
      "a.attstorage) AS line FROM information_schema.columns c "
      "JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass "
      "AND a.attname = c.column_name WHERE c.table_schema = current_schema() "
      "UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
      "UNION ALL SELECT format('%s %s', conrelid::regclass, pg_get_constraintdef(oid)) "
      "FROM pg_constraint WHERE connamespace = current_schema()::regnamespace) AS s");
}

TEST(PostgresStoreTest, MigratesOlderRegistries) {
  std::string server = RequireServer();
  if (server.empty()) return;
  std::string fresh_schema;
  {
    Result<std::unique_ptr<ScratchDatabase>> fresh = ScratchDatabase::Create(server);
    ASSERT_TRUE(fresh.ok()) << fresh.status().ToString();
    ASSERT_NE(OpenOrFail((*fresh)->conninfo(), OpenMode::kCreate), nullptr);
    fresh_schema = SchemaOf((*fresh)->conninfo());
    ASSERT_NE(fresh_schema.find("sessions.user_id bigint"), std::string::npos) << fresh_schema;
  }
  static_assert(kSchemaVersion == 4, "add the new version's data below");
  for (int from = 0; from < kSchemaVersion; ++from) {
    SCOPED_TRACE("from schema version " + std::to_string(from));
    Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const std::string& conninfo = (*db)->conninfo();
    std::string sql = std::string(internal::kPgCreateMeta) +
                      "; INSERT INTO meta VALUES('kinlink_registry', '1');"
                      "INSERT INTO meta VALUES('schema_version', '" +
                      std::to_string(from) + "');";
    for (int applied = 0; applied < from; ++applied) sql += internal::kPgMigrations[applied].sql;
    if (from >= 1) {
      sql +=
          "INSERT INTO records VALUES(5, 1, 1, 10, 10, 0, '\\x0102', NULL, '\\xaa', "
          "'\\xbb');"
          "INSERT INTO records VALUES(6, 2, 1, 10, 10, 0, NULL, NULL, '\\xaa', '\\xcc');";
    }
    if (from == 2) {
      sql +=
          "INSERT INTO matches(request_id, person_id, probability, weight, explanation, "
          "status, created_at) VALUES(6, 5, 0.9, 8.5, '{}', 1, 20);";
    }
    if (from >= 3) {
      sql +=
          "INSERT INTO matches(request_id, person_id, probability, weight, explanation, "
          "status, created_at, proposed_by, reason) VALUES(6, 5, 0.9, 8.5, '{}', 1, 20, 3, "
          "'kept');";
    }
    ExecSql(conninfo, sql);
    std::unique_ptr<Store> store = OpenOrFail(conninfo, OpenMode::kExisting);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(**store->GetMeta("schema_version"), std::to_string(kSchemaVersion));
    EXPECT_EQ(SchemaOf(conninfo), fresh_schema);
    if (from >= 1) {
      Result<RecordRow> old = store->GetRecord(5);
      ASSERT_TRUE(old.ok()) << old.status().ToString();
      EXPECT_EQ(old->sealed, "\xbb");
      EXPECT_EQ(old->source_token, "\x01\x02");
      EXPECT_EQ(old->office_id, 0);
      EXPECT_EQ(old->review_at, 0);
    } else {
      ASSERT_TRUE(store->InsertRecord(SampleRow("after-migration")).ok());
      ASSERT_TRUE(store->InsertRecord(SampleRow("request")).ok());
    }
    std::int64_t id = from >= 1 ? 5 : 1;
    std::int64_t request = from >= 1 ? 6 : 2;
    ASSERT_TRUE(store->PutEncoding(id, 1, "enc").ok());
    const std::vector<std::string> tokens = {"tok"};
    ASSERT_TRUE(store->AddBlockingTokens(id, tokens).ok());
    EXPECT_EQ(*store->FindByBlockingToken("tok", 10), (std::vector<std::int64_t>{id}));
    ASSERT_TRUE(store->AppendAudit({1, 5, "a", "b", "c", "d", "mac"}).ok());

    // Schema 3 on the migrated registry: an old match keeps its status and
    // has no review yet; the new tables take rows.
    MatchRow match;
    match.request_id = request;
    match.person_id = id;
    match.probability = 0.5;
    match.explanation = "{}";
    Result<std::int64_t> match_id = store->PutMatch(match);
    ASSERT_TRUE(match_id.ok()) << match_id.status().ToString();
    MatchRow review = **store->GetMatch(*match_id);
    EXPECT_EQ(review.status, from >= 2 ? MatchStatus::kConfirmed : MatchStatus::kPotential);
    EXPECT_EQ(review.probability, 0.5);  // the new score
    EXPECT_EQ(review.created_at, from >= 2 ? 20 : 0);
    EXPECT_EQ(review.decided_by, 0);
    EXPECT_EQ(review.reason, from >= 3 ? "kept" : "");
    EXPECT_EQ(review.proposed_by, from >= 3 ? 3 : 0);
    EXPECT_EQ(review.partner_ref, "");
    // Schema 4 on the migrated registry: partner matches beside it, and
    // hub references.
    MatchRow partner;
    partner.request_id = request;
    partner.partner = "amman";
    partner.partner_ref = "0123456789abcdef0123456789abcdef";
    Result<std::int64_t> partner_id = store->PutMatch(partner);
    ASSERT_TRUE(partner_id.ok()) << partner_id.status().ToString();
    EXPECT_NE(*partner_id, *match_id);
    ASSERT_TRUE(store->PutHubRef({request, std::string(16, 'r'), 1}).ok());
    review.status = MatchStatus::kProposed;
    review.proposed_by = 1;
    review.reason = "same_person";
    ASSERT_TRUE(store->UpdateMatchReview(review).ok());
    DisclosureRow disclosure;
    disclosure.match_id = *match_id;
    disclosure.decision = 1;
    ASSERT_TRUE(store->PutDisclosure(disclosure).ok());
    ASSERT_TRUE(store->PutCase({request, 2, 1, 30}).ok());
    OfficeRow office;
    office.name = "Office";
    Result<std::int64_t> office_id = store->InsertOffice(office);
    ASSERT_TRUE(office_id.ok()) << office_id.status().ToString();
    UserRow user;
    user.name = "user";
    user.office_id = *office_id;
    user.password_hash = "h";
    Result<std::int64_t> user_id = store->InsertUser(user);
    ASSERT_TRUE(user_id.ok()) << user_id.status().ToString();
    ASSERT_TRUE(store->InsertSession({"hash", *user_id, 1, 1}).ok());
    RecordRow due = SampleRow("due");
    due.office_id = *office_id;
    due.review_at = 100;
    Result<std::int64_t> due_id = store->InsertRecord(due);
    ASSERT_TRUE(due_id.ok()) << due_id.status().ToString();
    RecordFilter filter;
    filter.review_due_by = 100;
    EXPECT_EQ(*store->CountRecords(filter), 1);
    store.reset();

    // Reopening a migrated registry changes nothing.
    store = OpenOrFail(conninfo, OpenMode::kExisting);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ((*store->GetEncoding(id))->blob, "enc");
    EXPECT_EQ((*store->GetMatch(*match_id))->reason, "same_person");
    EXPECT_EQ((*store->GetCase(request))->state, 2);
    EXPECT_EQ((*store->FindUser("user"))->office_id, *office_id);
    EXPECT_EQ(store->GetRecord(*due_id)->review_at, 100);
    EXPECT_EQ(*store->IntegrityCheck(), "ok");
  }
}

// A statement that fails inside a transaction aborts it on PostgreSQL: the
// commit says so, and nothing of the transaction remains.
TEST(PostgresStoreTest, CommitAfterAFailedStatementIsAborted) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<Store>> made = MakePostgresStore();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  Store& store = **made;
  Result<Transaction> txn = Transaction::Begin(store);
  ASSERT_TRUE(txn.ok()) << txn.status().ToString();
  ASSERT_TRUE(store.InsertRecord(SampleRow("lost")).ok());
  // Text columns take UTF-8 only.
  Status bad = store.AppendAudit({1, 5, "bad \xff actor", "b", "c", "d", "mac"});
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument) << bad.ToString();
  EXPECT_EQ(bad.message().find("actor"), std::string::npos);  // no value quoted
  Status later = store.SetMeta("k", "v");
  EXPECT_EQ(later.code(), StatusCode::kAborted) << later.ToString();
  Status committed = txn->Commit();
  EXPECT_EQ(committed.code(), StatusCode::kAborted) << committed.ToString();
  EXPECT_FALSE(store.InTransaction());
  EXPECT_TRUE(store.FindBySourceToken("lost")->empty());
  // The connection is fine afterwards.
  EXPECT_TRUE(store.InsertRecord(SampleRow("kept")).ok());
}

// The refusals of the schema-3 writes do not abort the caller's transaction
// on PostgreSQL (as a failed statement would): they are checked before, or
// are inserts that do nothing. What came before and after is committed.
TEST(PostgresStoreTest, RefusedAccountWritesLeaveTheTransactionUsable) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<Store>> made = MakePostgresStore();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  Store& store = **made;
  Result<Transaction> txn = Transaction::Begin(store);
  ASSERT_TRUE(txn.ok()) << txn.status().ToString();
  OfficeRow office;
  office.name = "Goma";
  Result<std::int64_t> goma = store.InsertOffice(office);
  ASSERT_TRUE(goma.ok()) << goma.status().ToString();
  EXPECT_EQ(store.InsertOffice(office).status().code(), StatusCode::kAlreadyExists);
  office.name = "bad \xff name";
  EXPECT_EQ(store.InsertOffice(office).status().code(), StatusCode::kInvalidArgument);
  office.name = std::string("nul\0name", 8);
  EXPECT_EQ(store.InsertOffice(office).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(store.FindOffice("bad \xff name")->has_value());

  UserRow user;
  user.name = "kahindo";
  user.office_id = *goma + 1;
  user.password_hash = "h";
  EXPECT_EQ(store.InsertUser(user).status().code(), StatusCode::kNotFound);
  user.office_id = *goma;
  Result<std::int64_t> kahindo = store.InsertUser(user);
  ASSERT_TRUE(kahindo.ok()) << kahindo.status().ToString();
  EXPECT_EQ(store.InsertUser(user).status().code(), StatusCode::kAlreadyExists);
  UserRow moved = **store.GetUser(*kahindo);
  moved.office_id = *goma + 1;
  EXPECT_EQ(store.UpdateUser(moved).code(), StatusCode::kNotFound);
  EXPECT_FALSE(store.FindUser("bad \xff name")->has_value());

  SessionRow session{"hash", *kahindo, 1, 1};
  ASSERT_TRUE(store.InsertSession(session).ok());
  EXPECT_EQ(store.InsertSession(session).code(), StatusCode::kAlreadyExists);
  session.id_hash = "other";
  session.user_id = *kahindo + 1;
  EXPECT_EQ(store.InsertSession(session).code(), StatusCode::kNotFound);
  EXPECT_EQ(store.TouchSession("absent", 2).code(), StatusCode::kNotFound);

  DisclosureRow disclosure;
  disclosure.match_id = 42;
  EXPECT_EQ(store.PutDisclosure(disclosure).code(), StatusCode::kNotFound);
  EXPECT_EQ(store.PutCase({42, 1, 0, 0}).code(), StatusCode::kNotFound);
  MatchRow review;
  review.id = 42;
  EXPECT_EQ(store.UpdateMatchReview(review).code(), StatusCode::kNotFound);
  review.reason = "bad \xff";
  EXPECT_EQ(store.UpdateMatchReview(review).code(), StatusCode::kInvalidArgument);

  office.name = "Bukavu";
  ASSERT_TRUE(store.InsertOffice(office).ok());
  ASSERT_TRUE(txn->Commit().ok());
  std::vector<std::string> names;
  ASSERT_TRUE(store
                  .ForEachOffice([&](const OfficeRow& o) {
                    names.push_back(o.name);
                    return OkStatus();
                  })
                  .ok());
  EXPECT_EQ(names, (std::vector<std::string>{"Goma", "Bukavu"}));
  EXPECT_TRUE(store.GetSession("hash")->has_value());
  EXPECT_EQ(*store.IntegrityCheck(), "ok");
}

// More offices and users than one page holds come back whole and in order.
TEST(PostgresStoreTest, ListingAccountsPages) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<Store>> made = MakePostgresStore();
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  Store& store = **made;
  const int count = static_cast<int>(internal::kPgPageRows) + 5;
  {
    Result<Transaction> txn = Transaction::Begin(store);
    ASSERT_TRUE(txn.ok());
    OfficeRow office;
    office.name = "only";
    std::int64_t office_id = *store.InsertOffice(office);
    for (int i = 0; i < count; ++i) {
      UserRow user;
      user.name = "user-" + std::to_string(i);
      user.office_id = office_id;
      user.password_hash = "h";
      ASSERT_TRUE(store.InsertUser(user).ok());
    }
    ASSERT_TRUE(txn->Commit().ok());
  }
  std::vector<std::int64_t> ids;
  ASSERT_TRUE(store
                  .ForEachUser([&](const UserRow& u) {
                    ids.push_back(u.id);
                    return OkStatus();
                  })
                  .ok());
  ASSERT_EQ(static_cast<int>(ids.size()), count);
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
  // A callback's error stops the listing and comes back.
  int seen = 0;
  Status stopped = store.ForEachUser(
      [&](const UserRow&) { return ++seen == 3 ? CancelledError("enough") : OkStatus(); });
  EXPECT_EQ(stopped.code(), StatusCode::kCancelled);
  EXPECT_EQ(seen, 3);
}

TEST(PostgresStoreTest, IntegrityCheckFindsGapsAndUncleanTombstones) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string& conninfo = (*db)->conninfo();
  std::unique_ptr<Store> store = OpenOrFail(conninfo, OpenMode::kCreate);
  ASSERT_NE(store, nullptr);
  for (std::int64_t seq = 1; seq <= 3; ++seq) {
    ASSERT_TRUE(store->AppendAudit({seq, 5, "a", "b", "c", "d", "mac"}).ok());
  }
  Result<std::int64_t> id = store->InsertRecord(SampleRow("t"));
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store->ShredRecord(*id).ok());
  EXPECT_EQ(*store->IntegrityCheck(), "ok");

  ExecSql(conninfo, "DELETE FROM audit WHERE seq = 2");
  Result<std::string> check = store->IntegrityCheck();
  ASSERT_TRUE(check.ok()) << check.status().ToString();
  EXPECT_NE(check->find("audit: 2 entries numbered 1..3"), std::string::npos) << *check;

  ExecSql(conninfo, "UPDATE records SET sealed = '\\x01' WHERE id = " + std::to_string(*id));
  check = store->IntegrityCheck();
  ASSERT_TRUE(check.ok());
  EXPECT_NE(check->find("shredded records still hold"), std::string::npos) << *check;

  // Every review status is in range; a status beyond them is not, nor are
  // a disclosure or a case that lost their match or record.
  ExecSql(conninfo, "UPDATE records SET sealed = '' WHERE id = " + std::to_string(*id));
  std::int64_t request = *store->InsertRecord(SampleRow("req"));
  std::int64_t person = *store->InsertRecord(SampleRow("per"));
  MatchRow match;
  match.request_id = request;
  match.person_id = person;
  std::int64_t match_id = *store->PutMatch(match);
  ASSERT_TRUE(store->SetMatchStatus(match_id, MatchStatus::kProposed).ok());
  EXPECT_EQ(*store->IntegrityCheck(), "audit: 2 entries numbered 1..3, not 1..2 without gaps");
  ExecSql(conninfo, "UPDATE matches SET status = 4");
  check = store->IntegrityCheck();
  ASSERT_TRUE(check.ok());
  EXPECT_NE(check->find("matches: 1 with an unknown status"), std::string::npos) << *check;
  ExecSql(conninfo,
          "INSERT INTO disclosures VALUES(999, 1, 0, '', '', 0, 0);"
          "INSERT INTO cases VALUES(999, 1, 0, 0)");
  check = store->IntegrityCheck();
  ASSERT_TRUE(check.ok());
  EXPECT_NE(check->find("disclosures: 1 whose match is gone"), std::string::npos) << *check;
  EXPECT_NE(check->find("cases: 1 whose record is gone"), std::string::npos) << *check;

  ExecSql(conninfo, "UPDATE meta SET value = '1' WHERE key = 'schema_version'");
  check = store->IntegrityCheck();
  ASSERT_TRUE(check.ok());
  EXPECT_NE(check->find("schema version 1, expected " + std::to_string(kSchemaVersion)),
            std::string::npos)
      << *check;

  ExecSql(conninfo, "DROP TABLE matches");
  check = store->IntegrityCheck();
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(*check, "missing tables: matches");
}

TEST(PostgresStoreTest, TwoConnectionsShareCommittedWrites) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  std::unique_ptr<Store> first = OpenOrFail((*db)->conninfo(), OpenMode::kCreate);
  std::unique_ptr<Store> second = OpenOrFail((*db)->conninfo(), OpenMode::kExisting);
  ASSERT_TRUE(first != nullptr && second != nullptr);
  ASSERT_TRUE(first->Begin().ok());
  Result<std::int64_t> id = first->InsertRecord(SampleRow("shared"));
  ASSERT_TRUE(id.ok());
  // Not visible until committed.
  EXPECT_EQ(second->GetRecord(*id).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(first->Commit().ok());
  EXPECT_TRUE(second->GetRecord(*id).ok());
  Result<std::int64_t> dup = second->InsertRecord(SampleRow("shared"));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
}

// The number of sessions of this database waiting for an advisory lock.
int WaitingForLock(const std::string& conninfo) {
  std::string text = QueryText(conninfo,
                               "SELECT count(*) FROM pg_locks l JOIN pg_database d ON "
                               "d.oid = l.database WHERE l.locktype = 'advisory' AND NOT "
                               "l.granted AND d.datname = current_database()");
  return std::atoi(text.c_str());
}

// A write outside any transaction waits for another connection's write
// transaction, then sees its commit: the id it is given follows the one the
// other transaction took, as with SQLite's single writer.
TEST(PostgresStoreTest, WritersAreSerialised) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string& conninfo = (*db)->conninfo();
  std::unique_ptr<Store> first = OpenOrFail(conninfo, OpenMode::kCreate);
  std::unique_ptr<Store> second = OpenOrFail(conninfo, OpenMode::kExisting);
  ASSERT_TRUE(first != nullptr && second != nullptr);

  ASSERT_TRUE(first->Begin().ok());
  Result<std::int64_t> waiting_id = InvalidArgumentError("not run");
  std::thread writer([&] { waiting_id = second->InsertRecord(SampleRow("second")); });
  // Poll until the other connection waits for the lock (not a timing
  // assertion: the loop ends as soon as the server shows the wait).
  for (int i = 0; i < 500 && WaitingForLock(conninfo) == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(WaitingForLock(conninfo), 1);
  RecordRow explicit_id = SampleRow("first");
  explicit_id.id = 100;
  EXPECT_EQ(*first->InsertRecord(explicit_id), 100);
  ASSERT_TRUE(first->Commit().ok());
  writer.join();
  ASSERT_TRUE(waiting_id.ok()) << waiting_id.status().ToString();
  EXPECT_EQ(*waiting_id, 101);
}

// Several processes appending to one audit chain at once: every append
// succeeds and the chain stays whole (the head is read under the lock).
TEST(PostgresStoreTest, ConcurrentAuditAppendsKeepTheChain) {
  std::string server = RequireServer();
  if (server.empty()) return;
  ASSERT_TRUE(crypto::Initialize().ok());
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string& conninfo = (*db)->conninfo();
  ASSERT_NE(OpenOrFail(conninfo, OpenMode::kCreate), nullptr);
  const crypto::SecretBytes key = crypto::SecretBytes::CopyOf(std::string(crypto::kKeyBytes, 'a'));
  constexpr int kThreads = 4;
  constexpr int kAppends = 15;
  std::vector<Status> failures[kThreads];
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Result<std::unique_ptr<Store>> store = OpenPostgresStore(conninfo, OpenMode::kExisting);
      if (!store.ok()) {
        failures[t].push_back(store.status());
        return;
      }
      AuditLog log(**store, key);
      for (int i = 0; i < kAppends; ++i) {
        Status appended = log.Append("worker-" + std::to_string(t), "test", "", "");
        if (!appended.ok()) failures[t].push_back(appended);
        // Records with store-assigned ids, outside any transaction.
        Result<std::int64_t> id = (*store)->InsertRecord(SampleRow(""));
        if (!id.ok()) failures[t].push_back(id.status());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    for (const Status& failure : failures[t]) ADD_FAILURE() << failure.ToString();
  }
  std::unique_ptr<Store> store = OpenOrFail(conninfo, OpenMode::kExisting);
  ASSERT_NE(store, nullptr);
  Result<AuditVerifyReport> report = AuditLog(*store, key).Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->entries, kThreads * kAppends);
  EXPECT_EQ(*store->CountRecords({}), kThreads * kAppends);
  EXPECT_EQ(QueryText(conninfo, "SELECT max(id) FROM records"),
            std::to_string(kThreads * kAppends));
  EXPECT_EQ(*store->IntegrityCheck(), "ok");
}

// Each schema of a database can hold a registry of its own, with a writer
// lock of its own.
TEST(PostgresStoreTest, RegistriesInSeparateSchemas) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  ExecSql((*db)->conninfo(), "CREATE SCHEMA reg_a; CREATE SCHEMA reg_b");
  Result<std::string> in_a = WithSettings((*db)->conninfo(), {{"options", "-csearch_path=reg_a"}});
  Result<std::string> in_b = WithSettings((*db)->conninfo(), {{"options", "-csearch_path=reg_b"}});
  ASSERT_TRUE(in_a.ok() && in_b.ok());
  std::unique_ptr<Store> a = OpenOrFail(*in_a, OpenMode::kCreate);
  std::unique_ptr<Store> b = OpenOrFail(*in_b, OpenMode::kCreate);
  ASSERT_TRUE(a != nullptr && b != nullptr);
  // Both write transactions at once: the locks are distinct.
  ASSERT_TRUE(a->Begin().ok());
  ASSERT_TRUE(b->Begin().ok());
  ASSERT_TRUE(a->InsertRecord(SampleRow("only-a")).ok());
  ASSERT_TRUE(b->InsertRecord(SampleRow("only-b")).ok());
  ASSERT_TRUE(a->Commit().ok());
  ASSERT_TRUE(b->Commit().ok());
  EXPECT_EQ(a->FindBySourceToken("only-a")->size(), 1u);
  EXPECT_TRUE(a->FindBySourceToken("only-b")->empty());
  EXPECT_TRUE(b->FindBySourceToken("only-a")->empty());
  EXPECT_EQ(QueryText((*db)->conninfo(), "SELECT to_regclass('public.meta')"), "<null>");
}

// How many tuples (heap relations) or index entries (B-tree indexes) of
// `relation` hold `secret`, read from the pages themselves with
// pageinspect; -1 on error.
int TuplesHolding(const std::string& conninfo, const std::string& relation, bool index,
                  const std::string& secret) {
  const std::string sql =
      index ? "SELECT count(*) FROM generate_series(1, pg_relation_size($1::text::regclass) / "
              "current_setting('block_size')::int - 1) AS b, bt_page_items($1::text, b) AS i "
              "WHERE position($2::bytea IN decode(replace(i.data, ' ', ''), 'hex')) > 0"
            : "SELECT count(*) FROM generate_series(0, pg_relation_size($1::text::regclass) / "
              "current_setting('block_size')::int - 1) AS b, "
              "heap_page_items(get_raw_page($1::text, b::int)) AS i "
              "WHERE position($2::bytea IN i.t_data) > 0";
  PGconn* conn = Connect(conninfo);
  int count = -1;
  if (PQstatus(conn) == CONNECTION_OK) {
    const char* values[] = {relation.c_str(), secret.data()};
    const int lengths[] = {static_cast<int>(relation.size()), static_cast<int>(secret.size())};
    const int formats[] = {0, 1};
    PGresult* result = PQexecParams(conn, sql.c_str(), 2, nullptr, values, lengths, formats, 0);
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) {
      count = std::atoi(PQgetvalue(result, 0, 0));
    } else {
      ADD_FAILURE() << relation << ": " << PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  PQfinish(conn);
  return count;
}

// Crypto-shred must leave no row version behind: neither the tombstone's
// predecessor (a dead tuple holding the old wrapped key and ciphertext) nor
// the deleted rows and index entries of the record's matching data.
// PostgreSQL keeps them until VACUUM, which Checkpoint() runs. (The freed
// bytes themselves are not zeroed; see docs/architecture.md.)
TEST(PostgresStoreTest, ShredLeavesNoRowVersionBehindAfterCheckpoint) {
  std::string server = RequireServer();
  if (server.empty()) return;
  Result<std::unique_ptr<ScratchDatabase>> db = ScratchDatabase::Create(server);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::string& conninfo = (*db)->conninfo();
  Status extension = RunSql(conninfo, "CREATE EXTENSION pageinspect");
  if (!extension.ok()) {
    GTEST_SKIP() << "pageinspect is not available on the test server (it needs a superuser "
                    "and PostgreSQL's contrib modules): "
                 << extension.ToString();
  }
  const std::string wrapped_key = RandomBytes(64, 101);
  const std::string sealed = RandomBytes(64, 102);
  const std::string source_token = RandomBytes(16, 103);
  const std::string status_token = RandomBytes(16, 104);
  const std::string encoding = RandomBytes(200, 105);
  const std::string blocking_token = RandomBytes(17, 106);
  const std::string explanation = "explained-" + std::to_string(std::random_device{}());
  const std::string message = RandomBytes(64, 107);
  const std::string message_key = RandomBytes(40, 108);
  struct Place {
    const char* relation;
    bool index;
    const std::string* secret;
  };
  const std::vector<Place> places = {
      {"records", false, &wrapped_key},
      {"records", false, &sealed},
      {"records", false, &source_token},
      {"records", false, &status_token},
      {"records_source_token", true, &source_token},
      {"encodings", false, &encoding},
      {"blocking", false, &blocking_token},
      {"blocking_pkey", true, &blocking_token},
      {"matches", false, &explanation},
      {"disclosures", false, &message},
      {"disclosures", false, &message_key},
  };

  std::unique_ptr<Store> store = OpenOrFail(conninfo, OpenMode::kCreate);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(store->InsertRecord(SampleRow("n" + std::to_string(i))).ok());
  }
  RecordRow row = SampleRow("");
  row.source_token = source_token;
  row.status_token = status_token;
  row.wrapped_key = wrapped_key;
  row.sealed = sealed;
  Result<Transaction> txn = Transaction::Begin(*store);
  ASSERT_TRUE(txn.ok());
  Result<std::int64_t> id = store->InsertRecord(row);
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(store->PutEncoding(*id, 1, encoding).ok());
  const std::vector<std::string> tokens = {blocking_token};
  ASSERT_TRUE(store->AddBlockingTokens(*id, tokens).ok());
  for (int i = 0; i < 20; ++i) {
    const std::vector<std::string> other = {"neighbour-token-" + std::to_string(i)};
    ASSERT_TRUE(store->AddBlockingTokens(i + 1, other).ok());
  }
  MatchRow match;
  match.request_id = *id;
  match.person_id = 1;
  match.explanation = explanation;
  Result<std::int64_t> match_id = store->PutMatch(match);
  ASSERT_TRUE(match_id.ok());
  DisclosureRow disclosure;
  disclosure.match_id = *match_id;
  disclosure.sealed = message;
  disclosure.wrapped_key = message_key;
  ASSERT_TRUE(store->PutDisclosure(disclosure).ok());
  ASSERT_TRUE(store->PutCase({*id, 1, 0, 0}).ok());
  match.request_id = 2;
  match.explanation = "other";
  ASSERT_TRUE(store->PutMatch(match).ok());
  ASSERT_TRUE(txn->Commit().ok());
  // The bytes are there before the shred (the check below can fail).
  for (const Place& place : places) {
    EXPECT_EQ(TuplesHolding(conninfo, place.relation, place.index, *place.secret), 1)
        << place.relation;
  }

  Result<Transaction> shred = Transaction::Begin(*store);
  ASSERT_TRUE(shred.ok());
  ASSERT_TRUE(store->ShredRecord(*id).ok());
  ASSERT_TRUE(shred->Commit().ok());
  ASSERT_TRUE(store->Checkpoint().ok());
  for (const Place& place : places) {
    EXPECT_EQ(TuplesHolding(conninfo, place.relation, place.index, *place.secret), 0)
        << place.relation;
  }
  Result<RecordRow> tombstone = store->GetRecord(*id);
  ASSERT_TRUE(tombstone.ok());
  EXPECT_FALSE(tombstone->wrapped_key.has_value());
  EXPECT_EQ(*store->CountRecords({}), 20);
  EXPECT_FALSE(store->GetCase(*id)->has_value());
  EXPECT_EQ(QueryText(conninfo, "SELECT count(*) FROM disclosures"), "0");
}

}  // namespace
}  // namespace kinlink::store
