// engine::Node, cross-organisation linkage: two nodes (two registries in
// temp dirs) encode their records for a hub; the pairs pprl::LinkKle finds
// between their batches come back as partner matches and go through the
// review. The hub's HTTP side is tested in tests/hub_test.cc and
// tests/partner_sync_test.cc.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <sstream>

#include "auth/totp.h"
#include "engine/node.h"
#include "pprl/pprl.h"

namespace kinlink::engine {
namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kNow = 1'790'000'000;
constexpr char kPassword[] = "correct horse battery";

// One node: its registry, and logged-in users by name.
struct TestNode {
  std::unique_ptr<Node> node;
  std::map<std::string, Principal> users;
};

class PartnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string base = fs::temp_directory_path().string() + "/kinlink-partner-XXXXXX";
    dir_ = ::mkdtemp(base.data());
    linkage_key_ = crypto::SecretBytes::Random(crypto::kKeyBytes);
    a_ = OpenNode("a");
    b_ = OpenNode("b");
  }
  void TearDown() override {
    a_.node.reset();
    b_.node.reset();
    fs::remove_all(dir_);
  }

  TestNode OpenNode(const std::string& name) {
    TestNode t;
    const std::string data = dir_ + "/" + name;
    const std::string key = dir_ + "/" + name + ".key";
    auto reg = Registry::Create(data, KeySource::KeyFile(key), {}, "test");
    EXPECT_TRUE(reg.ok()) << reg.status().ToString();
    reg->reset();
    NodeOptions options;
    options.fast_password_hashing = true;
    options.decrypt_alert_per_hour = 0;
    auto node = Node::Open(data, KeySource::KeyFile(key), options);
    EXPECT_TRUE(node.ok()) << node.status().ToString();
    if (!node.ok()) return t;
    t.node = std::move(*node);
    PartnerLinkOptions po;
    po.linkage_key = crypto::SecretBytes::CopyOf(linkage_key_.view());
    po.schema.hardening = pprl::DefaultHardening();
    EXPECT_TRUE(t.node->EnablePartnerLinkage(std::move(po)).ok());
    for (auto [user, role] : {std::pair{"case", auth::Role::kCaseworker},
                              std::pair{"officer", auth::Role::kOfficer}}) {
      NewUser u;
      u.name = name + "-" + user;
      u.office = name + "-office";
      u.role = role;
      u.password = kPassword;
      Result<NewUserResult> added = t.node->AddUserBootstrap(u, kNow);
      EXPECT_TRUE(added.ok()) << added.status().ToString();
      std::string code;
      if (added.ok() && !added->totp_secret.empty()) {
        code = auth::TotpCode(*auth::Base32Decode(added->totp_secret), kNow);
      }
      Result<LoginResult> login = t.node->Login(u.name, kPassword, code, kNow);
      EXPECT_TRUE(login.ok()) << login.status().ToString();
      if (login.ok()) t.users[user] = login->principal;
    }
    return t;
  }

  static std::int64_t Register(TestNode& t, record::Kind kind, const char* given,
                               const char* family, const char* born, const char* place) {
    record::Record r;
    r.Set(record::Field::kGivenName, given);
    r.Set(record::Field::kFamilyName, family);
    r.Set(record::Field::kBirthDate, born);
    r.Set(record::Field::kBirthPlace, place);
    Result<std::int64_t> id = t.node->Register(t.users["case"], kind, r, kNow);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  }

  // The next batch of a node, confirmed as uploaded, parsed.
  static pprl::KleFile Upload(TestNode& t) {
    Result<std::optional<HubUpload>> up = t.node->NextHubUpload(kNow);
    EXPECT_TRUE(up.ok()) << up.status().ToString();
    if (!up.ok() || !up->has_value()) return {};
    EXPECT_TRUE(t.node->HubUploadDone((*up)->batch, kNow).ok());
    std::istringstream in((*up)->kle);
    Result<pprl::KleFile> f = pprl::ReadKle(in);
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f.ok() ? std::move(*f) : pprl::KleFile{};
  }

  // What a hub does: links the two batches and tells each side its pairs
  // under one reference per pair. (Whole-record Dice: the Fellegi–Sunter
  // model is estimated from the data, and two records a side are too few.)
  static void Exchange(const pprl::KleFile& fa, const pprl::KleFile& fb,
                       std::vector<PartnerPair>* to_a, std::vector<PartnerPair>* to_b) {
    pprl::LinkKleOptions lo;
    lo.mode = pprl::LinkMode::kDice;
    Result<pprl::LinkKleResult> r = pprl::LinkKle(fa, fb, lo);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    int n = 0;
    for (const pprl::KlePair& p : r->pairs) {
      char ref[33];
      std::snprintf(ref, sizeof ref, "%032x", 0xabc000 + n++);
      to_a->push_back({fa.refs[p.a], "node-b", ref, p.score, p.weight});
      to_b->push_back({fb.refs[p.b], "node-a", ref, p.score, p.weight});
    }
  }

  std::string dir_;
  crypto::SecretBytes linkage_key_;
  TestNode a_;
  TestNode b_;
};

