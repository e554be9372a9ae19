// linkage: turns records into what matching compares, in one of two modes.
//
//  * Encoded (the default, and the only mode a registry uses): every field
//    becomes keyed encodings — a Bloom filter over the q-grams of its Latin
//    matching form plus keyed whole-value tokens (exact, consonant
//    skeleton, phonetic codes, name-variant groups, dates). Comparisons see
//    nothing else.
//  * Plaintext (`--plaintext`, local files only): the normalised strings
//    are kept and compared with string metrics; the reference the encoded
//    mode must stay close to.
//
// Both modes derive the same blocking keys (keyed tokens).
//
// Thread-safety: a FeatureExtractor holds an ICU transliterator and is used
// by one thread at a time; Features are values.
#ifndef KINLINK_LINKAGE_FEATURES_H_
#define KINLINK_LINKAGE_FEATURES_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.h"
#include "crypto/crypto.h"
#include "match/bloom.h"
#include "match/dates.h"
#include "record/record.h"
#include "score/types.h"
#include "text/name_variants.h"
#include "text/transliterator.h"

namespace kinlink::linkage {

enum class Mode : std::uint8_t { kEncoded, kPlaintext };

// A name field (given, family, father).
struct NameFeature {
  bool present = false;
  // Plaintext mode only.
  std::u32string latin;         // matching form, core tokens joined by ' '
  // Both modes: keyed tokens (zero = none).
  score::Key128 exact;          // of the Latin matching form
  score::Key128 native;         // of the folded native-script form (non-Latin only)
  score::Key128 skeleton;       // consonant skeleton
  score::Key128 phonetic;       // Double Metaphone primary
  score::Key128 phonetic_alt;   // Double Metaphone alternate (zero if same)
  std::vector<score::Key128> variant_groups;  // keyed name-variant group ids
  // Encoded mode only; bloom_ones = bloom.PopCount() (derived, not stored).
  match::BloomFilter bloom;
  std::uint32_t bloom_ones = 0;
};

// A place or address field.
struct TextFeature {
  bool present = false;
  std::u32string latin;  // plaintext mode only
  score::Key128 exact;
  score::Key128 skeleton;  // consonant skeleton of the Latin form (Homs ~ حمص)
  match::BloomFilter bloom;  // encoded mode only
  std::uint32_t bloom_ones = 0;  // bloom.PopCount() (derived, not stored)
};

struct DateFeature {
  bool present = false;
  match::BirthEvidence plain;  // plaintext mode only
  match::DateTokens tokens;    // encoded mode only
};

// Birth-date comparison: the levels of match/dates.h.
inline constexpr int kBirthLevels = static_cast<int>(match::kDateLevelCount);
std::vector<std::string> BirthLevelLabels();
std::uint8_t CompareBirth(const DateFeature& a, const DateFeature& b, Mode mode);

enum class SexValue : std::uint8_t { kUnknown = 0, kFemale, kMale, kOther };

struct Features {
  NameFeature given;
  NameFeature family;
  NameFeature father;
  DateFeature birth;
  SexValue sex = SexValue::kUnknown;
  TextFeature birth_place;
  TextFeature locality;
  TextFeature postcode;
  TextFeature address;
  TextFeature region;
};

// Blocking rules, in order. Each record has one key per rule (zero = the
// record is not blocked by that rule).
inline constexpr std::size_t kBlockingRules = 12;
using BlockingKeyRow = std::array<score::Key128, kBlockingRules>;

// Hardening of the encoded mode's Bloom filters (docs/pprl.md), all off
// by default (a registry's and `kinlink link`'s encodings):
//  - salt: the birth year (YYYY of a full or partial birth date; empty when
//    unknown) is mixed into every item of every field filter and of the
//    record filter, so one name sets different bits in different years;
//  - xor_fold: every filter is folded in half (match::BloomFilter::XorFold).
enum class BloomSalt : std::uint8_t { kNone = 0, kBirthYear };
struct BloomHardening {
  BloomSalt salt = BloomSalt::kNone;
  bool xor_fold = false;
  friend bool operator==(const BloomHardening&, const BloomHardening&) = default;
};

// Length and positions per item of the filters FeatureExtractor makes
// (before folding). Part of the encoding schema of docs/pprl.md.
inline constexpr std::size_t kNameBloomBits = 512;
inline constexpr std::size_t kNameBloomK = 12;
inline constexpr std::size_t kTextBloomBits = 512;
inline constexpr std::size_t kTextBloomK = 10;
// The whole-record filter (one filter over every field's q-grams, each
// field under its own key): what plain Dice linkage compares.
inline constexpr std::size_t kRecordBloomBits = 1024;
inline constexpr std::size_t kRecordBloomK = 8;

struct ExtractorOptions {
  Mode mode = Mode::kEncoded;
  BloomHardening hardening;
  // Whether Extract may be asked for the whole-record filter (encoded mode).
  bool record_bloom = false;
  // Key for every keyed token and Bloom filter (a registry's token key, or
  // a per-run random key for local files; two files linked together must
  // use the same key).
  const crypto::SecretBytes* key = nullptr;
  // Optional name-variant table (not owned; may be null).
  const text::NameVariants* variants = nullptr;
  // "Today" for age ranges without an as-of date (days since 1970-01-01).
  std::int64_t today_days = 0;
  // Whether Extract keeps what it derived from repeated values (names,
  // places, dates, blocking-key inputs; real lists follow Zipf's law) and
  // looks it up instead of deriving it again. Off only for the test that
  // the cached and uncached paths give the same bytes.
  bool cache = true;
  // Whether Create leaves the ICU transliterator to the first value that
  // needs one (compiling its transforms is most of Create's cost: tens of
  // milliseconds). For input known to be plain ASCII (text::IsPlainAscii,
  // with `cache` on) it is then never made. A broken ICU installation is
  // then found only at that value, and aborts the process instead of
  // failing Create with INTERNAL.
  bool lazy_transliterator = false;
};

class FeatureExtractor {
 public:
  static Result<std::unique_ptr<FeatureExtractor>> Create(const ExtractorOptions& options);
  ~FeatureExtractor();

