// engine::Node: accounts, sessions, the authorisation rule and the whole
// tracing workflow on a real registry (SQLite in a temp dir).
#include "engine/node.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "auth/totp.h"

namespace kinlink::engine {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1'790'000'000;  // a fixed clock
constexpr char kPassword[] = "correct horse battery";

class NodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string base = fs::temp_directory_path().string() + "/kinlink-node-XXXXXX";
    dir_ = ::mkdtemp(base.data());
    auto reg = Registry::Create(dir_ + "/data", KeySource::KeyFile(dir_ + "/key"), {}, "test");
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg->reset();
    NodeOptions options;
    options.fast_password_hashing = true;
    options.idle_timeout_s = 600;
    options.decrypt_alert_per_hour = 3;
    auto node = Node::Open(dir_ + "/data", KeySource::KeyFile(dir_ + "/key"), options);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    node_ = std::move(*node);
  }
  void TearDown() override {
    node_.reset();
    fs::remove_all(dir_);
  }

  // Adds a user and logs in; returns the principal (and the session id).
  Principal User(const std::string& name, const std::string& office, auth::Role role,
                 std::string* session = nullptr) {
    NewUser u;
    u.name = name;
    u.office = office;
    u.role = role;
    u.password = kPassword;
    Result<NewUserResult> added = node_->AddUserBootstrap(u, kNow);
    EXPECT_TRUE(added.ok()) << added.status().ToString();
    secrets_[name] = added.ok() ? added->totp_secret : "";
    Result<LoginResult> login = node_->Login(name, kPassword, Code(name, kNow), kNow);
    EXPECT_TRUE(login.ok()) << login.status().ToString();
    if (!login.ok()) return {};
    if (session != nullptr) *session = login->session_id;
    return login->principal;
  }

  std::string Code(const std::string& name, std::int64_t t) {
    const std::string& b32 = secrets_[name];
    if (b32.empty()) return "";
    Result<std::string> secret = auth::Base32Decode(b32);
    return secret.ok() ? auth::TotpCode(*secret, t) : "";
  }

  std::int64_t Register(const Principal& p, record::Kind kind,
                        std::vector<std::pair<record::Field, std::string>> fields) {
    record::Record r;
    for (auto& [f, v] : fields) r.Set(f, v);
    Result<std::int64_t> id = node_->Register(p, kind, r, kNow);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  std::string dir_;
  std::unique_ptr<Node> node_;
  std::map<std::string, std::string> secrets_;
};

