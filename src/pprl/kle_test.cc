#include "pprl/kle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "pprl/pprl.h"

namespace kinlink::pprl {
namespace {

using ::testing::HasSubstr;

linkage::Dataset People() {
  linkage::Dataset d;
  struct P {
    const char* given;
    const char* family;
    const char* born;
    const char* town;
  };
  const P people[] = {
      {"Zebulon", "Quartermaine", "1984-03-12", "Wollongong"},
      {"Xanthippe", "Okonkwo-Barrett", "1990-11-02", "Toowoomba"},
      {"Mohammed", "Alhassan", "1975-01-30", "Homs"},
      {"Marguerite", "Vandersloot", "2001-07-19", "Ballarat"},
  };
  for (const P& p : people) {
    record::Record r;
    r.Set(record::Field::kGivenName, p.given);
    r.Set(record::Field::kFamilyName, p.family);
    r.Set(record::Field::kBirthDate, p.born);
    r.Set(record::Field::kLocality, p.town);
    d.ids.push_back(std::string("src-") + p.given);
    d.records.push_back(std::move(r));
  }
  return d;
}

struct Encoded {
  std::string bytes;
  std::vector<RefIndex> refs;
};

Encoded Encode(const linkage::Dataset& d, const crypto::SecretBytes& key,
               linkage::BloomHardening h = DefaultHardening()) {
  EncodeOptions eo;
  eo.schema.hardening = h;
  eo.threads = 2;
  std::ostringstream out;
  Encoded e;
  Result<EncodeStats> s = EncodeDataset(d, key, eo, out, &e.refs);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  e.bytes = out.str();
  return e;
}

Result<KleFile> Parse(const std::string& bytes) {
  std::istringstream in(bytes);
  return ReadKle(in);
}

TEST(KleTest, RoundTripKeepsEverything) {
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  const Encoded e = Encode(People(), key);
  ASSERT_EQ(e.refs.size(), 4u);
  Result<KleFile> f = Parse(e.bytes);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->size(), 4u);
  EXPECT_EQ(f->schema.hardening, DefaultHardening());
  for (std::size_t i = 0; i < f->size(); ++i) {
    EXPECT_EQ(f->refs[i], e.refs[i].ref);
    EXPECT_EQ(f->record_filters[i].bits(), f->schema.RecordFilterBits());
    EXPECT_GT(f->record_filters[i].PopCount(), 0u);
  }
  // Writing the parsed file again gives the same bytes.
  std::ostringstream again;
  ASSERT_TRUE(WriteKle(*f, again).ok());
  EXPECT_EQ(again.str(), e.bytes);
  EXPECT_TRUE(CheckKey(*f, key).ok());
}

// Over 2 MiB of records, so the writer hands several blocks to the stream.
TEST(KleTest, ManyChunksKeepEveryRecordOnce) {
  constexpr int kRecords = 3000;
  linkage::Dataset d;
  for (int i = 0; i < kRecords; ++i) {
    record::Record r;
    r.Set(record::Field::kGivenName, "Given" + std::to_string(i % 37));
    r.Set(record::Field::kFamilyName, "Family" + std::to_string(i));
    r.Set(record::Field::kBirthDate, std::to_string(1950 + i % 50) + "-01-01");
    d.ids.push_back("id" + std::to_string(i));
    d.records.push_back(std::move(r));
  }
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{97}, std::size_t{kRecords}}) {
    EncodeOptions eo;
    eo.threads = 3;
    eo.chunk_records = chunk;
    std::vector<std::uint64_t> progress;
    eo.progress = [&](std::uint64_t done, std::uint64_t) { progress.push_back(done); };
    std::ostringstream out;
    std::vector<RefIndex> refs;
    Result<EncodeStats> s = EncodeDataset(d, key, eo, out, &refs);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    ASSERT_EQ(refs.size(), std::size_t{kRecords});
    std::vector<int> seen(kRecords, 0);
    for (const RefIndex& r : refs) ++seen[r.index];
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), kRecords);
    // Written in a random order, each under its own reference.
    std::size_t in_place = 0;
    for (std::size_t i = 0; i < refs.size(); ++i) in_place += refs[i].index == i ? 1 : 0;
    EXPECT_LT(in_place, refs.size() / 10);
    std::set<RecordRef> distinct;
    for (const RefIndex& r : refs) distinct.insert(r.ref);
    EXPECT_EQ(distinct.size(), refs.size());
    ASSERT_FALSE(progress.empty());
    EXPECT_EQ(progress.back(), std::uint64_t{kRecords});
    Result<KleFile> f = Parse(out.str());
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_GT(out.str().size(), std::size_t{2} << 20);
    ASSERT_EQ(f->size(), std::size_t{kRecords});
    for (std::size_t i = 0; i < refs.size(); ++i) EXPECT_EQ(f->refs[i], refs[i].ref);
  }
}