  // A new extractor with the same options whose ICU transliterators are
  // cloned from this one's (Create compiles them: several milliseconds):
  // one per worker thread. Its caches start empty; its output is the
  // same. Not to be called while another thread uses this extractor.
  Result<std::unique_ptr<FeatureExtractor>> Clone() const;
  // Whether the ICU transliterator has been made (always, unless
  // ExtractorOptions::lazy_transliterator).
  bool HasTransliterator() const { return translit_ != nullptr; }

  // Fills `out` and `keys` for one record. Never fails on odd content: a
  // value that cannot be used is treated as missing.
  // With `record_bloom` (encoded mode and options.record_bloom only; left
  // alone otherwise), also the whole-record filter (kRecordBloomBits,
  // halved by xor_fold).
  void Extract(const record::Record& record, Features* out, BlockingKeyRow* keys,
               match::BloomFilter* record_bloom = nullptr);

  Mode mode() const { return options_.mode; }

 private:
  struct Encoders;
  // Create and Clone: everything but the transliterator.
  static Result<std::unique_ptr<FeatureExtractor>> Build(
      const ExtractorOptions& options, std::unique_ptr<text::Transliterator> translit);
  FeatureExtractor(const ExtractorOptions& options, std::unique_ptr<text::Transliterator> translit,
                   std::unique_ptr<Encoders> encoders);
  // One record-filter field's bits (kRecordBloomBits, before folding).
  using RecordPart = std::array<std::uint64_t, kRecordBloomBits / 64>;
  struct PreparedName {
    std::string core;    // Latin matching form, core tokens joined by ' '
    std::string native;  // folded native-script form (non-Latin only)
  };
  struct DateEntry {
    DateFeature feature;
    match::BirthEvidence evidence;
    score::Key128 year_key;   // blocking: the birth year
    score::Key128 full_date;  // blocking rule 3
    RecordPart part{};        // record filter: YYYYMMDD (dated only)
  };
  struct TextEntry {
    TextFeature feature;
    RecordPart part{};  // record filter (when the extractor makes one)
  };
  struct PairKey {
    score::Key128 a, b;
    std::uint32_t rule = 0;
    friend bool operator==(const PairKey&, const PairKey&) = default;
  };
  // A direct-mapped cache of blocking keys: most pairs are seen once, so
  // a growing map would cost more in memory traffic than it saves.
  struct PairSlot {
    PairKey in;
    score::Key128 out;
  };
  static constexpr std::size_t kPairSlots = 1 << 14;
  // A split name field's value, everything derived from it.
  struct NameEntry {
    PreparedName prepared;
    NameFeature feature;
    RecordPart part{};  // record filter (when the extractor makes one)
  };
  const NameEntry& SplitName(const std::string& raw, int record_field);

