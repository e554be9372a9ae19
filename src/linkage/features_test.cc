// The cached extraction (FeatureExtractor's default) against the
// straightforward one (ExtractorOptions::cache = false): the same bytes for
// every record, in every mode and hardening, on multi-script synthetic
// records, hand-written odd values and random strings.
#include "linkage/features.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "linkage/encoded_io.h"
#include "match/string_metrics.h"
#include "synth/synth.h"

namespace kinlink::linkage {
namespace {

using record::Field;

std::vector<record::Record> TestRecords() {
  synth::Options so;
  so.seed = 7;
  so.duplicate_rate = 0.3;
  std::vector<record::Record> records = synth::Generate(so, 3000);
  // Odd values: case, white space, punctuation, control characters,
  // scripts mixed within a value, the Arabic article, ages, partial dates.
  const std::vector<std::vector<std::pair<Field, std::string>>> odd = {
      {{Field::kGivenName, "  JOHN\tPaul "}, {Field::kFamilyName, "O'Neil-Smith"},
       {Field::kAddress, "12, Main St.\r\nApt 4"}, {Field::kPostcode, "2600"},
       {Field::kRegion, "ACT"}, {Field::kBirthDate, "1987-03-04"}},
      {{Field::kFullName, "محمد بن عبد الله الحسن"}, {Field::kBirthDate, "1990"},
       {Field::kBirthPlace, "حمص"}, {Field::kLocality, "Homs"}},
      {{Field::kFullName, "Олесь Алексеевич Сокольский"}, {Field::kAge, "30-35"},
       {Field::kAgeAsOf, "2020-05"}, {Field::kAddress, "вул. Шевченка, 5"}},
      {{Field::kGivenName, "Fátima"}, {Field::kFamilyName, "al-Zahra"},
       {Field::kFatherName, "عبد الرحمن"}, {Field::kBirthDate, "2001-12"},
       {Field::kAddress, "Straße 5 \x7f x"}},
      {{Field::kFullName, "ገብረ እግዚአብሔር ሀብተ የሱስ"}, {Field::kSex, "f"}},
      {{Field::kFullName, "Ivan Petrovich"}, {Field::kAge, "40"}},
      {{Field::kGivenName, "mary-ann"}, {Field::kFullName, "Mary Ann Smith Jones"}},
      {{Field::kFamilyName, "Nguyễn"}, {Field::kAddress, "\t"}, {Field::kPostcode, " - "}},
  };
  for (const auto& fields : odd) {
    record::Record r;
    for (const auto& [field, value] : fields) r.Set(field, value);
    records.push_back(r);
  }
  // Random strings over ASCII (printable, tab, CR, LF, other controls) and
  // a few letters of other scripts, in every text field.
  std::mt19937 rng(11);
  const std::vector<std::string> alphabet = {
      "a", "B", "z", "Q", "0", "7", " ", "  ", "\t", "\n", "\r", "-", "_", ".", ",", "/",
      "'", "!", "\x01", "\x0b", "\x7f", "é", "ß", "Ж", "ї", "ع", "ال", "ሀ", "ñ"};
  auto random_value = [&] {
    std::string s;
    const int len = static_cast<int>(rng() % 14);
    for (int i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  const Field fields[] = {Field::kFullName, Field::kGivenName, Field::kFamilyName,
                          Field::kFatherName, Field::kBirthPlace, Field::kAddress,
                          Field::kLocality, Field::kRegion, Field::kPostcode};
  for (int i = 0; i < 600; ++i) {
    record::Record r;
    for (Field f : fields) {
      if (rng() % 3 != 0) r.Set(f, random_value());
    }
    if (rng() % 2 == 0) r.Set(Field::kBirthDate, "19" + std::to_string(50 + rng() % 50) + "-0" +
                                                     std::to_string(1 + rng() % 9));
    records.push_back(r);
  }
  return records;
}

struct Extracted {
  std::string blob;
  BlockingKeyRow keys;
  match::BloomFilter record_bloom;
  std::vector<std::u32string> latin;  // plaintext mode
};

Extracted Run(FeatureExtractor& x, const record::Record& r, Mode mode) {
  Extracted e;
  Features f;
  x.Extract(r, &f, &e.keys, mode == Mode::kEncoded ? &e.record_bloom : nullptr);
  e.blob = SerializeEncoded(f);
  if (mode == Mode::kEncoded) {
    Result<Features> parsed = ParseEncoded(e.blob);
    EXPECT_TRUE(parsed.ok());
    if (parsed.ok()) {
      EXPECT_EQ(SerializeEncoded(*parsed), e.blob);
    }
  }
  for (const NameFeature* n : {&f.given, &f.family, &f.father}) e.latin.push_back(n->latin);
  for (const TextFeature* t : {&f.birth_place, &f.locality, &f.postcode, &f.address, &f.region}) {
    e.latin.push_back(t->latin);
  }
  return e;
}

void ExpectSameAsReference(Mode mode, const BloomHardening& hardening,
                           const text::NameVariants* variants) {
  const crypto::SecretBytes key = crypto::SecretBytes::CopyOf(std::string(32, 'k'));
  ExtractorOptions o;
  o.mode = mode;
  o.hardening = hardening;
  o.record_bloom = mode == Mode::kEncoded;
  o.key = &key;
  o.variants = variants;
  o.today_days = 20000;
  ExtractorOptions plain = o;
  plain.cache = false;
  auto cached = FeatureExtractor::Create(o);
  auto reference = FeatureExtractor::Create(plain);
  ASSERT_TRUE(cached.ok() && reference.ok());
  // A clone (what the workers of EncodeDataset use) gives the same bytes too.
  auto clone = (*cached)->Clone();
  ASSERT_TRUE(clone.ok());
  // So does one that makes its transliterator at the first value that needs
  // it, and a clone of it taken before then.
  ExtractorOptions lazy_options = o;
  lazy_options.lazy_transliterator = true;
  auto lazy = FeatureExtractor::Create(lazy_options);
  ASSERT_TRUE(lazy.ok());
  EXPECT_FALSE((*lazy)->HasTransliterator());
  auto lazy_clone = (*lazy)->Clone();
  ASSERT_TRUE(lazy_clone.ok());
  const std::vector<record::Record> records = TestRecords();
  // Twice over: the second pass is served from the caches.
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < records.size(); ++i) {
      const record::Record& r = records[pass == 0 ? i : records.size() - 1 - i];
      const Extracted a = Run(**cached, r, mode);
      const Extracted b = Run(**reference, r, mode);
      const Extracted c = Run(**clone, r, mode);
      for (auto* x : {&*lazy, &*lazy_clone}) {
        const Extracted l = Run(**x, r, mode);
        ASSERT_EQ(l.blob, b.blob) << "lazy, record " << i << " pass " << pass;
        ASSERT_EQ(l.keys, b.keys) << "lazy, record " << i << " pass " << pass;
        ASSERT_EQ(l.record_bloom, b.record_bloom) << "lazy, record " << i << " pass " << pass;
      }
      ASSERT_EQ(c.blob, b.blob) << "clone, record " << i << " pass " << pass;
      ASSERT_EQ(c.keys, b.keys) << "clone, record " << i << " pass " << pass;
      ASSERT_EQ(c.record_bloom, b.record_bloom) << "clone, record " << i << " pass " << pass;
      ASSERT_EQ(a.blob, b.blob) << "record " << i << " pass " << pass;
      ASSERT_EQ(a.keys, b.keys) << "record " << i << " pass " << pass;
      ASSERT_EQ(a.record_bloom, b.record_bloom) << "record " << i << " pass " << pass;
      ASSERT_EQ(a.latin, b.latin) << "record " << i << " pass " << pass;
    }
  }
}

// Plain-ASCII values never need ICU: a lazy extractor makes no
// transliterator for them, and makes one at the first value that is not.
TEST(FeatureExtractorTest, LazyTransliteratorIsMadeOnlyForValuesThatNeedIt) {
  const crypto::SecretBytes key = crypto::SecretBytes::CopyOf(std::string(32, 'k'));
  ExtractorOptions o;
  o.key = &key;
  o.record_bloom = true;
  o.lazy_transliterator = true;
  auto x = FeatureExtractor::Create(o);
  ASSERT_TRUE(x.ok());
  record::Record ascii;
  ascii.Set(Field::kGivenName, "Fatima");
  ascii.Set(Field::kFamilyName, "Al-Hassan");
  ascii.Set(Field::kAddress, "12 Stanley Street\tApt 3");
  ascii.Set(Field::kBirthDate, "1988-03-01");
  linkage::Features f;
  BlockingKeyRow keys;
  match::BloomFilter bloom;
  (*x)->Extract(ascii, &f, &keys, &bloom);
  EXPECT_FALSE((*x)->HasTransliterator());
  record::Record arabic = ascii;
  arabic.Set(Field::kGivenName, "فاطمة");
  (*x)->Extract(arabic, &f, &keys, &bloom);
  EXPECT_TRUE((*x)->HasTransliterator());
  // The same bytes as an extractor that made it at Create.
  ExtractorOptions eager_options = o;
  eager_options.lazy_transliterator = false;
  auto eager = FeatureExtractor::Create(eager_options);
  ASSERT_TRUE(eager.ok());
  EXPECT_TRUE((*eager)->HasTransliterator());
  linkage::Features g;
  BlockingKeyRow eager_keys;
  match::BloomFilter eager_bloom;
  (*eager)->Extract(arabic, &g, &eager_keys, &eager_bloom);
  EXPECT_EQ(SerializeEncoded(f), SerializeEncoded(g));
  EXPECT_EQ(keys, eager_keys);
  EXPECT_EQ(bloom, eager_bloom);
}

// crypto::Token as the extractor keeps it: a key, zero made 1.
score::Key128 KeyOfToken(const crypto::SecretBytes& key, std::string_view domain,
                         std::string_view value) {
  const std::string t = crypto::Token(key, domain, value);
  std::array<std::uint8_t, 16> bytes;
  std::memcpy(bytes.data(), t.data(), bytes.size());
  score::Key128 k = score::Key128::FromBytes(bytes);
  if (k.empty()) k.lo = 1;
  return k;
}

// The blocking keys hashed four at a time are crypto::Token's of their
// rule and the two tokens they join (the rules whose inputs Features
// shows), and zero where an input is.
TEST(FeatureExtractorTest, BlockingKeysAreTheTokensOfTheirPairs) {
  const crypto::SecretBytes key = crypto::SecretBytes::CopyOf(std::string(32, 'b'));
  ExtractorOptions o;
  o.key = &key;
  o.record_bloom = true;
  auto x = FeatureExtractor::Create(o);
  ASSERT_TRUE(x.ok());
  auto expected = [&](std::string_view rule, const score::Key128& a, const score::Key128& b) {
    if (a.empty() || b.empty()) return score::Key128{};
    char value[32];
    std::memcpy(value, &a, 16);
    std::memcpy(value + 16, &b, 16);
    return KeyOfToken(key, rule, std::string_view(value, sizeof value));
  };
  std::size_t checked = 0;
  for (int pass = 0; pass < 2; ++pass) {  // the second pass from the cache
    for (const record::Record& r : TestRecords()) {
      Features f;
      BlockingKeyRow keys;
      match::BloomFilter bloom;
      (*x)->Extract(r, &f, &keys, &bloom);
      ASSERT_EQ(keys[1], expected("block/family-phon+given-phon", f.family.phonetic, f.given.phonetic));
      ASSERT_EQ(keys[4], expected("block/postcode+given-phon", f.postcode.exact, f.given.phonetic));
      ASSERT_EQ(keys[5], expected("block/postcode+family-skeleton", f.postcode.exact, f.family.skeleton));
      ASSERT_EQ(keys[6], expected("block/locality+given-skeleton", f.locality.exact, f.given.skeleton));
      ASSERT_EQ(keys[7], expected("block/address+family-phon", f.address.exact, f.family.phonetic));
      ASSERT_EQ(keys[8], expected("block/birthplace+family-skeleton", f.birth_place.exact, f.family.skeleton));
      ASSERT_EQ(keys[9], expected("block/birthplace+given-skeleton", f.birth_place.exact, f.given.skeleton));
      for (std::size_t k : {1, 4, 5, 6, 7, 8, 9}) checked += keys[k].empty() ? 0 : 1;
    }
  }
  EXPECT_GT(checked, 1000U);  // most records have most of these inputs
}

// The field tokens, also hashed four at a time, are crypto::Token's of
// their domain and the value's matching form (plaintext mode keeps the
// form to compare with).
TEST(FeatureExtractorTest, FieldTokensAreTheTokensOfTheirForms) {
  const crypto::SecretBytes key = crypto::SecretBytes::CopyOf(std::string(32, 'f'));
  ExtractorOptions o;
  o.mode = Mode::kPlaintext;
  o.key = &key;
  auto x = FeatureExtractor::Create(o);
  ASSERT_TRUE(x.ok());
  auto token = [&](std::string_view domain, const std::u32string& form) {
    return KeyOfToken(key, domain, match::EncodeUtf8(form));
  };
  std::size_t checked = 0;
  for (const record::Record& r : TestRecords()) {
    Features f;
    BlockingKeyRow keys;
    (*x)->Extract(r, &f, &keys, nullptr);
    for (const NameFeature* n : {&f.given, &f.family, &f.father}) {
      if (n->latin.empty()) continue;
      ASSERT_EQ(n->exact, token("name/v1", n->latin));
      ++checked;
    }
    const TextFeature* places[] = {&f.birth_place, &f.locality, &f.postcode, &f.address, &f.region};
    for (int i = 0; i < 5; ++i) {
      if (places[i]->latin.empty()) continue;
      ASSERT_EQ(places[i]->exact, token("text/v1/" + std::to_string(i), places[i]->latin));
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000U);
}

TEST(FeatureExtractorTest, CachedMatchesReferenceEncoded) {
  ExpectSameAsReference(Mode::kEncoded, BloomHardening{}, nullptr);
}

TEST(FeatureExtractorTest, CachedMatchesReferenceFoldedAndSalted) {
  BloomHardening h;
  h.xor_fold = true;
  ExpectSameAsReference(Mode::kEncoded, h, nullptr);
  h.salt = BloomSalt::kBirthYear;
  ExpectSameAsReference(Mode::kEncoded, h, nullptr);
}

TEST(FeatureExtractorTest, CachedMatchesReferenceWithVariants) {
  Result<text::NameVariants> variants =
      text::NameVariants::LoadFile(std::string(KL_SOURCE_DIR) + "/data/name_variants/name_variants.tsv");
  ASSERT_TRUE(variants.ok()) << variants.status().ToString();
  BloomHardening h;
  h.xor_fold = true;
  ExpectSameAsReference(Mode::kEncoded, h, &*variants);
}

TEST(FeatureExtractorTest, CachedMatchesReferencePlaintext) {
  ExpectSameAsReference(Mode::kPlaintext, BloomHardening{}, nullptr);
}

}  // namespace
}  // namespace kinlink::linkage