TEST(KleTest, GivenReferencesNameEachRecordAndAWrongCountIsRefused) {
  const linkage::Dataset d = People();
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  std::vector<RecordRef> given(d.records.size());
  for (std::size_t i = 0; i < given.size(); ++i) given[i].fill(static_cast<std::uint8_t>(0xa0 + i));
  EncodeOptions eo;
  eo.refs = &given;
  // Twice: the order in the file is random, the reference of each record is not.
  for (int round = 0; round < 2; ++round) {
    std::ostringstream out;
    std::vector<RefIndex> refs;
    ASSERT_TRUE(EncodeDataset(d, key, eo, out, &refs).ok());
    ASSERT_EQ(refs.size(), given.size());
    for (const RefIndex& r : refs) EXPECT_EQ(r.ref, given[r.index]);
    Result<KleFile> f = Parse(out.str());
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    for (std::size_t i = 0; i < refs.size(); ++i) EXPECT_EQ(f->refs[i], refs[i].ref);
  }
  given.pop_back();
  std::ostringstream out;
  Result<EncodeStats> s = EncodeDataset(d, key, eo, out, nullptr);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
}

TEST(KleTest, SchemaTextRoundTrips) {
  Schema s;
  s.hardening.salt = linkage::BloomSalt::kBirthYear;
  s.hardening.xor_fold = true;
  s.name_variants = "blake2b:00ff";
  Result<Schema> back = Schema::FromText(s.ToText());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, s);
  std::string changed = s.ToText();
  changed.replace(changed.find("bits:512"), 8, "bits:256");
  Result<Schema> bad = Schema::FromText(changed);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("name_filter"));
}

TEST(KleTest, DifferentSchemasAreRefusedNamingTheDifference) {
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  linkage::BloomHardening folded;
  folded.xor_fold = true;
  linkage::BloomHardening salted;
  salted.salt = linkage::BloomSalt::kBirthYear;
  salted.xor_fold = true;
  Result<KleFile> a = Parse(Encode(People(), key, folded).bytes);
  Result<KleFile> b = Parse(Encode(People(), key, salted).bytes);
  ASSERT_TRUE(a.ok() && b.ok());
  Status s = CheckComparable(*a, *b, "a.kle", "b.kle");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("salt is none in a.kle but birth-year in b.kle"));
  Result<LinkKleResult> r = LinkKle(std::move(*a), std::move(*b), {});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

TEST(KleTest, DifferentKeysAreRefused) {
  const crypto::SecretBytes k1 = crypto::SecretBytes::Random(crypto::kKeyBytes);
  const crypto::SecretBytes k2 = crypto::SecretBytes::Random(crypto::kKeyBytes);
  Result<KleFile> a = Parse(Encode(People(), k1).bytes);
  Result<KleFile> b = Parse(Encode(People(), k2).bytes);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_THAT(CheckComparable(*a, *b, "a.kle", "b.kle").message(),
              HasSubstr("different linkage keys"));
  Status wrong = CheckKey(*a, k2);
  EXPECT_EQ(wrong.code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(wrong.message(), HasSubstr("wrong linkage key"));
  EXPECT_TRUE(CheckKey(*a, k1).ok());
}

TEST(KleTest, TruncatedFileIsRefusedAtEveryLength) {
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  const std::string bytes = Encode(People(), key).bytes;
  for (std::size_t len = 0; len < bytes.size(); len += (len < 200 ? 1 : 7)) {
    Result<KleFile> f = Parse(bytes.substr(0, len));
    ASSERT_FALSE(f.ok()) << "length " << len;
    EXPECT_EQ(f.status().code(), StatusCode::kDataLoss) << len << ": " << f.status().ToString();
  }
  Result<KleFile> extended = Parse(bytes + "x");
  EXPECT_EQ(extended.status().code(), StatusCode::kDataLoss);
}

TEST(KleTest, EveryFlippedByteIsRefused) {
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  const std::string bytes = Encode(People(), key).bytes;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] = static_cast<char>(bad[i] ^ 0x10);
    Result<KleFile> f = Parse(bad);
    ASSERT_FALSE(f.ok()) << "byte " << i;
  }
}

