#include "hub/hub.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "crypto/crypto.h"
#include "synth/synth.h"

namespace kinlink::hub {
namespace {

using ::testing::HasSubstr;

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/hubXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Records [from, to) of one synthetic population, ids "p<i>".
  static linkage::Dataset People(int from, int to) {
    synth::Generator gen({.seed = 11});
    linkage::Dataset d;
    for (int i = 0; i < to; ++i) {
      record::Record r = gen.Next();
      if (i < from) continue;
      d.records.push_back(std::move(r));
      d.ids.push_back("p" + std::to_string(i));
    }
    return d;
  }
  // Encoded bytes; `ids` gets ref hex → source id.
  static std::string Encode(const linkage::Dataset& d, const crypto::SecretBytes& key,
                            std::map<std::string, std::string>* ids, bool xor_fold = true) {
    pprl::EncodeOptions eo;
    eo.schema.hardening = pprl::DefaultHardening();
    eo.schema.hardening.xor_fold = xor_fold;
    eo.threads = 2;
    std::ostringstream out;
    std::vector<pprl::RefIndex> refs;
    EXPECT_TRUE(pprl::EncodeDataset(d, key, eo, out, &refs).ok());
    for (const pprl::RefIndex& r : refs) (*ids)[pprl::RefHex(r.ref)] = d.ids[r.index];
    return out.str();
  }

