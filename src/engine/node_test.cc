// engine::Node: accounts, sessions, the authorisation rule and the whole
// tracing workflow on a real registry (SQLite in a temp dir).
#include "engine/node.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

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

// Every audit entry, one line each: actor action target detail.
std::vector<std::string> AuditLines(Node& node, const Principal& auditor) {
  std::vector<std::string> lines;
  Status s = node.ReadAudit(auditor, 0, 10000, [&](const store::AuditRow& r) {
    lines.push_back(r.actor + " " + r.action + " " + r.target + " " + r.detail);
    return OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return lines;
}

std::vector<std::string> WithAction(const std::vector<std::string>& lines,
                                    const std::string& action) {
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    if (l.find(" " + action + " ") != std::string::npos) out.push_back(l);
  }
  return out;
}

// Every file under `dir`, relative.
std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(NodeTest, ImportCsvStoresGoodRowsInTheCallersOfficeAndMatchesThem) {
  Principal aleppo = User("rana", "Aleppo", auth::Role::kCaseworker);
  Principal homs = User("lina", "Homs", auth::Role::kCaseworker);
  const std::int64_t request = Register(aleppo, record::Kind::kRequest,
                                        {{record::Field::kGivenName, "Mohamad"},
                                         {record::Field::kFamilyName, "Alhasan"},
                                         {record::Field::kBirthDate, "1987-03-12"},
                                         {record::Field::kSex, "m"},
                                         {record::Field::kBirthPlace, "Homs"}});
  const std::vector<std::string> files_before = FilesUnder(dir_);

  const std::string csv =
      "id,given_name,family_name,birth_date,sex,birth_place,soc_sec_id\n"
      "h-1,Mohamad,Alhasan,1987-03-12,m,Homs,111\n"
      "h-2,Rana,Canarytest,1987-02-30,f,Homs,222\n"  // no such day
      "h-1,Fatima,Yusuf,1990,f,Hama,333\n"           // the id of line 2 again
      "h-4,Layla,Haddad,1992,f,Hama,444\n";
  Result<ImportSummary> s = node_->ImportCsv(homs, record::Kind::kPerson, csv, false, kNow);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows, 4);
  EXPECT_EQ(s->accepted, 2);
  EXPECT_EQ(s->rejected, 2);
  EXPECT_GT(s->import_id, 0);
  EXPECT_EQ(s->first_id, request + 1);
  EXPECT_EQ(s->last_id, request + 2);
  EXPECT_EQ(s->potential_matches, 1);
  EXPECT_TRUE(s->index_status.ok());
  EXPECT_TRUE(s->rejects_path.empty());
  ASSERT_EQ(s->issues.size(), 2u);
  EXPECT_EQ(s->issues[0].line, 3u);
  EXPECT_EQ(s->issues[0].column, 4u);
  EXPECT_EQ(s->issues[0].column_name, "birth_date");
  EXPECT_EQ(s->issues[1].ToString(), "line 4, column 1 (id): duplicate id: the same id as line 2");
  for (const formats::RowIssue& issue : s->issues) {
    EXPECT_EQ(issue.reason.find("Canarytest"), std::string::npos);
    EXPECT_EQ(issue.reason.find("1987-02-30"), std::string::npos);
  }
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_NE(s->warnings[0].find("column 7 (soc_sec_id)"), std::string::npos);
  ASSERT_EQ(s->columns.size(), 7u);
  EXPECT_EQ(s->columns[1].name, "given_name");
  EXPECT_EQ(s->columns[1].field, record::Field::kGivenName);
  EXPECT_EQ(s->columns[6].field, std::nullopt);

  // The records are the caller's office's, like a registration.
  Result<RecordView> first = node_->Show(homs, s->first_id, kNow);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->record.Get(record::Field::kId), "h-1");
  EXPECT_EQ(first->created_at, kNow);
  EXPECT_EQ(node_->Show(aleppo, s->first_id, kNow).status().code(), StatusCode::kPermissionDenied);
  // Indexed and matched at once: the request's office sees the match.
  Result<std::vector<MatchDetail>> queue = node_->ListMatches(aleppo, std::nullopt, kNow);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ((*queue)[0].request.registry_id, request);
  EXPECT_EQ((*queue)[0].person.registry_id, s->first_id);
  EXPECT_EQ((*queue)[0].person.office, "Homs");

  // Nothing of the upload was written to a file (no rejects file).
  EXPECT_EQ(FilesUnder(dir_), files_before);

  // One import entry, as the caller, with counts and ids only.
  Principal auditor = User("audra", "Geneva", auth::Role::kAuditor);
  const std::vector<std::string> lines = AuditLines(*node_, auditor);
  const std::vector<std::string> imports = WithAction(lines, "import");
  ASSERT_EQ(imports.size(), 1u);
  EXPECT_EQ(imports[0].rfind("lina import import:", 0), 0u) << imports[0];
  for (const std::string& l : lines) {
    EXPECT_EQ(l.find("Canarytest"), std::string::npos) << l;
    EXPECT_EQ(l.find("Haddad"), std::string::npos) << l;
  }

  // The node's retention applies: due five years on, like the registration.
  Result<RetentionReport> early = node_->RunRetention(kNow + NodeOptions{}.default_retention_s - 1);
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_EQ(early->shredded, 0);
  Result<RetentionReport> due = node_->RunRetention(kNow + NodeOptions{}.default_retention_s);
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  EXPECT_EQ(due->ids, (std::vector<std::int64_t>{request, s->first_id, s->last_id}));
}

