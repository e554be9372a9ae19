// Two node processes on one PostgreSQL registry: what one writes (accounts,
// sessions, records, matches, decisions) the other sees and continues.
// Each Node here has its own connection, as two `kinlink serve` processes
// would. Needs KINLINK_TEST_PG (scripts/test.sh starts a throwaway server);
// KINLINK_SKIP_PG=1 skips.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "auth/totp.h"
#include "engine/node.h"

namespace kinlink::engine {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr char kPassword[] = "correct horse battery";

// key=value pairs of a libpq conninfo string.
std::map<std::string, std::string> ParseConninfo(const std::string& conninfo) {
  std::map<std::string, std::string> out;
  std::istringstream in(conninfo);
  std::string part;
  while (in >> part) {
    auto eq = part.find('=');
    if (eq != std::string::npos) out[part.substr(0, eq)] = part.substr(eq + 1);
  }
  return out;
}

bool Exec(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult* r = PQexec(c, sql.c_str());
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
  }
  PQfinish(c);
  return ok;
}

class NodePgTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* pg = std::getenv("KINLINK_TEST_PG");
    if (pg == nullptr || *pg == '\0') {
      if (const char* skip = std::getenv("KINLINK_SKIP_PG"); skip && std::string(skip) == "1") {
        GTEST_SKIP() << "KINLINK_SKIP_PG=1";
      }
      FAIL() << "KINLINK_TEST_PG is not set: start a server with "
                "`scripts/pg-test-cluster.sh start DIR` and export its conninfo, or run "
                "scripts/test.sh (KINLINK_SKIP_PG=1 skips)";
    }
    admin_ = pg;
    db_ = "kl_node_" + std::to_string(::getpid());
    ASSERT_TRUE(Exec(admin_, "DROP DATABASE IF EXISTS " + db_));
    ASSERT_TRUE(Exec(admin_, "CREATE DATABASE " + db_));
    auto c = ParseConninfo(admin_);
    uri_ = "postgresql://" + c["user"] + "@" + c["host"] + ":" + c["port"] + "/" + db_;
    std::string base = fs::temp_directory_path().string() + "/kinlink-nodepg-XXXXXX";
    dir_ = ::mkdtemp(base.data());
    auto reg = Registry::Create(uri_, KeySource::KeyFile(dir_ + "/key"), {}, "test");
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    if (!db_.empty()) Exec(admin_, "DROP DATABASE IF EXISTS " + db_);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::unique_ptr<Node> OpenNode() {
    NodeOptions options;
    options.fast_password_hashing = true;
    auto node = Node::Open(uri_, KeySource::KeyFile(dir_ + "/key"), options);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    return node.ok() ? std::move(*node) : nullptr;
  }

  std::string admin_, db_, uri_, dir_;
  std::unique_ptr<Node> a_, b_;
};

TEST_F(NodePgTest, TwoNodesShareAccountsSessionsAndTheWorkflow) {
  a_ = OpenNode();
  b_ = OpenNode();
  ASSERT_TRUE(a_ && b_);
  // Accounts made through one are usable through the other.
  NewUser worker{"rana", "Aleppo", auth::Role::kCaseworker, kPassword, false};
  NewUser officer{"samir", "Aleppo", auth::Role::kOfficer, kPassword, false};
  ASSERT_TRUE(a_->AddUserBootstrap(worker, kNow).ok());
  Result<NewUserResult> off = b_->AddUserBootstrap(officer, kNow);
  ASSERT_TRUE(off.ok()) << off.status().ToString();
  Result<LoginResult> login = a_->Login("rana", kPassword, "", kNow);
  ASSERT_TRUE(login.ok()) << login.status().ToString();
  // The session opened on A is valid on B (a load balancer may send the
  // next request anywhere).
  Result<Principal> on_b = b_->Authenticate(login->session_id, kNow + 5);
  ASSERT_TRUE(on_b.ok()) << on_b.status().ToString();
  EXPECT_EQ(on_b->csrf_token, login->principal.csrf_token);

  // A registers the person, B the request: B's indexing finds the match.
  record::Record person;
  person.Set(record::Field::kGivenName, "Oleksandr");
  person.Set(record::Field::kFamilyName, "Kovalenko");
  person.Set(record::Field::kBirthDate, "1979-05-02");
  person.Set(record::Field::kPhone, "+380 44 000 0000");
  ASSERT_TRUE(a_->Register(*on_b, record::Kind::kPerson, person, kNow).ok());
  record::Record request;
  request.Set(record::Field::kGivenName, "Олександр");
  request.Set(record::Field::kFamilyName, "Коваленко");
  request.Set(record::Field::kBirthDate, "1979");
  Result<std::int64_t> req = b_->Register(*on_b, record::Kind::kRequest, request, kNow);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  Result<std::vector<MatchDetail>> queue = a_->ListMatches(*on_b, std::nullopt, kNow);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_EQ(queue->size(), 1u);
  const std::int64_t match = (*queue)[0].match.id;

  // Proposed on A, confirmed on B by an officer whose code B checks.
  ASSERT_TRUE(a_->ProposeMatch(*on_b, match, kNow).ok());
  Result<std::string> secret = auth::Base32Decode(off->totp_secret);
  ASSERT_TRUE(secret.ok());
  Result<LoginResult> off_login =
      b_->Login("samir", kPassword, auth::TotpCode(*secret, kNow + 30), kNow + 30);
  ASSERT_TRUE(off_login.ok()) << off_login.status().ToString();
  // The same code through the other process is a replay.
  EXPECT_FALSE(a_->Login("samir", kPassword, auth::TotpCode(*secret, kNow + 30), kNow + 31).ok());
  ASSERT_TRUE(b_->DecideMatch(off_login->principal, match, true, "", kNow + 40).ok());
  Result<MatchDetail> seen = a_->GetMatch(*on_b, match, kNow + 50);
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(seen->status, "confirmed");
  EXPECT_FALSE(seen->person.record.Has(record::Field::kPhone));  // redacted

  // Both wrote to one audit chain, and it verifies.
  NewUser auditor{"audra", "Geneva", auth::Role::kAuditor, kPassword, false};
  ASSERT_TRUE(a_->AddUserBootstrap(auditor, kNow).ok());
  Result<LoginResult> aud = b_->Login("audra", kPassword, "", kNow + 60);
  ASSERT_TRUE(aud.ok());
  Result<store::AuditVerifyReport> verified = a_->VerifyAudit(aud->principal);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->ok);
}