TEST_F(PartnerTest, PairsFromTheHubBecomePartnerMatchesReviewedByTheOfficeHoldingTheRecord) {
  // A: a mother looking for her son; B: the son, registered by a hospital.
  const std::int64_t request =
      Register(a_, record::Kind::kRequest, "Yusuf", "Haddad", "2009-04-17", "Aleppo");
  Register(a_, record::Kind::kPerson, "Zebulon", "Quartermaine", "1950-01-01", "Perth");
  const std::int64_t person =
      Register(b_, record::Kind::kPerson, "Youssef", "Haddad", "2009-04-17", "Aleppo");
  Register(b_, record::Kind::kRequest, "Marguerite", "Vandersloot", "1962-09-30", "Ghent");

  const pprl::KleFile fa = Upload(a_);
  const pprl::KleFile fb = Upload(b_);
  ASSERT_EQ(fa.size(), 2u);
  ASSERT_EQ(fb.size(), 2u);
  std::vector<PartnerPair> to_a, to_b;
  Exchange(fa, fb, &to_a, &to_b);
  ASSERT_EQ(to_a.size(), 1u) << "only Yusuf/Youssef describe one person";

  Result<PartnerPairsSummary> sa = a_.node->AddPartnerPairs(to_a, 7, kNow);
  ASSERT_TRUE(sa.ok()) << sa.status().ToString();
  EXPECT_EQ(sa->stored, 1);
  EXPECT_EQ(sa->unknown, 0);
  EXPECT_EQ(*a_.node->HubPairsCursor(), 7);
  ASSERT_TRUE(b_.node->AddPartnerPairs(to_b, 7, kNow).ok());

  // A's queue: the request, and a person "held by partner organisation node-b".
  Result<std::vector<MatchDetail>> queue =
      a_.node->ListMatches(a_.users["case"], std::nullopt, kNow);
  ASSERT_TRUE(queue.ok()) << queue.status().ToString();
  ASSERT_EQ(queue->size(), 1u);
  const MatchDetail& m = queue->front();
  EXPECT_EQ(m.match.partner, "node-b");
  EXPECT_EQ(m.match.partner_ref, to_a[0].pair_ref);
  EXPECT_EQ(m.request.registry_id, request);
  EXPECT_TRUE(m.request.visible);
  EXPECT_EQ(m.person.registry_id, 0);
  EXPECT_TRUE(m.person.partner);
  EXPECT_FALSE(m.person.visible);
  EXPECT_EQ(m.person.office, "node-b");
  EXPECT_DOUBLE_EQ(m.match.probability, to_a[0].score);
  // B's queue shows the same pair from the person's side.
  Result<std::vector<MatchDetail>> queue_b =
      b_.node->ListMatches(b_.users["case"], std::nullopt, kNow);
  ASSERT_TRUE(queue_b.ok());
  ASSERT_EQ(queue_b->size(), 1u);
  EXPECT_EQ(queue_b->front().person.registry_id, person);
  EXPECT_TRUE(queue_b->front().request.partner);
  EXPECT_EQ(queue_b->front().match.partner_ref, to_a[0].pair_ref);

  // The review, all by A's office.
  const std::int64_t id = m.match.id;
  Result<MatchDetail> detail = a_.node->GetMatch(a_.users["case"], id, kNow);
  ASSERT_TRUE(detail.ok()) << detail.status().ToString();
  EXPECT_NE(detail->explanation.find("\"source\":\"hub\""), std::string::npos);
  ASSERT_TRUE(a_.node->ProposeMatch(a_.users["case"], id, kNow).ok());
  EXPECT_EQ(a_.node->DecideMatch(a_.users["case"], id, true, "", kNow).code(),
            StatusCode::kPermissionDenied);  // caseworkers do not decide
  ASSERT_TRUE(a_.node->DecideMatch(a_.users["officer"], id, true, "", kNow).ok());
  // The found person is in B's registry: no contact details from here.
  DisclosureInput contact;
  contact.decision = DisclosureDecision::kContact;
  Status refused = a_.node->RecordDisclosure(a_.users["officer"], id, contact, kNow);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("partner organisation node-b"), std::string::npos);
  DisclosureInput message;
  message.decision = DisclosureDecision::kMessage;
  message.message = "Youssef is safe in Gaziantep and asks his mother to call the Red Crescent.";
  ASSERT_TRUE(a_.node->RecordDisclosure(a_.users["officer"], id, message, kNow).ok());
  Result<EnquirerView> view = a_.node->GetEnquirerView(a_.users["case"], request, kNow);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->outcome, "message");
  EXPECT_EQ(view->message, message.message);
  EXPECT_EQ(view->state, CaseState::kDisclosureRecorded);

  // Another office of A, or B's staff with A's match id, see nothing.
  EXPECT_EQ(b_.node->GetMatch(b_.users["case"], id + 100, kNow).status().code(),
            StatusCode::kNotFound);

  // The same pair again (the hub delivers at least once) updates, not adds.
  ASSERT_TRUE(a_.node->AddPartnerPairs(to_a, 8, kNow).ok());
  queue = a_.node->ListMatches(a_.users["case"], std::nullopt, kNow);
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ(queue->front().status, "confirmed");
}