TEST_F(NodeTest, LoginNeedsPasswordAndAFreshSecondFactor) {
  NewUser u{"amal", "Aleppo", auth::Role::kOfficer, kPassword, false};
  Result<NewUserResult> added = node_->AddUserBootstrap(u, kNow);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_FALSE(added->totp_secret.empty());  // officers always get one
  EXPECT_EQ(added->totp_uri.rfind("otpauth://totp/", 0), 0u);
  secrets_["amal"] = added->totp_secret;

  EXPECT_EQ(node_->Login("amal", "wrong password!!", Code("amal", kNow), kNow).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(node_->Login("amal", kPassword, "000000", kNow + 1).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(node_->Login("amal", kPassword, "", kNow + 2).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(node_->Login("nobody", kPassword, "", kNow).status().code(),
            StatusCode::kUnauthenticated);
  Result<LoginResult> ok = node_->Login("amal", kPassword, Code("amal", kNow + 3), kNow + 3);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->principal.role, auth::Role::kOfficer);
  EXPECT_EQ(ok->principal.office, "Aleppo");
  EXPECT_FALSE(ok->principal.csrf_token.empty());
  // The same code again (replay) is refused.
  EXPECT_EQ(node_->Login("amal", kPassword, Code("amal", kNow + 3), kNow + 4).status().code(),
            StatusCode::kUnauthenticated);
  // The session works, and its CSRF token is stable for it.
  Result<Principal> me = node_->Authenticate(ok->session_id, kNow + 10);
  ASSERT_TRUE(me.ok()) << me.status().ToString();
  EXPECT_EQ(me->csrf_token, ok->principal.csrf_token);
  ASSERT_TRUE(node_->Logout(ok->session_id).ok());
  EXPECT_EQ(node_->Authenticate(ok->session_id, kNow + 11).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(NodeTest, RepeatedFailuresLockTheAccountWithBackoff) {
  NewUser u{"deng", "Juba", auth::Role::kCaseworker, kPassword, false};
  ASSERT_TRUE(node_->AddUserBootstrap(u, kNow).ok());
  for (int i = 0; i < 5; ++i) {
    EXPECT_FALSE(node_->Login("deng", "not the password", "", kNow + i).ok());
  }
  // Locked: even the right password fails now ...
  EXPECT_EQ(node_->Login("deng", kPassword, "", kNow + 10).status().code(),
            StatusCode::kUnauthenticated);
  // ... and works once the lock (30 s after the fifth failure) is over.
  EXPECT_TRUE(node_->Login("deng", kPassword, "", kNow + 4 + 31).ok());
}

TEST_F(NodeTest, SessionsEndWhenIdle) {
  std::string session;
  User("olena", "Kharkiv", auth::Role::kCaseworker, &session);
  EXPECT_TRUE(node_->Authenticate(session, kNow + 500).ok());
  EXPECT_TRUE(node_->Authenticate(session, kNow + 1000).ok());  // touched at +500
  EXPECT_EQ(node_->Authenticate(session, kNow + 1700).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(node_->Authenticate("garbage", kNow).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(NodeTest, AuthorizationIsRoleTimesOfficeTimesAction) {
  Principal admin{1, "a", auth::Role::kAdmin, 1, "X", ""};
  Principal officer{2, "o", auth::Role::kOfficer, 1, "X", ""};
  Principal worker{3, "c", auth::Role::kCaseworker, 1, "X", ""};
  Principal auditor{4, "u", auth::Role::kAuditor, 1, "X", ""};
  EXPECT_TRUE(Authorize(worker, Action::kReadRecord, 1).ok());
  EXPECT_EQ(Authorize(worker, Action::kReadRecord, 2).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Authorize(worker, Action::kDecideMatch, 1).code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(Authorize(officer, Action::kDecideMatch, 1).ok());
  EXPECT_TRUE(Authorize(officer, Action::kDecideDisclosure, 1).ok());
  EXPECT_EQ(Authorize(admin, Action::kReadRecord, 1).code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(Authorize(admin, Action::kManageAccounts, std::nullopt).ok());
  EXPECT_EQ(Authorize(auditor, Action::kSearch, std::nullopt).code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(Authorize(auditor, Action::kReadAudit, std::nullopt).ok());
  EXPECT_EQ(Authorize(officer, Action::kReadAudit, std::nullopt).code(),
            StatusCode::kPermissionDenied);
}

// From a tracing request to reunification, across two offices, with the
// found person's whereabouts reaching the enquirer only as decided.
TEST_F(NodeTest, WorkflowFromRequestToReunification) {
  Principal worker = User("rana", "Aleppo", auth::Role::kCaseworker);
  Principal officer = User("samir", "Aleppo", auth::Role::kOfficer);
  Principal hospital_worker = User("lina", "Homs", auth::Role::kCaseworker);
  Principal hospital_officer = User("omar", "Homs", auth::Role::kOfficer);

  const std::int64_t person = Register(
      hospital_worker, record::Kind::kPerson,
      {{record::Field::kFullName, "محمد الحسن"},
       {record::Field::kGivenName, "محمد"},
       {record::Field::kFamilyName, "الحسن"},
       {record::Field::kFatherName, "خالد"},
       {record::Field::kCountry, "SY"},
       {record::Field::kBirthDate, "1987-03-12"},
       {record::Field::kSex, "m"},
       {record::Field::kBirthPlace, "حمص"},
       {record::Field::kLocality, "Canary-Locality-Homs"},
       {record::Field::kPhone, "+963 11 555 0101"},
       {record::Field::kEmail, "canary.person@example.org"},
       {record::Field::kStatus, "in_hospital"}});
  const std::int64_t request =
      Register(worker, record::Kind::kRequest,
               {{record::Field::kFullName, "Mohamad Alhasan"},
                {record::Field::kGivenName, "Mohamad"},
                {record::Field::kFamilyName, "Alhasan"},
                {record::Field::kFatherName, "Khaled"},
                {record::Field::kCountry, "SY"},
                {record::Field::kBirthDate, "1987"},
                {record::Field::kSex, "m"},
                {record::Field::kBirthPlace, "Homs"},
                {record::Field::kEnquirerName, "Fatima Alhasan"},
                {record::Field::kRelationship, "mother"}});
  ASSERT_GT(person, 0);
  ASSERT_GT(request, 0);

  // The request's office sees the match; the person's side is "held by Homs".
  Result<std::vector<MatchDetail>> queue = node_->ListMatches(worker, std::nullopt, kNow);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_EQ(queue->size(), 1u);
  const MatchDetail& m = (*queue)[0];
  EXPECT_EQ(m.request.registry_id, request);
  EXPECT_TRUE(m.request.visible);
  EXPECT_FALSE(m.person.visible);
  EXPECT_EQ(m.person.office, "Homs");
  EXPECT_FALSE(m.person.record.Has(record::Field::kFullName));
  // The hospital sees it too, with its own record redacted.
  Result<MatchDetail> seen = node_->GetMatch(hospital_worker, m.match.id, kNow);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_TRUE(seen->person.visible);
  EXPECT_FALSE(seen->person.record.Has(record::Field::kPhone));
  EXPECT_FALSE(seen->person.record.Has(record::Field::kLocality));
  EXPECT_FALSE(seen->request.visible);

  // A third office does not see the match at all.
  Principal outsider = User("ivan", "Kharkiv", auth::Role::kOfficer);
  EXPECT_EQ(node_->GetMatch(outsider, m.match.id, kNow).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(node_->ListMatches(outsider, std::nullopt, kNow)->empty());

  // Caseworker proposes; only an officer of the request's office confirms.
  ASSERT_TRUE(node_->ProposeMatch(worker, m.match.id, kNow).ok());
  EXPECT_EQ(node_->DecideMatch(worker, m.match.id, true, "", kNow).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(node_->DecideMatch(hospital_officer, m.match.id, true, "", kNow).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(node_->DecideMatch(officer, m.match.id, false, "because I say so", kNow).code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(node_->DecideMatch(officer, m.match.id, true, "", kNow).ok());

  // Before the found person decides, the enquirer hears "searching" only.
  Result<EnquirerView> before = node_->GetEnquirerView(worker, request, kNow);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->outcome, "searching");
  EXPECT_TRUE(before->contact.empty());
  EXPECT_EQ(before->state, CaseState::kMatchConfirmed);
  EXPECT_EQ(node_->UpdateCase(worker, request, CaseState::kEnquirerInformed, kNow).code(),
            StatusCode::kFailedPrecondition);

  // The decision is the person's office's: Aleppo cannot record it.
  DisclosureInput alive{DisclosureDecision::kAliveAndWell, 0, ""};
  EXPECT_EQ(node_->RecordDisclosure(officer, m.match.id, alive, kNow).code(),
            StatusCode::kPermissionDenied);
  ASSERT_TRUE(node_->RecordDisclosure(hospital_officer, m.match.id, alive, kNow).ok());
  Result<EnquirerView> alive_view = node_->GetEnquirerView(worker, request, kNow);
  ASSERT_TRUE(alive_view.ok());
  EXPECT_EQ(alive_view->outcome, "alive_and_well");
  EXPECT_TRUE(alive_view->contact.empty());
  EXPECT_TRUE(alive_view->message.empty());

  // A contact decision that withholds the phone.
  DisclosureInput contact{DisclosureDecision::kContact, kWithholdPhone, ""};
  ASSERT_TRUE(node_->RecordDisclosure(hospital_officer, m.match.id, contact, kNow + 1).ok());
  Result<EnquirerView> contact_view = node_->GetEnquirerView(worker, request, kNow + 1);
  ASSERT_TRUE(contact_view.ok());
  EXPECT_EQ(contact_view->outcome, "contact");
  std::map<std::string, std::string> got(contact_view->contact.begin(),
                                         contact_view->contact.end());
  EXPECT_EQ(got.count("phone"), 0u);
  EXPECT_EQ(got["email"], "canary.person@example.org");
  EXPECT_EQ(got["locality"], "Canary-Locality-Homs");
  EXPECT_EQ(got.count("status"), 0u);

  // A message decision: only the message.
  DisclosureInput message{DisclosureDecision::kMessage, 0, "I am safe. Mohamad."};
  ASSERT_TRUE(node_->RecordDisclosure(hospital_officer, m.match.id, message, kNow + 2).ok());
  Result<EnquirerView> message_view = node_->GetEnquirerView(worker, request, kNow + 2);
  ASSERT_TRUE(message_view.ok());
  EXPECT_EQ(message_view->message, "I am safe. Mohamad.");
  EXPECT_TRUE(message_view->contact.empty());

  ASSERT_TRUE(node_->UpdateCase(worker, request, CaseState::kEnquirerInformed, kNow + 3).ok());
  ASSERT_TRUE(node_->UpdateCase(worker, request, CaseState::kReunited, kNow + 4).ok());
  Result<CaseView> c = node_->GetCase(worker, request);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->state, CaseState::kReunited);
  std::vector<std::string> actions;
  for (const CaseEvent& e : c->timeline) actions.push_back(e.action);
  EXPECT_EQ(actions, (std::vector<std::string>{
                         "record.create", "match.read", "match.propose", "match.confirm",
                         "enquirer_view.read", "disclosure.record", "enquirer_view.read",
                         "disclosure.record", "enquirer_view.read", "disclosure.record",
                         "enquirer_view.read", "case.state", "case.state"}));
  EXPECT_EQ(node_->GetCase(hospital_worker, request).status().code(),
            StatusCode::kPermissionDenied);

  // Nothing of the records reached the audit log.
  Principal auditor = User("audra", "Geneva", auth::Role::kAuditor);
  std::string all;
  ASSERT_TRUE(node_->ReadAudit(auditor, 0, 10000, [&](const store::AuditRow& r) {
                     all += r.actor + r.action + r.target + r.detail + "\n";
                     return OkStatus();
                   }).ok());
  for (const char* canary : {"Canary-Locality", "canary.person", "555 0101", "Alhasan", "محمد",
                             "I am safe"}) {
    EXPECT_EQ(all.find(canary), std::string::npos) << canary;
  }
}

TEST_F(NodeTest, OtherOfficesAppearOnlyAsHeldBy) {
  Principal aleppo = User("rana", "Aleppo", auth::Role::kCaseworker);
  Principal homs = User("lina", "Homs", auth::Role::kCaseworker);
  const std::int64_t person =
      Register(homs, record::Kind::kPerson,
               {{record::Field::kFullName, "Fatima Yusuf"}, {record::Field::kBirthDate, "1990"}});
  EXPECT_EQ(node_->Show(aleppo, person, kNow).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(node_->Show(homs, person, kNow).ok());
  SearchQuery q;
  q.record.Set(record::Field::kFullName, "Fatima Yusuf");
  Result<std::vector<SearchHit>> hits = node_->Search(aleppo, q, kNow);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].registry_id, person);
  EXPECT_EQ((*hits)[0].held_by, "Homs");
  EXPECT_TRUE((*hits)[0].name.empty());
  Result<std::vector<SearchHit>> own = node_->Search(homs, q, kNow);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ((*own)[0].name, "Fatima Yusuf");
  EXPECT_TRUE((*own)[0].held_by.empty());
}

TEST_F(NodeTest, BulkDecryptionRaisesAnAlert) {
  Principal w = User("rana", "Aleppo", auth::Role::kCaseworker);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(Register(w, record::Kind::kPerson,
                           {{record::Field::kFullName, "Person Number" + std::string(1, 'a' + i)}}));
  }
  for (std::int64_t id : ids) ASSERT_TRUE(node_->Show(w, id, kNow).ok());
  Principal auditor = User("audra", "Geneva", auth::Role::kAuditor);
  int alerts = 0;
  ASSERT_TRUE(node_->ReadAudit(auditor, 0, 10000, [&](const store::AuditRow& r) {
                     alerts += r.action == "alert.bulk_read" && r.actor == "rana";
                     return OkStatus();
                   }).ok());
  EXPECT_EQ(alerts, 1);  // once per hour, not per read
}

TEST_F(NodeTest, RetentionShredsWhatIsPastItsReviewDate) {
  Principal w = User("rana", "Aleppo", auth::Role::kCaseworker);
  const std::int64_t id =
      Register(w, record::Kind::kPerson, {{record::Field::kFullName, "Old Record"}});
  Result<RetentionReport> early = node_->RunRetention(kNow);
  ASSERT_TRUE(early.ok());
  EXPECT_EQ(early->shredded, 0);
  // Registered at kNow with a five-year review date.
  Result<RetentionReport> late = node_->RunRetention(std::time(nullptr) + 6LL * 365 * 86400);
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(late->ids, std::vector<std::int64_t>{id});
  EXPECT_EQ(node_->Show(w, id, kNow).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kinlink::engine