TEST_F(NodeTest, ImportCsvDryRunChecksEverythingAndStoresNothing) {
  Principal homs = User("lina", "Homs", auth::Role::kCaseworker);
  const std::int64_t held =
      Register(homs, record::Kind::kPerson,
               {{record::Field::kId, "h-9"}, {record::Field::kFullName, "Nour Salem"}});
  const std::vector<std::string> files_before = FilesUnder(dir_);
  const std::string csv =
      "id,full_name,birth_date\n"
      "h-1,Mohamad Alhasan,1987\n"
      "h-9,Layla Haddad,1990\n"     // the registry holds h-9
      "h-1,Fatima Yusuf,1991\n"     // the id of line 2 again
      "h-3,Rana Canarytest,19xx\n"  // a bad date
      "h-4,Omar Salem,1970\n";
  Result<ImportSummary> dry = node_->ImportCsv(homs, record::Kind::kPerson, csv, true, kNow);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->rows, 5);
  EXPECT_EQ(dry->accepted, 2);
  EXPECT_EQ(dry->rejected, 3);
  EXPECT_EQ(dry->import_id, 0);
  EXPECT_EQ(dry->first_id, 0);
  EXPECT_EQ(dry->potential_matches, 0);
  ASSERT_EQ(dry->issues.size(), 3u);
  EXPECT_EQ(dry->issues[0].ToString(),
            "line 3, column 1 (id): duplicate id: the registry already holds a person with this "
            "id (" +
                FormatRegistryId(held) + ")");
  EXPECT_EQ(dry->issues[1].ToString(),
            "line 4, column 1 (id): duplicate id: the same id as line 2");
  EXPECT_EQ(dry->issues[2].line, 5u);
  EXPECT_EQ(dry->issues[2].column_name, "birth_date");

  // A real import of the same file agrees with the dry run.
  Principal auditor = User("audra", "Geneva", auth::Role::kAuditor);
  const std::vector<std::string> lines = AuditLines(*node_, auditor);
  // Nothing stored: no record after the one registered, no import, no file.
  EXPECT_EQ(node_->Show(homs, held + 1, kNow).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(WithAction(lines, "import").empty());
  EXPECT_EQ(FilesUnder(dir_), files_before);
  // One audit entry, counts only.
  const std::vector<std::string> checks = WithAction(lines, "import.dry_run");
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0],
            R"(lina import.dry_run import:- {"kind":"person","rows":5,"accepted":2,"rejected":3})");

  Result<ImportSummary> real = node_->ImportCsv(homs, record::Kind::kPerson, csv, false, kNow);
  ASSERT_TRUE(real.ok()) << real.status().ToString();
  EXPECT_EQ(real->accepted, dry->accepted);
  EXPECT_EQ(real->rejected, dry->rejected);
  ASSERT_EQ(real->issues.size(), dry->issues.size());
  for (std::size_t i = 0; i < real->issues.size(); ++i) {
    EXPECT_EQ(real->issues[i].ToString(), dry->issues[i].ToString());
  }
}