TEST_F(PartnerTest, BatchesGoOnceUnlessUnconfirmedAndThenUnderTheSameReferences) {
  EXPECT_FALSE(a_.node->NextHubUpload(kNow)->has_value()) << "nothing registered yet";
  Register(a_, record::Kind::kRequest, "Amina", "Okafor", "1990-02-03", "Kano");
  Register(a_, record::Kind::kPerson, "Chidi", "Okafor", "1988-11-12", "Kano");

  Result<std::optional<HubUpload>> first = a_.node->NextHubUpload(kNow);
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status().ToString();
  EXPECT_EQ((*first)->records, 2);
  EXPECT_FALSE((*first)->repeat);
  // Not confirmed (the upload failed, or its answer was lost): the same
  // batch again, same references.
  Result<std::optional<HubUpload>> again = a_.node->NextHubUpload(kNow);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_EQ((*again)->batch, (*first)->batch);
  EXPECT_TRUE((*again)->repeat);
  std::istringstream in1((*first)->kle), in2((*again)->kle);
  pprl::KleFile f1 = *pprl::ReadKle(in1), f2 = *pprl::ReadKle(in2);
  std::vector<pprl::RecordRef> r1 = f1.refs, r2 = f2.refs;
  std::sort(r1.begin(), r1.end());
  std::sort(r2.begin(), r2.end());
  EXPECT_EQ(r1, r2);
  EXPECT_TRUE(pprl::CheckKey(f1, linkage_key_).ok());

  ASSERT_TRUE(a_.node->HubUploadDone((*first)->batch, kNow).ok());
  EXPECT_FALSE(a_.node->NextHubUpload(kNow)->has_value()) << "everything was sent";
  Register(a_, record::Kind::kPerson, "Ngozi", "Eze", "1979-05-06", "Enugu");
  Result<std::optional<HubUpload>> next = a_.node->NextHubUpload(kNow);
  ASSERT_TRUE(next.ok() && next->has_value());
  EXPECT_EQ((*next)->records, 1) << "only the new record";
  EXPECT_GT((*next)->batch, (*first)->batch);
}

