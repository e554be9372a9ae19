#include "store/audit.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "crypto/crypto.h"
#include "store/internal/temp_dir.h"
#include "store/sqlite_store.h"

namespace kinlink::store {
namespace {

using internal::TempDir;

constexpr int kEntries = 20;

crypto::SecretBytes TestKey(char fill) {
  EXPECT_TRUE(crypto::Initialize().ok());
  return crypto::SecretBytes::CopyOf(std::string(crypto::kKeyBytes, fill));
}

// Runs SQL on the registry file directly, as an attacker with the file would.
void Tamper(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

std::unique_ptr<Store> Open(const std::string& path, OpenMode mode) {
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, mode);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

// A new registry with an empty audit log under the key 'k'.
class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = TestKey('k');
    store_ = Open(dir_.path() + "/r.db", OpenMode::kCreate);
    ASSERT_NE(store_, nullptr);
    log_ = std::make_unique<AuditLog>(*store_, key_);
  }

  TempDir dir_;
  crypto::SecretBytes key_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> log_;
};

TEST_F(AuditLogTest, EmptyLogVerifies) {
  Store* const store = store_.get();
  AuditLog& log = *log_;
  Result<AuditVerifyReport> report = log.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->entries, 0);
  EXPECT_EQ(report->first_bad_seq, 0);
  EXPECT_EQ(report->problem, "");
  EXPECT_FALSE(store->InTransaction());  // Verify ended its snapshot
}

TEST_F(AuditLogTest, AppendsChainAndVerify) {
  Store* const store = store_.get();
  AuditLog& log = *log_;
  auto before = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  ASSERT_TRUE(log.Append("alice", "login", "", "ok").ok());
  ASSERT_TRUE(log.Append("alice", "read", "KL-17", "", 1234).ok());
  EXPECT_FALSE(store->InTransaction());  // each Append committed its own

  std::vector<AuditRow> rows;
  ASSERT_TRUE(store
                  ->ForEachAudit([&](const AuditRow& row) {
                    rows.push_back(row);
                    return OkStatus();
                  })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].seq, 1);
  EXPECT_GE(rows[0].time, before);
  EXPECT_EQ(rows[0].actor, "alice");
  EXPECT_EQ(rows[0].action, "login");
  EXPECT_EQ(rows[1].seq, 2);
  EXPECT_EQ(rows[1].time, 1234);
  EXPECT_EQ(rows[1].target, "KL-17");
  EXPECT_EQ(rows[0].mac.size(), crypto::kMacBytes);
  EXPECT_NE(rows[0].mac, rows[1].mac);

  Result<AuditVerifyReport> report = log.Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->entries, 2);

  // The head is 8 + 32 + 32 bytes and names the last entry.
  Result<std::optional<std::string>> head = store->GetMeta("audit_head");
  ASSERT_TRUE(head.ok());
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->size(), 72u);
  EXPECT_EQ((**head)[0], 2);
  EXPECT_EQ((*head)->substr(8, 32), rows[1].mac);
}

TEST_F(AuditLogTest, AnotherKeyDoesNotVerify) {
  Store* const store = store_.get();
  AuditLog& log = *log_;
  crypto::SecretBytes other = TestKey('o');
  ASSERT_TRUE(log.Append("a", "b", "c", "d").ok());
  AuditLog wrong(*store, other);
  Result<AuditVerifyReport> report = wrong.Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 1);
  EXPECT_EQ(report->problem, "entry 1 was altered or moved");
  // Nor can it extend the log.
  EXPECT_EQ(wrong.Append("a", "b", "c", "d").code(), StatusCode::kDataLoss);
}

TEST_F(AuditLogTest, FieldsAreLengthPrefixed) {
  // ("ab", "c") and ("a", "bc") must not share a MAC.
  std::unique_ptr<Store> second = Open(dir_.path() + "/2.db", OpenMode::kCreate);
  ASSERT_NE(second, nullptr);
  ASSERT_TRUE(log_->Append("ab", "c", "t", "d", 5).ok());
  ASSERT_TRUE(AuditLog(*second, key_).Append("a", "bc", "t", "d", 5).ok());
  EXPECT_NE((*store_->LastAudit())->mac, (*second->LastAudit())->mac);
}