TEST_F(NodeTest, ImportCsvRefusesWholeFileErrorsAndOtherRoles) {
  Principal worker = User("lina", "Homs", auth::Role::kCaseworker);
  Principal admin = User("root", "Geneva", auth::Role::kAdmin);
  Principal auditor = User("audra", "Geneva", auth::Role::kAuditor);
  const std::string good = "full_name\nNour Salem\n";
  for (const Principal& p : {admin, auditor}) {
    EXPECT_EQ(node_->ImportCsv(p, record::Kind::kPerson, good, false, kNow).status().code(),
              StatusCode::kPermissionDenied);
  }
  struct Case {
    std::string csv;
    std::string message;
  };
  const Case cases[] = {
      {"", "file is empty: expected a header row"},
      {"id,birth_date\n1,1990\n", "no name column"},
      {"full_name,id,full_name\nA,1,B\n", "header column 3 (full_name) repeats column 1"},
  };
  for (const Case& c : cases) {
    for (bool dry_run : {true, false}) {
      Result<ImportSummary> s =
          node_->ImportCsv(worker, record::Kind::kRequest, c.csv, dry_run, kNow);
      EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << c.csv;
      EXPECT_NE(s.status().message().find(c.message), std::string::npos) << s.status().ToString();
    }
  }
  // Nothing was audited as an import.
  const std::vector<std::string> lines = AuditLines(*node_, auditor);
  EXPECT_TRUE(WithAction(lines, "import").empty());
  EXPECT_TRUE(WithAction(lines, "import.dry_run").empty());
}