TEST_F(PartnerTest, MalformedPairsAreRefusedWholeAndUnknownOrErasedRecordsAreCounted) {
  const std::int64_t request =
      Register(a_, record::Kind::kRequest, "Amina", "Okafor", "1990-02-03", "Kano");
  const pprl::KleFile fa = Upload(a_);
  ASSERT_EQ(fa.size(), 1u);
  PartnerPair good{fa.refs[0], "node-b", std::string(32, 'a'), 0.97, 9.1};
  PartnerPair stranger{pprl::RecordRef{}, "node-b", std::string(32, 'b'), 0.97, 9.1};

  std::vector<PartnerPair> bad(5, good);
  bad[0].partner = "Node B";
  bad[1].partner = std::string(65, 'n');
  bad[2].pair_ref = "not-hex";
  bad[3].pair_ref = std::string(32, 'A');
  bad[4].score = 1.5;
  for (std::size_t i = 0; i < bad.size(); ++i) {
    Result<PartnerPairsSummary> r = a_.node->AddPartnerPairs({good, bad[i]}, 3, kNow);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << i;
  }
  EXPECT_EQ(*a_.node->HubPairsCursor(), 0) << "nothing of a refused page is kept";
  EXPECT_TRUE(a_.node->ListMatches(a_.users["case"], std::nullopt, kNow)->empty());

  Result<PartnerPairsSummary> r = a_.node->AddPartnerPairs({good, stranger}, 3, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stored, 1);
  EXPECT_EQ(r->unknown, 1);
  EXPECT_EQ(a_.node->AddPartnerPairs({}, 2, kNow).status().code(),
            StatusCode::kInvalidArgument)
      << "the cursor does not go back";

  // Erasing the request takes its partner match, and later pairs naming it
  // find nothing.
  Result<RetentionReport> shred = a_.node->RunRetention(kNow + 100LL * 365 * 86400);
  ASSERT_TRUE(shred.ok()) << shred.status().ToString();
  EXPECT_EQ(shred->ids, (std::vector<std::int64_t>{request}));
  EXPECT_TRUE(a_.node->ListMatches(a_.users["case"], std::nullopt, kNow)->empty());
  good.pair_ref = std::string(32, 'c');
  r = a_.node->AddPartnerPairs({good}, 4, kNow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->unknown, 1);
}

TEST(PartnerOptionsTest, NodeRefusesABadKeyOrBatchAndWorksOnlyWhenEnabled) {
  std::string base = fs::temp_directory_path().string() + "/kinlink-partner-XXXXXX";
  const std::string dir = ::mkdtemp(base.data());
  ASSERT_TRUE(Registry::Create(dir + "/d", KeySource::KeyFile(dir + "/k"), {}, "t").ok());
  NodeOptions options;
  options.fast_password_hashing = true;
  auto node = Node::Open(dir + "/d", KeySource::KeyFile(dir + "/k"), options);
  ASSERT_TRUE(node.ok());
  EXPECT_EQ((*node)->NextHubUpload(kNow).status().code(), StatusCode::kFailedPrecondition);
  PartnerLinkOptions po;
  po.linkage_key = crypto::SecretBytes::Random(16);
  EXPECT_EQ((*node)->EnablePartnerLinkage(std::move(po)).code(), StatusCode::kInvalidArgument);
  PartnerLinkOptions big;
  big.linkage_key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  big.batch_records = kMaxHubBatchRecords + 1;
  EXPECT_EQ((*node)->EnablePartnerLinkage(std::move(big)).code(), StatusCode::kInvalidArgument);
  node->reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kinlink::engine