  std::string dir_;
};

TEST_F(HubTest, NodeKeysAreShownOnceAndRevocationEndsThem) {
  auto hub = Hub::Open(dir_, {});
  ASSERT_TRUE(hub.ok()) << hub.status().message();
  Result<NewNode> a = (*hub)->AddNode("amman", 100);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->api_key.size(), kApiKeyPrefix.size() + 64);
  EXPECT_EQ(a->api_key.rfind(kApiKeyPrefix, 0), 0u);
  EXPECT_EQ((*hub)->AddNode("amman", 100).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ((*hub)->AddNode("Bad Name", 100).status().code(), StatusCode::kInvalidArgument);
  Result<NodeInfo> who = (*hub)->Authenticate(a->api_key);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->name, "amman");
  std::string wrong = a->api_key;
  wrong.back() = wrong.back() == '0' ? '1' : '0';
  for (const std::string& bad : {wrong, std::string("klh_x"), std::string()}) {
    Result<NodeInfo> r = (*hub)->Authenticate(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(r.status().message(), kBadApiKeyMessage);
  }
  ASSERT_TRUE((*hub)->RevokeNode("amman").ok());
  EXPECT_EQ((*hub)->RevokeNode("nobody").code(), StatusCode::kNotFound);
  EXPECT_EQ((*hub)->Authenticate(a->api_key).status().message(), kBadApiKeyMessage);
  Result<std::vector<NodeInfo>> nodes = (*hub)->ListNodes();
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_TRUE((*nodes)[0].revoked);
  const std::string key = a->api_key;
  hub->reset();
  // The key itself is nowhere in the database.
  for (const auto& f : std::filesystem::directory_iterator(dir_)) {
    std::ifstream in(f.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(bytes.str().find(key.substr(kApiKeyPrefix.size())), std::string::npos) << f.path();
  }
}

TEST_F(HubTest, UploadsLinkAcrossNodesOnlyAndRefuseIncomparableFiles) {
  auto hub = Hub::Open(dir_, {});
  ASSERT_TRUE(hub.ok());
  const auto a = (*hub)->AddNode("a", 1);
  const auto b = (*hub)->AddNode("b", 1);
  ASSERT_TRUE(a.ok() && b.ok());
  crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  std::map<std::string, std::string> ids;
  const std::string ka = Encode(People(0, 200), key, &ids);
  const std::string kb = Encode(People(100, 300), key, &ids);

  Result<UploadResult> ua = (*hub)->AddEncodings(a->node.id, ka, 2);
  ASSERT_TRUE(ua.ok()) << ua.status().message();
  EXPECT_EQ(ua->records, 200u);
  EXPECT_EQ(ua->pairs, 0u);  // nobody to compare with, and never with itself
  EXPECT_EQ((*hub)->AddEncodings(a->node.id, ka, 2).status().code(), StatusCode::kAlreadyExists);
  Result<UploadResult> ub = (*hub)->AddEncodings(b->node.id, kb, 3);
  ASSERT_TRUE(ub.ok()) << ub.status().message();
  EXPECT_EQ(ub->partners, 1u);
  EXPECT_GE(ub->pairs, 95u);

  Result<PairsPage> pa = (*hub)->Pairs(a->node.id, 0, kMaxPairsPage);
  Result<PairsPage> pb = (*hub)->Pairs(b->node.id, 0, kMaxPairsPage);
  ASSERT_TRUE(pa.ok() && pb.ok());
  ASSERT_EQ(pa->pairs.size(), ub->pairs);
  ASSERT_EQ(pb->pairs.size(), ub->pairs);
  std::map<std::string, std::string> a_side;  // pair ref → a's source id
  for (const DeliveredPair& p : pa->pairs) {
    EXPECT_EQ(p.partner, "b");
    a_side[p.partner_ref] = ids.at(pprl::RefHex(p.own_ref));
  }
  std::set<std::string> same;  // the people both hold, found
  for (const DeliveredPair& p : pb->pairs) {
    EXPECT_EQ(p.partner, "a");
    ASSERT_TRUE(a_side.count(p.partner_ref));
    if (a_side[p.partner_ref] == ids.at(pprl::RefHex(p.own_ref)))
      same.insert(a_side[p.partner_ref]);
  }
  EXPECT_EQ(same.size(), 100u);
  // Paging and the delivery cursor.
  Result<PairsPage> first = (*hub)->Pairs(a->node.id, 0, 10);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->pairs.size(), 10u);
  EXPECT_TRUE(first->more);
  ASSERT_TRUE((*hub)->Pairs(a->node.id, first->next, 1).ok());
  Result<PairsPage> rest = (*hub)->Pairs(a->node.id, std::nullopt, kMaxPairsPage);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(rest->pairs.size(), ub->pairs - 10);
  EXPECT_FALSE(rest->more);
  EXPECT_EQ((*hub)->Pairs(a->node.id, -1, 10).status().code(), StatusCode::kInvalidArgument);

  // Another key, another schema, a truncated file.
  crypto::SecretBytes other = crypto::SecretBytes::Random(crypto::kKeyBytes);
  Result<UploadResult> wrong_key =
      (*hub)->AddEncodings(b->node.id, Encode(People(300, 320), other, &ids), 4);
  EXPECT_EQ(wrong_key.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(wrong_key.status().message(), HasSubstr("wrong linkage key"));
  Result<UploadResult> unfolded =
      (*hub)->AddEncodings(b->node.id, Encode(People(300, 320), key, &ids, false), 4);
  EXPECT_EQ(unfolded.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(unfolded.status().message(), HasSubstr("schema mismatch: "));
  const std::string more = Encode(People(300, 320), key, &ids);
  Result<UploadResult> cut =
      (*hub)->AddEncodings(b->node.id, std::string_view(more).substr(0, more.size() - 7), 4);
  EXPECT_EQ(cut.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(cut.status().message(), HasSubstr("truncated"));
  // A revoked node's records meet no new upload.
  const auto c = (*hub)->AddNode("c", 5);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE((*hub)->RevokeNode("b").ok());
  Result<UploadResult> uc =
      (*hub)->AddEncodings(c->node.id, Encode(People(150, 160), key, &ids), 5);
  ASSERT_TRUE(uc.ok());
  EXPECT_EQ(uc->partners, 1u);
  EXPECT_EQ(uc->partner_records, 200u);
}

// A pool pinned by a `.kle` file refuses even a first upload made under
// another linkage key; a hub cannot be reopened with another pin.
TEST_F(HubTest, APinnedPoolRefusesAnotherKeyFromTheFirstUpload) {
  crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  crypto::SecretBytes other = crypto::SecretBytes::Random(crypto::kKeyBytes);
  std::map<std::string, std::string> ids;
  const std::string pin_path = dir_ + "/pin.kle";
  std::ofstream(pin_path, std::ios::binary) << Encode(People(0, 5), key, &ids);
  Result<PoolSpec> pin = ReadPoolFile(pin_path);
  ASSERT_TRUE(pin.ok()) << pin.status().message();
  ASSERT_TRUE(pin->key_check.has_value());
  HubOptions options;
  options.schema = pin->schema;
  options.key_check = pin->key_check;
  {
    auto hub = Hub::Open(dir_ + "/hub", options);
    ASSERT_TRUE(hub.ok()) << hub.status().message();
    const auto a = (*hub)->AddNode("a", 1);
    ASSERT_TRUE(a.ok());
    Result<UploadResult> wrong =
        (*hub)->AddEncodings(a->node.id, Encode(People(0, 20), other, &ids), 2);
    EXPECT_EQ(wrong.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_THAT(wrong.status().message(), HasSubstr("wrong linkage key"));
    EXPECT_TRUE((*hub)->AddEncodings(a->node.id, Encode(People(0, 20), key, &ids), 2).ok());
  }
  std::ofstream(pin_path, std::ios::binary) << Encode(People(0, 5), other, &ids);
  Result<PoolSpec> other_pin = ReadPoolFile(pin_path);
  ASSERT_TRUE(other_pin.ok());
  options.key_check = other_pin->key_check;
  auto again = Hub::Open(dir_ + "/hub", options);
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  // The schema's text lines pin the schema alone.
  std::ofstream(dir_ + "/schema.txt") << pin->schema.ToText();
  Result<PoolSpec> text = ReadPoolFile(dir_ + "/schema.txt");
  ASSERT_TRUE(text.ok()) << text.status().message();
  EXPECT_TRUE(text->schema == pin->schema);
  EXPECT_FALSE(text->key_check.has_value());
}

// Pools of a record or two still link (the model's estimation has little
// to go on, but an upload is never refused for it).
TEST_F(HubTest, TinyPoolsStillLink) {
  auto hub = Hub::Open(dir_, {});
  ASSERT_TRUE(hub.ok());
  const auto a = (*hub)->AddNode("a", 1);
  const auto b = (*hub)->AddNode("b", 1);
  ASSERT_TRUE(a.ok() && b.ok());
  crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  std::map<std::string, std::string> ids;
  ASSERT_TRUE((*hub)->AddEncodings(a->node.id, Encode(People(0, 1), key, &ids), 2).ok());
  Result<UploadResult> one = (*hub)->AddEncodings(b->node.id, Encode(People(0, 1), key, &ids), 3);
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(one->partners, 1u);
  Result<UploadResult> two = (*hub)->AddEncodings(b->node.id, Encode(People(1, 3), key, &ids), 4);
  ASSERT_TRUE(two.ok()) << two.status().message();
}

}  // namespace
}  // namespace kinlink::hub