TEST_F(NodeTest, CaseloadListsTheOfficesRequestsNewestFirstWithMatchCounts) {
  Principal worker = User("rana", "Aleppo", auth::Role::kCaseworker);
  Principal officer = User("samir", "Aleppo", auth::Role::kOfficer);
  Principal homs = User("lina", "Homs", auth::Role::kCaseworker);
  const std::int64_t r1 = Register(worker, record::Kind::kRequest,
                                   {{record::Field::kGivenName, "Mohamad"},
                                    {record::Field::kFamilyName, "Alhasan"},
                                    {record::Field::kBirthDate, "1987-03-12"},
                                    {record::Field::kSex, "m"},
                                    {record::Field::kBirthPlace, "Homs"}});
  const std::int64_t other =
      Register(homs, record::Kind::kRequest, {{record::Field::kFullName, "Nour Salem"}});
  const std::int64_t r2 =
      Register(worker, record::Kind::kRequest, {{record::Field::kFullName, "Layla Haddad"}});
  const std::int64_t p1 = Register(homs, record::Kind::kPerson,
                                   {{record::Field::kGivenName, "Mohamad"},
                                    {record::Field::kFamilyName, "Alhasan"},
                                    {record::Field::kBirthDate, "1987-03-12"},
                                    {record::Field::kSex, "m"},
                                    {record::Field::kBirthPlace, "Homs"}});
  const std::int64_t r3 =
      Register(worker, record::Kind::kRequest, {{record::Field::kFullName, "Omar Yusuf"}});
  ASSERT_GT(p1, 0);
  ASSERT_GT(other, 0);
  Result<std::vector<MatchDetail>> queue = node_->ListMatches(worker, std::nullopt, kNow);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);
  ASSERT_TRUE(node_->ProposeMatch(worker, (*queue)[0].match.id, kNow).ok());
  ASSERT_TRUE(node_->DecideMatch(officer, (*queue)[0].match.id, true, "", kNow).ok());

  Result<std::vector<CaseSummary>> cases = node_->ListCases(worker, kDefaultCaseloadLimit, kNow);
  ASSERT_TRUE(cases.ok()) << cases.status().ToString();
  ASSERT_EQ(cases->size(), 3u);
  EXPECT_EQ((*cases)[0].request_id, r3);
  EXPECT_EQ((*cases)[0].name, "Omar Yusuf");
  EXPECT_EQ((*cases)[0].state, CaseState::kOpen);
  EXPECT_EQ((*cases)[1].request_id, r2);
  const CaseSummary& c1 = (*cases)[2];
  EXPECT_EQ(c1.request_id, r1);
  EXPECT_EQ(c1.name, "Mohamad Alhasan");  // given + family, as search names it
  EXPECT_EQ(c1.state, CaseState::kMatchConfirmed);
  EXPECT_GT(c1.created_at, 0);
  EXPECT_EQ(c1.potential, 0);
  EXPECT_EQ(c1.proposed, 0);
  EXPECT_EQ(c1.confirmed, 1);
  EXPECT_EQ(c1.rejected, 0);

  // A limit takes the newest.
  Result<std::vector<CaseSummary>> two = node_->ListCases(officer, 2, kNow);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].request_id, r3);
  EXPECT_EQ((*two)[1].request_id, r2);
  // Homs sees its own request only; admins none.
  Result<std::vector<CaseSummary>> theirs = node_->ListCases(homs, 50, kNow);
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->size(), 1u);
  EXPECT_EQ((*theirs)[0].request_id, other);
  Principal admin = User("root", "Aleppo", auth::Role::kAdmin);
  EXPECT_EQ(node_->ListCases(admin, 50, kNow).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(node_->ListCases(worker, 0, kNow).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(node_->ListCases(worker, kMaxCaseloadLimit + 1, kNow).status().code(),
            StatusCode::kInvalidArgument);

  // One entry per listing, ids and counts only.
  Principal auditor = User("audra", "Geneva", auth::Role::kAuditor);
  const std::vector<std::string> reads = WithAction(AuditLines(*node_, auditor), "cases.read");
  ASSERT_EQ(reads.size(), 3u);
  EXPECT_EQ(reads[0],
            "rana cases.read " + CompressIdRanges({r1, r2, r3}) + R"( {"cases":3,"limit":50})");
  for (const std::string& l : reads) EXPECT_EQ(l.find("Yusuf"), std::string::npos);
}

TEST_F(NodeTest, CaseloadNamesCountTowardTheBulkReadAlert) {
  Principal w = User("rana", "Aleppo", auth::Role::kCaseworker);
  for (int i = 0; i < 4; ++i) {
    Register(w, record::Kind::kRequest,
             {{record::Field::kFullName, "Sought Person" + std::string(1, 'a' + i)}});
  }
  // decrypt_alert_per_hour is 3 in this fixture: four names pass it.
  ASSERT_TRUE(node_->ListCases(w, 50, kNow).ok());
  Principal auditor = User("audra", "Geneva", auth::Role::kAuditor);
  EXPECT_EQ(WithAction(AuditLines(*node_, auditor), "alert.bulk_read").size(), 1u);
}

TEST_F(NodeTest, OfficesAreListedWithTheirAccountCountsForAdminsOnly) {
  Principal admin = User("root", "Geneva", auth::Role::kAdmin);
  Principal worker = User("rana", "Aleppo", auth::Role::kCaseworker);
  User("samir", "Aleppo", auth::Role::kOfficer);
  User("lina", "Homs", auth::Role::kCaseworker);
  Result<std::vector<OfficeView>> offices = node_->ListOffices(admin);
  ASSERT_TRUE(offices.ok()) << offices.status().ToString();
  ASSERT_EQ(offices->size(), 3u);
  EXPECT_EQ((*offices)[0].name, "Geneva");
  EXPECT_EQ((*offices)[0].users, 1);
  EXPECT_EQ((*offices)[1].name, "Aleppo");
  EXPECT_EQ((*offices)[1].users, 2);
  EXPECT_EQ((*offices)[1].id, worker.office_id);
  EXPECT_EQ((*offices)[2].name, "Homs");
  EXPECT_EQ((*offices)[2].users, 1);
  EXPECT_EQ(node_->ListOffices(worker).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(NodeTest, MatchDetailTellsHowCommonTheRequestsNamePartsAre) {
  Principal aleppo = User("rana", "Aleppo", auth::Role::kCaseworker);
  Principal homs = User("lina", "Homs", auth::Role::kCaseworker);
  const std::int64_t request = Register(aleppo, record::Kind::kRequest,
                                        {{record::Field::kGivenName, "Mohamad"},
                                         {record::Field::kFamilyName, "Alhasan"},
                                         {record::Field::kBirthDate, "1987-03-12"},
                                         {record::Field::kSex, "m"},
                                         {record::Field::kBirthPlace, "Homs"}});
  // The request's given name, in other spellings and scripts (one consonant
  // skeleton, "mhmd"), on both kinds and in other offices ...
  Register(homs, record::Kind::kPerson,
           {{record::Field::kGivenName, "Mohamad"},
            {record::Field::kFamilyName, "Alhasan"},
            {record::Field::kBirthDate, "1987-03-12"},
            {record::Field::kSex, "m"},
            {record::Field::kBirthPlace, "Homs"}});
  Register(homs, record::Kind::kPerson,
           {{record::Field::kGivenName, "Muhammad"}, {record::Field::kFamilyName, "Haddad"}});
  Register(homs, record::Kind::kPerson,
           {{record::Field::kGivenName, "محمد"}, {record::Field::kFamilyName, "Yusuf"}});
  Register(homs, record::Kind::kRequest,
           {{record::Field::kGivenName, "Mohammed"}, {record::Field::kFamilyName, "Salem"}});
  // ... its family name ...
  Register(homs, record::Kind::kPerson,
           {{record::Field::kGivenName, "Rana"}, {record::Field::kFamilyName, "Alhasan"}});
  // ... and neither.
  Register(homs, record::Kind::kPerson,
           {{record::Field::kGivenName, "Layla"}, {record::Field::kFamilyName, "Haddad"}});

  Result<std::vector<MatchDetail>> queue = node_->ListMatches(aleppo, std::nullopt, kNow);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_FALSE(queue->empty());
  const std::int64_t match_id = (*queue)[0].match.id;
  ASSERT_EQ((*queue)[0].request.registry_id, request);
  // The list does not compute it.
  EXPECT_FALSE((*queue)[0].name_frequency.given_name.has_value());

  Result<MatchDetail> d = node_->GetMatch(aleppo, match_id, kNow);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  // The request itself, the matching person and the three other spellings.
  EXPECT_EQ(d->name_frequency.given_name, 5);
  // The request, the matching person, Rana Alhasan.
  EXPECT_EQ(d->name_frequency.family_name, 3);
  // The person's office gets the same numbers (no names, counts only).
  Result<MatchDetail> theirs = node_->GetMatch(homs, match_id, kNow);
  ASSERT_TRUE(theirs.ok());
  EXPECT_EQ(theirs->name_frequency.given_name, 5);

  // A request without a given name has no given-name count.
  const std::int64_t family_only = Register(aleppo, record::Kind::kRequest,
                                            {{record::Field::kFamilyName, "Alhasan"},
                                             {record::Field::kBirthDate, "1987-03-12"},
                                             {record::Field::kSex, "m"},
                                             {record::Field::kBirthPlace, "Homs"}});
  Result<std::vector<MatchDetail>> more = node_->ListMatches(aleppo, std::nullopt, kNow);
  ASSERT_TRUE(more.ok());
  std::optional<std::int64_t> family_match;
  for (const MatchDetail& m : *more) {
    if (m.request.registry_id == family_only) family_match = m.match.id;
  }
  ASSERT_TRUE(family_match.has_value()) << "no match for the family-name-only request";
  Result<MatchDetail> partial = node_->GetMatch(aleppo, *family_match, kNow);
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  EXPECT_FALSE(partial->name_frequency.given_name.has_value());
  EXPECT_EQ(partial->name_frequency.family_name, 4);
}

}  // namespace
}  // namespace kinlink::engine