// Two processes confirm different matches of one request at the same
// moment: neither decision is lost, and the audit chain stays whole.
TEST_F(NodePgTest, ConcurrentConfirmationsOfOneRequestAreBothKept) {
  a_ = OpenNode();
  b_ = OpenNode();
  ASSERT_TRUE(a_ && b_);
  NewUser worker{"rana", "Aleppo", auth::Role::kCaseworker, kPassword, false};
  ASSERT_TRUE(a_->AddUserBootstrap(worker, kNow).ok());
  Result<NewUserResult> o1 =
      a_->AddUserBootstrap({"samir", "Aleppo", auth::Role::kOfficer, kPassword, false}, kNow);
  Result<NewUserResult> o2 =
      a_->AddUserBootstrap({"hala", "Aleppo", auth::Role::kOfficer, kPassword, false}, kNow);
  ASSERT_TRUE(o1.ok() && o2.ok());
  Principal w = a_->Login("rana", kPassword, "", kNow)->principal;
  // One request, three registered persons who all match it (the same man
  // registered by three hospitals).
  for (const char* source : {"H-1", "H-2", "H-3"}) {
    record::Record p;
    p.Set(record::Field::kId, source);
    p.Set(record::Field::kGivenName, "Oleksandr");
    p.Set(record::Field::kFamilyName, "Kovalenko");
    p.Set(record::Field::kBirthDate, "1979-05-02");
    ASSERT_TRUE(a_->Register(w, record::Kind::kPerson, p, kNow).ok());
  }
  record::Record request;
  request.Set(record::Field::kGivenName, "Олександр");
  request.Set(record::Field::kFamilyName, "Коваленко");
  request.Set(record::Field::kBirthDate, "1979");
  Result<std::int64_t> req = b_->Register(w, record::Kind::kRequest, request, kNow);
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  Result<std::vector<MatchDetail>> queue = a_->ListMatches(w, std::nullopt, kNow);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 3u);

  auto code = [&](const NewUserResult& r, std::int64_t t) {
    return auth::TotpCode(*auth::Base32Decode(r.totp_secret), t);
  };
  Principal p1 = a_->Login("samir", kPassword, code(*o1, kNow + 30), kNow + 30)->principal;
  Principal p2 = b_->Login("hala", kPassword, code(*o2, kNow + 30), kNow + 30)->principal;
  Status s1, s2;
  std::thread t1([&] { s1 = a_->DecideMatch(p1, (*queue)[0].match.id, true, "", kNow + 40); });
  std::thread t2([&] { s2 = b_->DecideMatch(p2, (*queue)[1].match.id, true, "", kNow + 40); });
  t1.join();
  t2.join();
  ASSERT_TRUE(s1.ok()) << s1.ToString();
  ASSERT_TRUE(s2.ok()) << s2.ToString();
  // Both deciding the third match at once, one way and the other: exactly
  // one wins, the other is told it was already decided (no overwrite).
  const std::int64_t third = (*queue)[2].match.id;
  std::thread t3([&] { s1 = a_->DecideMatch(p1, third, true, "", kNow + 45); });
  std::thread t4([&] { s2 = b_->DecideMatch(p2, third, false, "duplicate_record", kNow + 45); });
  t3.join();
  t4.join();
  ASSERT_NE(s1.ok(), s2.ok()) << s1.ToString() << " / " << s2.ToString();
  EXPECT_EQ((s1.ok() ? s2 : s1).code(), StatusCode::kFailedPrecondition);
  Result<MatchDetail> decided = a_->GetMatch(w, third, kNow + 46);
  ASSERT_TRUE(decided.ok());
  EXPECT_EQ(decided->status, s1.ok() ? "confirmed" : "rejected");
  for (std::size_t i = 0; i < 2; ++i) {
    Result<MatchDetail> now = b_->GetMatch(w, (*queue)[i].match.id, kNow + 50);
    ASSERT_TRUE(now.ok());
    EXPECT_EQ(now->status, "confirmed");
  }
  Result<CaseView> c = a_->GetCase(w, *req);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->state, CaseState::kMatchConfirmed);
  int confirmations = 0;
  for (const CaseEvent& e : c->timeline) confirmations += e.action == "match.confirm";
  EXPECT_EQ(confirmations, s1.ok() ? 3 : 2);
  ASSERT_TRUE(a_->AddUserBootstrap({"audra", "Geneva", auth::Role::kAuditor, kPassword, false},
                                   kNow)
                  .ok());
  Principal auditor = b_->Login("audra", kPassword, "", kNow + 60)->principal;
  Result<store::AuditVerifyReport> verified = a_->VerifyAudit(auditor);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_TRUE(verified->ok);
}

}  // namespace
}  // namespace kinlink::engine