  void ExtractName(const std::string& latin, const std::string& native_folded, NameFeature* out);
  // Without the cache: the straightforward derivation.
  void DeriveName(const std::string& latin, const std::string& native_folded, NameFeature* out);
  void ExtractText(std::string_view value, int field, TextFeature* out, RecordPart* part);
  // From the value's Latin form; `part` (may be null) gets the record-filter bits.
  void DeriveText(const std::string& latin, int field, TextFeature* out, RecordPart* part);
  // The q-grams of `value` under record-filter field `field`.
  void RecordBits(std::string_view value, int field, RecordPart* out) const;
  // The same for a name core, cached per field, salt and value.
  const RecordPart& NameRecordBits(const std::string& core, int field);
  void PrepareName(const std::string& raw, std::string* core, std::string* native);

  // Fills the entry (feature, evidence, date tokens for blocking).
  void DeriveBirth(const record::Record& record, DateEntry* out);
  const DateEntry& Birth(const record::Record& record);
  score::Key128 Tok(std::string_view domain, std::string_view value) const;
  // One token to make: *out = Tok(domain, value).
  struct TokRequest {
    std::string_view domain;
    std::string_view value;
    score::Key128* out;
  };
  // Makes every request's token, four at a time (TokenKey::ComputeFour).
  void TokAll(std::span<const TokRequest> requests) const;
  // One blocking key to make: *out = Tok(rule, a ‖ b), or zero when a or
  // b is zero.
  struct PairRequest {
    std::uint32_t rule_index;
    std::string_view rule;
    score::Key128 a, b;
    score::Key128* out;
  };
  // Makes each request's key, from the cache where it is there; the rest
  // are hashed four at a time (crypto::TokenKey::ComputeFour).
  void CombineAll(std::span<const PairRequest> requests);
  // Tok(domain, value), cached per domain index and value (small domains).
  score::Key128 SmallTok(char domain_index, std::string_view domain, std::string_view value);

  // Latin form of a raw value (names and places repeat a lot in real
  // lists: ICU transliteration is the costliest step).
  const std::string& LatinOf(std::string_view raw);
  // The same, uncached (values that rarely repeat: addresses, full names).
  std::string LatinUncached(std::string_view raw);

  ExtractorOptions options_;
  // The transliterator itself (made by Create, or when first needed with
  // lazy_transliterator).
  text::Transliterator& Translit();
  std::unique_ptr<text::Transliterator> translit_;  // null until made
  std::unordered_map<std::string, std::string> latin_cache_;
  std::unordered_map<std::string, PreparedName> prepared_cache_;
  std::unordered_map<std::string, NameFeature> name_cache_;
  // Place values repeat (towns, postcodes, regions); addresses do not and
  // are not cached. Key: field, salt and value.
  std::unordered_map<std::string, TextEntry> text_cache_;
  std::unordered_map<std::string, RecordPart> record_part_cache_;
  std::unordered_map<std::string, DateEntry> date_cache_;
  std::unordered_map<std::string, score::Key128> small_token_cache_;
  std::vector<PairSlot> pair_cache_;  // kPairSlots, or empty without the cache
  std::unordered_map<std::string, NameEntry> split_name_cache_;
  NameEntry name_scratch_;
  std::string cache_key_;  // reused for building cache keys
  DateEntry date_scratch_;
  TextEntry text_scratch_;
  RecordPart part_scratch_{};
  std::unique_ptr<Encoders> encoders_;
  crypto::TokenKey token_key_;  // of *options_.key: every Tok
  crypto::TokenKey date_key_;
  std::string salt_;  // the current record's salt (hardening.salt)
};

}  // namespace kinlink::linkage

#endif  // KINLINK_LINKAGE_FEATURES_H_