TEST(KleTest, CountOverTheLimitIsRefusedWithoutAllocating) {
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  std::string bytes = Encode(People(), key).bytes;
  const std::size_t schema_len =
      static_cast<std::uint8_t>(bytes[10]) | (static_cast<std::uint8_t>(bytes[11]) << 8);
  const std::size_t count_at = 8 + 2 + 4 + schema_len + kKeyCheckBytes;
  for (int i = 0; i < 8; ++i) bytes[count_at + i] = static_cast<char>(0xff);
  Result<KleFile> f = Parse(bytes);
  EXPECT_EQ(f.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(f.status().message(), HasSubstr("over the limit"));
}

TEST(KleTest, FileHoldsNoPlaintext) {
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  const linkage::Dataset d = People();
  for (bool fold : {false, true}) {
    linkage::BloomHardening h;
    h.xor_fold = fold;
    const std::string bytes = Encode(d, key, h).bytes;
    for (const record::Record& r : d.records) {
      for (record::Field f : {record::Field::kGivenName, record::Field::kFamilyName,
                              record::Field::kLocality, record::Field::kBirthDate}) {
        std::string v = r.Get(f);
        EXPECT_EQ(bytes.find(v), std::string::npos) << v;
        for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        EXPECT_EQ(bytes.find(v), std::string::npos) << v;
      }
    }
    for (const std::string& id : d.ids) EXPECT_EQ(bytes.find(id), std::string::npos) << id;
    EXPECT_EQ(bytes.find("1984"), std::string::npos);
  }
}

TEST(KleTest, SameRecordsLinkInBothModes) {
  const crypto::SecretBytes key = crypto::SecretBytes::Random(crypto::kKeyBytes);
  const linkage::Dataset d = People();
  const Encoded ea = Encode(d, key);
  const Encoded eb = Encode(d, key);
  for (LinkMode mode : {LinkMode::kFellegiSunter, LinkMode::kDice}) {
    Result<KleFile> a = Parse(ea.bytes);
    Result<KleFile> b = Parse(eb.bytes);
    ASSERT_TRUE(a.ok() && b.ok());
    LinkKleOptions o;
    o.mode = mode;
    o.one_to_one = true;
    o.threshold = mode == LinkMode::kDice ? 0.9 : 0.5;
    Result<LinkKleResult> r = LinkKle(std::move(*a), std::move(*b), o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    // Every pair joins a record with itself (same source index).
    std::size_t right = 0;
    for (const KlePair& p : r->pairs) {
      if (ea.refs[p.a].index == eb.refs[p.b].index) ++right;
    }
    EXPECT_EQ(right, r->pairs.size());
    if (mode == LinkMode::kDice) {
      EXPECT_EQ(r->pairs.size(), 4u);
    }
  }
}

TEST(KleTest, OneToOneTakesTheBestFirst) {
  std::vector<KlePair> pairs = {{0, 0, 0.9, 0}, {0, 1, 0.95, 0}, {1, 1, 0.99, 0}, {2, 0, 0.5, 0}};
  std::vector<KlePair> out = OneToOne(pairs);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].a, 0u);
  EXPECT_EQ(out[0].b, 0u);
  EXPECT_EQ(out[1].a, 1u);
  EXPECT_EQ(out[1].b, 1u);
}

}  // namespace
}  // namespace kinlink::pprl