TEST_F(AuditLogTest, AppendJoinsTheCallersTransaction) {
  Store* const store = store_.get();
  AuditLog& log = *log_;
  ASSERT_TRUE(log.Append("a", "kept", "", "").ok());
  {
    Result<Transaction> txn = Transaction::Begin(*store);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(log.Append("a", "dropped", "", "").ok());
    EXPECT_TRUE(store->InTransaction());  // not committed by Append
  }
  // The entry and the head rolled back together: the log is still whole.
  EXPECT_EQ((*store->LastAudit())->seq, 1);
  Result<AuditVerifyReport> report = log.Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok) << report->problem;
  ASSERT_TRUE(log.Append("a", "next", "", "").ok());
  EXPECT_TRUE(log.Verify()->ok);
  EXPECT_EQ(log.Verify()->entries, 2);
}

TEST_F(AuditLogTest, RejectsOversizedFields) {
  Store* const store = store_.get();
  AuditLog& log = *log_;
  std::string big(kMaxAuditFieldBytes + 1, 'x');
  EXPECT_EQ(log.Append("a", "b", "c", big).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log.Append(big, "b", "c", "d").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(log.Append("a", "b", "c", std::string(kMaxAuditFieldBytes, 'x')).ok());
  EXPECT_FALSE(store->InTransaction());
}

TEST_F(AuditLogTest, LongIdListsAreSplitIntoEntriesThatKeepEveryId) {
  Store* const store = store_.get();
  AuditLog& log = *log_;
  ASSERT_TRUE(log.AppendIdList("a", "short", "1-5,9", R"({"n":6})").ok());
  // 3,000 scattered ids: about 17,000 bytes.
  std::string ids;
  for (int i = 0; i < 3000; ++i) ids += (i ? "," : "") + std::to_string(100000 + 7 * i);
  ASSERT_GT(ids.size(), 3 * kMaxAuditFieldBytes);
  ASSERT_TRUE(log.AppendIdList("a", "hub.pairs", ids, R"({"pairs":3000})").ok());
  ASSERT_TRUE(log.AppendIdList("a", "plain", ids, "").ok());
  std::vector<AuditRow> rows;
  ASSERT_TRUE(store->ForEachAudit([&](const AuditRow& r) {
                      rows.push_back(r);
                      return OkStatus();
                    }).ok());
  ASSERT_GE(rows.size(), 9u);
  EXPECT_EQ(rows[0].target, "1-5,9");
  EXPECT_EQ(rows[0].detail, R"({"n":6})");
  std::string joined;
  std::size_t parts = 0;
  for (const AuditRow& r : rows) {
    if (r.action != "hub.pairs") continue;
    ++parts;
    EXPECT_LE(r.target.size(), kMaxAuditFieldBytes);
    joined += (joined.empty() ? "" : ",") + r.target;
    EXPECT_EQ(r.detail.find(R"({"part":")" + std::to_string(parts) + "/"), 0u) << r.detail;
    EXPECT_NE(r.detail.find(R"("pairs":3000})"), std::string::npos) << r.detail;
  }
  EXPECT_EQ(joined, ids) << "every id is recorded, in order";
  EXPECT_EQ(rows.back().action, "plain");
  EXPECT_EQ(rows.back().detail.front(), '{');
  EXPECT_TRUE(log.Verify()->ok);
  EXPECT_EQ(log.AppendIdList("a", "b", ids, "not json").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log.AppendIdList("a", "b", std::string(kMaxAuditFieldBytes + 10, '7'), "").code(),
            StatusCode::kInvalidArgument);
}

// Tampering with the file, as someone holding it but not the audit key would.
struct TamperCase {
  const char* name;
  const char* sql;  // "" = untouched
  bool ok;
  std::int64_t first_bad_seq;
  const char* problem;
};

void PrintTo(const TamperCase& c, std::ostream* os) { *os << c.name; }

class AuditTamperTest : public ::testing::TestWithParam<TamperCase> {
 protected:
  void SetUp() override {
    key_ = TestKey('k');
    path_ = dir_.path() + "/registry.db";
    std::unique_ptr<Store> store = Open(path_, OpenMode::kCreate);
    ASSERT_NE(store, nullptr);
    AuditLog log(*store, key_);
    for (int i = 1; i <= kEntries; ++i) {
      ASSERT_TRUE(log.Append("operator", "read", "KL-" + std::to_string(i),
                             "n=" + std::to_string(i), 1700000000 + i)
                      .ok());
    }
  }

  TempDir dir_;
  crypto::SecretBytes key_;
  std::string path_;
};

TEST_P(AuditTamperTest, VerifyNamesTheFirstBadEntry) {
  const TamperCase& c = GetParam();
  if (*c.sql != '\0') Tamper(path_, c.sql);
  std::unique_ptr<Store> store = Open(path_, OpenMode::kExisting);
  ASSERT_NE(store, nullptr);
  AuditLog log(*store, key_);
  Result<AuditVerifyReport> report = log.Verify();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->ok, c.ok) << report->problem;
  EXPECT_EQ(report->first_bad_seq, c.first_bad_seq);
  EXPECT_EQ(report->problem, c.problem);
  if (c.ok) {
    EXPECT_EQ(report->entries, kEntries);
    EXPECT_TRUE(log.Append("operator", "verify", "", "ok").ok());
    EXPECT_EQ(log.Verify()->entries, kEntries + 1);
  } else {
    // Nothing is chained onto a damaged log, and the failed append leaves
    // no transaction open.
    Status appended = log.Append("operator", "verify", "", "bad");
    if (appended.ok()) {
      // Edits in the middle leave the head intact; the chain stays broken.
      EXPECT_FALSE(log.Verify()->ok);
    } else {
      EXPECT_EQ(appended.code(), StatusCode::kDataLoss);
    }
    EXPECT_FALSE(store->InTransaction());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Tampering, AuditTamperTest,
    ::testing::Values(
        TamperCase{"Untouched", "", true, 0, ""},
        TamperCase{"EditedDetail", "UPDATE audit SET detail = 'n=0' WHERE seq = 7", false, 7,
                   "entry 7 was altered or moved"},
        TamperCase{"EditedTime", "UPDATE audit SET time = time + 1 WHERE seq = 3", false, 3,
                   "entry 3 was altered or moved"},
        TamperCase{"DeletedMiddle", "DELETE FROM audit WHERE seq = 10", false, 10,
                   "entry 10 is missing"},
        TamperCase{"Reordered",
                   "CREATE TEMP TABLE saved AS SELECT * FROM audit WHERE seq IN (5, 9);"
                   "UPDATE audit SET (time, actor, action, target, detail, mac) = "
                   "(SELECT time, actor, action, target, detail, mac FROM saved "
                   " WHERE saved.seq = CASE audit.seq WHEN 5 THEN 9 ELSE 5 END) "
                   "WHERE seq IN (5, 9);",
                   false, 5, "entry 5 was altered or moved"},
        TamperCase{"Renumbered",
                   "DELETE FROM audit WHERE seq = 4; "
                   "UPDATE audit SET seq = seq - 1 WHERE seq > 4",
                   false, 4, "entry 4 was altered or moved"},
        TamperCase{"Truncated", "DELETE FROM audit WHERE seq > 17", false, 18,
                   "the log ends at entry 17 but its head says 20: entries were deleted "
                   "from the end"},
        TamperCase{"AllDeleted", "DELETE FROM audit", false, 1,
                   "the log ends at entry 0 but its head says 20: entries were deleted "
                   "from the end"},
        TamperCase{"EditedMac", "UPDATE audit SET mac = zeroblob(32) WHERE seq = 12", false, 12,
                   "entry 12 was altered or moved"},
        TamperCase{"EditedLastMac", "UPDATE audit SET mac = zeroblob(32) WHERE seq = 20", false, 20,
                   "entry 20 was altered or moved"},
        TamperCase{"ForgedEntry",
                   "INSERT INTO audit VALUES(21, 1, 'x', 'y', 'z', 'w', zeroblob(32))", false, 21,
                   "entry 21 was altered or moved"},
        TamperCase{"InsertedBeforeFirst",
                   "INSERT INTO audit VALUES(0, 1, 'x', 'y', 'z', 'w', zeroblob(32))", false, 1,
                   "an entry numbered 0 was inserted before entry 1"},
        TamperCase{"HeadDeleted", "DELETE FROM meta WHERE key = 'audit_head'", false, 21,
                   "the audit head is missing"},
        TamperCase{"HeadEdited",
                   "UPDATE meta SET value = zeroblob(8) || substr(value, 9) "
                   "WHERE key = 'audit_head'",
                   false, 21, "the audit head was altered"},
        TamperCase{"HeadTruncated",
                   "UPDATE meta SET value = substr(value, 1, 40) WHERE key = 'audit_head'", false,
                   21, "the audit head was altered"}),
    [](const ::testing::TestParamInfo<TamperCase>& param_info) {
      return std::string(param_info.param.name);
    });

}  // namespace
}  // namespace kinlink::store
