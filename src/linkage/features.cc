#include "linkage/features.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/decimal.h"
#include "match/string_metrics.h"
#include "text/name_parse.h"
#include "text/normalize.h"
#include "text/phonetic.h"
#include "text/skeleton.h"

namespace kinlink::linkage {

namespace {

// Field ids for per-field Bloom keys (stable: they change every encoding).
enum TextField : int { kPlace = 0, kLocality, kPostcode, kAddress, kRegion, kTextFields };
// The token domains of a text field: "text/v1/N" and "text-skeleton/v1/N".
constexpr std::string_view kTextDomains[kTextFields] = {"text/v1/0", "text/v1/1", "text/v1/2",
                                                        "text/v1/3", "text/v1/4"};
constexpr std::string_view kTextSkeletonDomains[kTextFields] = {
    "text-skeleton/v1/0", "text-skeleton/v1/1", "text-skeleton/v1/2", "text-skeleton/v1/3",
    "text-skeleton/v1/4"};
constexpr std::size_t kMaxVariantGroups = 8;

std::string JoinCore(const text::ParsedName& parsed) {
  std::string out;
  for (const text::Token& t : parsed.tokens) {
    if (t.kind == text::TokenKind::kRelation) continue;
    if (!out.empty()) out += ' ';
    out += t.text;
  }
  return out;
}

std::string WithoutSpaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

// In Arabic script the article ال is written joined to the word; its
// transliteration ("alhsn" for الحسن) is split off here so that the name
// parser drops it as it does for "al-Hasan" ("hasan"). Words of three
// letters or fewer after "al" are left alone.
std::string SplitArabicArticle(const std::string& latin) {
  std::string out;
  std::size_t i = 0;
  while (i < latin.size()) {
    std::size_t j = latin.find(' ', i);
    if (j == std::string::npos) j = latin.size();
    std::string_view word(latin.data() + i, j - i);
    if (!out.empty()) out += ' ';
    if (word.size() > 4 && word.substr(0, 2) == "al") {
      out += "al ";
      out += word.substr(2);
    } else {
      out += word;
    }
    i = j + 1;
  }
  return out;
}

bool IsLatin(std::string_view raw) {
  const text::Script s = text::DetectScript(raw);
  return s == text::Script::kLatin || s == text::Script::kUnknown;
}

}  // namespace

// Bloom encoders: one per name kind and text field, each under its own key
// derived from the run key (so equal strings in different fields do not
// share bits).
struct FeatureExtractor::Encoders {
  std::vector<match::BloomEncoder> names;  // given, family, father share one
  std::vector<match::BloomEncoder> texts;  // per TextField
  std::vector<match::BloomEncoder> record;  // per RecordField (whole-record filter)
};

namespace {
// Fields of the whole-record filter, each under its own key.
enum RecordField : int {
  kRecGiven = 0,
  kRecFamily,
  kRecFather,
  kRecBirth,
  kRecPlace,
  kRecLocality,
  kRecPostcode,
  kRecAddress,
  kRecRegion,
  kRecordFields,
};
constexpr std::string_view kRecordFieldNames[kRecordFields] = {
    "given", "family", "father", "birth", "place", "locality", "postcode", "address", "region"};
}  // namespace

Result<std::unique_ptr<FeatureExtractor>> FeatureExtractor::Create(const ExtractorOptions& options) {
  if (options.key == nullptr || options.key->size() != crypto::kKeyBytes) {
    return InvalidArgumentError("feature extraction needs a 32-byte key");
  }
  std::unique_ptr<text::Transliterator> translit;
  if (!options.lazy_transliterator) {
    KL_ASSIGN_OR_RETURN(translit, text::Transliterator::Create());
  }
  return Build(options, std::move(translit));
}

Result<std::unique_ptr<FeatureExtractor>> FeatureExtractor::Clone() const {
  std::unique_ptr<text::Transliterator> translit;
  if (translit_ != nullptr) {
    KL_ASSIGN_OR_RETURN(translit, translit_->Clone());
  }
  return Build(options_, std::move(translit));
}

Result<std::unique_ptr<FeatureExtractor>> FeatureExtractor::Build(
    const ExtractorOptions& options, std::unique_ptr<text::Transliterator> translit) {
  auto encoders = std::make_unique<Encoders>();
  auto field_key = [&](std::string_view name) {
    return crypto::SecretBytes::CopyOf(
        std::string(crypto::Token(*options.key, "bloom-field-key/v1", name)) +
        crypto::Token(*options.key, "bloom-field-key/v1b", name));
  };
  const bool salted = options.hardening.salt != BloomSalt::kNone;
  const bool fold = options.hardening.xor_fold;
  match::BloomParams name_params;
  name_params.bits = kNameBloomBits;
  name_params.k = kNameBloomK;
  name_params.salted = salted;
  name_params.xor_fold = fold;
  KL_ASSIGN_OR_RETURN(match::BloomEncoder names,
                      match::BloomEncoder::Create(field_key("name"), name_params));
  encoders->names.push_back(std::move(names));
  match::BloomParams text_params;
  text_params.bits = kTextBloomBits;
  text_params.k = kTextBloomK;
  text_params.salted = salted;
  text_params.xor_fold = fold;
  for (std::string_view f : {"place", "locality", "postcode", "address", "region"}) {
    KL_ASSIGN_OR_RETURN(match::BloomEncoder enc,
                        match::BloomEncoder::Create(field_key(f), text_params));
    encoders->texts.push_back(std::move(enc));
  }
  if (options.mode == Mode::kEncoded && options.record_bloom) {
    match::BloomParams record_params;
    record_params.bits = kRecordBloomBits;
    record_params.k = kRecordBloomK;
    record_params.salted = salted;
    for (std::string_view f : kRecordFieldNames) {
      KL_ASSIGN_OR_RETURN(
          match::BloomEncoder enc,
          match::BloomEncoder::Create(field_key("record/" + std::string(f)), record_params));
      encoders->record.push_back(std::move(enc));
    }
  }
  ExtractorOptions resolved = options;
  if (resolved.today_days == 0) resolved.today_days = record::TodayDays();
  return std::unique_ptr<FeatureExtractor>(
      new FeatureExtractor(resolved, std::move(translit), std::move(encoders)));
}

FeatureExtractor::FeatureExtractor(const ExtractorOptions& options,
                                   std::unique_ptr<text::Transliterator> translit,
                                   std::unique_ptr<Encoders> encoders)
    : options_(options),
      translit_(std::move(translit)),
      encoders_(std::move(encoders)),
      token_key_(*options.key),
      date_key_(crypto::SecretBytes::CopyOf(crypto::Token(*options.key, "date-key/v1", "a") +
                                            crypto::Token(*options.key, "date-key/v1", "b"))) {}

std::vector<std::string> BirthLevelLabels() {
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < match::kDateLevelCount; ++i) {
    labels.emplace_back(match::DateLevelName(static_cast<match::DateLevel>(i)));
  }
  return labels;
}

std::uint8_t CompareBirth(const DateFeature& a, const DateFeature& b, Mode mode) {
  if (!a.present || !b.present) return static_cast<std::uint8_t>(match::DateLevel::kMissing);
  return static_cast<std::uint8_t>(mode == Mode::kPlaintext
                                       ? match::CompareDates(a.plain, b.plain)
                                       : match::CompareDateTokens(a.tokens, b.tokens));
}

void FeatureExtractor::DeriveBirth(const record::Record& r, DateEntry* out) {
  out->feature = DateFeature{};
  out->year_key = score::Key128{};
  out->full_date = score::Key128{};
  out->part.fill(0);
  match::BirthEvidence evidence;
  if (Result<record::PartialDate> d = record::PartialDate::Parse(r.Get(record::Field::kBirthDate));
      d.ok()) {
    evidence = match::BirthEvidence::FromDate(*d);
  } else if (Result<record::AgeRange> age = record::AgeRange::Parse(r.Get(record::Field::kAge));
             age.ok()) {
    record::PartialDate as_of;
    if (Result<record::PartialDate> a = record::PartialDate::Parse(r.Get(record::Field::kAgeAsOf));
        a.ok()) {
      as_of = *a;
    } else {
      as_of.year = static_cast<int>(1970 + options_.today_days / 365.2425);
    }
    evidence = match::BirthEvidence::FromAge(*age, as_of);
  }
  out->evidence = evidence;
  if (evidence.kind == match::BirthEvidence::Kind::kUnknown) return;
  out->feature.present = true;
  if (options_.mode == Mode::kPlaintext) {
    out->feature.plain = evidence;
  } else {
    out->feature.tokens = match::EncodeDate(date_key_, evidence);
  }
  if (evidence.kind != match::BirthEvidence::Kind::kDate) return;
  const record::PartialDate& date = evidence.date;
  const std::string year = std::to_string(date.year), full = date.ToString();
  TokRequest tokens[2];
  std::size_t n = 0;
  if (date.year > 0) tokens[n++] = {"year/v1", year, &out->year_key};
  if (date.day > 0) tokens[n++] = {"block/full-date", full, &out->full_date};
  TokAll(std::span<const TokRequest>(tokens, n));
  if (!encoders_->record.empty()) {
    // YYYYMMDD with zeros for unknown parts: a transposed day and month
    // still shares most bigrams.
    std::string digits;  // "%04d%02d%02d"
    AppendZeroPadded(digits, date.year, 4);
    AppendZeroPadded(digits, date.month, 2);
    AppendZeroPadded(digits, date.day, 2);
    RecordBits(digits, kRecBirth, &out->part);
  }
}

FeatureExtractor::~FeatureExtractor() = default;

namespace {
constexpr std::size_t kMaxCacheEntries = 1 << 20;  // bounds the caches' memory

template <typename Map>
void Bound(Map& map) {
  if (map.size() >= kMaxCacheEntries) map.clear();
}
}  // namespace

const FeatureExtractor::DateEntry& FeatureExtractor::Birth(const record::Record& r) {
  if (!options_.cache) {
    DeriveBirth(r, &date_scratch_);
    return date_scratch_;
  }
  // The salt is the birth year, so the three values determine the entry.
  cache_key_ = r.Get(record::Field::kBirthDate);
  cache_key_ += '\0';
  cache_key_ += r.Get(record::Field::kAge);
  cache_key_ += '\0';
  cache_key_ += r.Get(record::Field::kAgeAsOf);
  if (auto it = date_cache_.find(cache_key_); it != date_cache_.end()) return it->second;
  Bound(date_cache_);
  DateEntry& entry = date_cache_.emplace(cache_key_, DateEntry{}).first->second;
  DeriveBirth(r, &entry);
  return entry;
}

std::string FeatureExtractor::LatinUncached(std::string_view raw) {
  // For printable ASCII, Normalize only lowercases and folds white space,
  // which the ASCII matching form ignores: the same result without ICU.
  if (options_.cache && text::IsPlainAscii(raw)) return text::AsciiMatchingForm(raw);
  return Translit().ToLatin(text::Normalize(raw));
}

text::Transliterator& FeatureExtractor::Translit() {
  if (translit_ == nullptr) {
    // Only with ExtractorOptions::lazy_transliterator, for the first value
    // that needs ICU. A failure here is a broken ICU installation (Create
    // reports it as INTERNAL when not lazy), and Extract cannot fail.
    Result<std::unique_ptr<text::Transliterator>> made = text::Transliterator::Create();
    if (!made.ok()) {
      std::fputs("kinlink: ICU transliterators unavailable\n", stderr);
      std::abort();
    }
    translit_ = std::move(*made);
  }
  return *translit_;
}

const std::string& FeatureExtractor::LatinOf(std::string_view raw) {
  if (!options_.cache) {
    cache_key_ = LatinUncached(raw);
    return cache_key_;
  }
  cache_key_.assign(raw);
  auto it = latin_cache_.find(cache_key_);
  if (it != latin_cache_.end()) return it->second;
  Bound(latin_cache_);
  return latin_cache_.emplace(cache_key_, LatinUncached(raw)).first->second;
}

namespace {
// A token's 16 bytes as a key; zero means "no value", so a zero token
// (probability 2^-128) becomes 1.
score::Key128 KeyOfToken(const unsigned char* bytes) {
  std::array<std::uint8_t, 16> b;
  std::memcpy(b.data(), bytes, b.size());
  score::Key128 key = score::Key128::FromBytes(b);
  if (key.empty()) key.lo = 1;
  return key;
}
}  // namespace

score::Key128 FeatureExtractor::Tok(std::string_view domain, std::string_view value) const {
  unsigned char bytes[16];
  token_key_.Compute(domain, value, bytes);
  return KeyOfToken(bytes);
}

void FeatureExtractor::TokAll(std::span<const TokRequest> requests) const {
  constexpr std::size_t kChunk = 16;
  unsigned char bytes[kChunk][16];
  for (std::size_t at = 0; at < requests.size(); at += kChunk) {
    const std::size_t n = std::min(kChunk, requests.size() - at);
    token_key_.ComputeEach(n, [&](std::size_t i) {
      return crypto::TokenKey::Message{requests[at + i].domain, requests[at + i].value, bytes[i]};
    });
    for (std::size_t i = 0; i < n; ++i) *requests[at + i].out = KeyOfToken(bytes[i]);
  }
}

score::Key128 FeatureExtractor::SmallTok(char domain_index, std::string_view domain,
                                         std::string_view value) {
  if (!options_.cache) return Tok(domain, value);
  cache_key_.assign(1, domain_index);
  cache_key_ += value;
  if (auto it = small_token_cache_.find(cache_key_); it != small_token_cache_.end()) {
    return it->second;
  }
  Bound(small_token_cache_);
  const score::Key128 key = Tok(domain, value);
  small_token_cache_.emplace(cache_key_, key);
  return key;
}

void FeatureExtractor::CombineAll(std::span<const PairRequest> requests) {
  constexpr std::size_t kMax = kBlockingRules;
  if (requests.size() > kMax) std::abort();  // the callers' fixed rule list
  // The keys still to hash: their requests, message values (a ‖ b) and
  // cache slots.
  std::size_t n = 0;
  const PairRequest* todo[kMax];
  PairSlot* slots[kMax];
  char values[kMax][32];
  TokRequest hash[kMax];
  for (const PairRequest& r : requests) {
    if (r.a.empty() || r.b.empty()) {
      *r.out = score::Key128{};
      continue;
    }
    PairSlot* slot = nullptr;
    if (options_.cache) {
      if (pair_cache_.empty()) pair_cache_.resize(kPairSlots);
      // a and b are keyed tokens: their bits are already uniform.
      slot = &pair_cache_[(r.a.lo ^ (r.b.lo * 0x9E3779B97F4A7C15ULL) ^ r.rule_index) % kPairSlots];
      if (slot->in == PairKey{r.a, r.b, r.rule_index}) {
        *r.out = slot->out;
        continue;
      }
    }
    todo[n] = &r;
    slots[n] = slot;
    std::memcpy(values[n], &r.a, 16);
    std::memcpy(values[n] + 16, &r.b, 16);
    hash[n] = TokRequest{r.rule, std::string_view(values[n], 32), r.out};
    ++n;
  }
  TokAll(std::span<const TokRequest>(hash, n));
  for (std::size_t i = 0; i < n; ++i) {
    if (slots[i] != nullptr) {
      *slots[i] = PairSlot{PairKey{todo[i]->a, todo[i]->b, todo[i]->rule_index}, *todo[i]->out};
    }
  }
}

const FeatureExtractor::NameEntry& FeatureExtractor::SplitName(const std::string& raw,
                                                               int record_field) {
  const bool with_record = !encoders_->record.empty();
  auto derive = [&](NameEntry* e) {
    PrepareName(raw, &e->prepared.core, &e->prepared.native);
    ExtractName(e->prepared.core, e->prepared.native, &e->feature);
    e->part.fill(0);
    if (with_record && !e->prepared.core.empty()) {
      e->part = NameRecordBits(e->prepared.core, record_field);
    }
  };
  if (!options_.cache) {
    derive(&name_scratch_);
    return name_scratch_;  // the caller copies it before the next call
  }
  cache_key_.assign(1, static_cast<char>('0' + record_field));
  cache_key_ += salt_;
  cache_key_ += '\0';
  cache_key_ += raw;
  if (auto it = split_name_cache_.find(cache_key_); it != split_name_cache_.end()) {
    return it->second;
  }
  Bound(split_name_cache_);
  NameEntry& entry = split_name_cache_.emplace(cache_key_, NameEntry{}).first->second;
  derive(&entry);
  return entry;
}

void FeatureExtractor::PrepareName(const std::string& raw, std::string* core,
                                   std::string* native) {
  core->clear();
  native->clear();
  if (raw.empty()) return;
  if (options_.cache) {
    if (auto it = prepared_cache_.find(raw); it != prepared_cache_.end()) {
      *core = it->second.core;
      *native = it->second.native;
      return;
    }
  }
  if (text::DetectScript(raw) == text::Script::kArabic) {
    *core = JoinCore(text::NameTokens(SplitArabicArticle(LatinOf(raw))));
  } else {
    *core = JoinCore(text::NameTokens(LatinOf(raw)));
  }
  if (!IsLatin(raw)) *native = text::FoldForMatching(text::Normalize(raw));
  if (options_.cache) {
    Bound(prepared_cache_);
    prepared_cache_.emplace(raw, PreparedName{*core, *native});
  }
}

void FeatureExtractor::ExtractName(const std::string& core, const std::string& native_folded,
                                   NameFeature* out) {
  if (core.empty() && native_folded.empty()) {
    *out = NameFeature{};
    return;
  }
  if (!options_.cache) {
    DeriveName(core, native_folded, out);
    return;
  }
  cache_key_ = core;
  cache_key_ += '\0';
  cache_key_ += native_folded;
  cache_key_ += '\0';
  cache_key_ += salt_;
  if (auto it = name_cache_.find(cache_key_); it != name_cache_.end()) {
    *out = it->second;  // copy-assignment reuses out's buffers
    return;
  }
  Bound(name_cache_);
  std::string key = cache_key_;
  DeriveName(core, native_folded, out);
  name_cache_.emplace(std::move(key), *out);
}

void FeatureExtractor::DeriveName(const std::string& core, const std::string& native_folded,
                                  NameFeature* out) {
  *out = NameFeature{};
  if (core.empty() && native_folded.empty()) return;
  out->present = true;
  const std::string compact = WithoutSpaces(core);
  const std::string skeleton = text::ConsonantSkeleton(compact);
  const text::MetaphoneCodes phon = text::DoubleMetaphone(compact);
  TokRequest tokens[5];
  std::size_t n = 0;
  if (!core.empty()) tokens[n++] = {"name/v1", core, &out->exact};
  if (!native_folded.empty()) tokens[n++] = {"name-native/v1", native_folded, &out->native};
  if (!skeleton.empty()) tokens[n++] = {"name-skeleton/v1", skeleton, &out->skeleton};
  if (!phon.primary.empty()) tokens[n++] = {"name-phonetic/v1", phon.primary, &out->phonetic};
  if (!phon.alternate.empty() && phon.alternate != phon.primary) {
    tokens[n++] = {"name-phonetic/v1", phon.alternate, &out->phonetic_alt};
  }
  TokAll(std::span<const TokRequest>(tokens, n));
  if (options_.variants != nullptr && !compact.empty()) {
    for (std::uint32_t group : options_.variants->GroupsOf(compact)) {
      if (out->variant_groups.size() >= kMaxVariantGroups) break;
      out->variant_groups.push_back(Tok("name-variant/v1", std::to_string(group)));
    }
    std::sort(out->variant_groups.begin(), out->variant_groups.end());
  }
  if (options_.mode == Mode::kPlaintext) {
    out->latin = match::DecodeUtf8(core);
  } else {
    // The exact spelling's bigrams and a loose spelling's (vowels and
    // transliteration-swapped letters merged, text::LooseForm).
    const std::string loose = text::LooseForm(compact);
    const std::string_view grams[] = {core, loose};
    const std::string sk = "#s:" + skeleton;
    const std::string ph = "#p:" + phon.primary;
    const std::string_view whole[] = {sk, ph};
    match::BloomItems items;
    items.qgram_strings = grams;
    items.whole_items = whole;
    items.salt = salt_;
    Result<match::BloomFilter> bloom = encoders_->names[0].Encode(items);
    if (bloom.ok()) {
      out->bloom = std::move(*bloom);
      out->bloom_ones = static_cast<std::uint32_t>(out->bloom.PopCount());
    }
  }
}

const FeatureExtractor::RecordPart& FeatureExtractor::NameRecordBits(const std::string& core,
                                                                    int field) {
  if (!options_.cache) {
    RecordBits(core, field, &part_scratch_);
    return part_scratch_;
  }
  cache_key_.assign(1, static_cast<char>('0' + field));
  cache_key_ += salt_;
  cache_key_ += '\0';
  cache_key_ += core;
  if (auto it = record_part_cache_.find(cache_key_); it != record_part_cache_.end()) {
    return it->second;
  }
  Bound(record_part_cache_);
  RecordPart& part = record_part_cache_.emplace(cache_key_, RecordPart{}).first->second;
  RecordBits(core, field, &part);
  return part;
}

void FeatureExtractor::ExtractText(std::string_view value, int field, TextFeature* out,
                                   RecordPart* part) {
  if (value.empty()) {
    *out = TextFeature{};
    if (part != nullptr) part->fill(0);
    return;
  }
  // Addresses rarely repeat: not cached.
  if (!options_.cache || field == kAddress) {
    DeriveText(LatinUncached(value), field, out, part);
    return;
  }
  cache_key_.assign(1, static_cast<char>('0' + field));
  cache_key_ += salt_;
  cache_key_ += '\0';
  cache_key_ += value;
  auto it = text_cache_.find(cache_key_);
  if (it == text_cache_.end()) {
    Bound(text_cache_);
    it = text_cache_.emplace(cache_key_, TextEntry{}).first;
    DeriveText(LatinUncached(value), field, &it->second.feature,
               encoders_->record.empty() ? nullptr : &it->second.part);
  }
  *out = it->second.feature;
  if (part != nullptr) *part = it->second.part;
}

void FeatureExtractor::DeriveText(const std::string& latin, int field, TextFeature* out,
                                  RecordPart* part) {
  *out = TextFeature{};
  if (part != nullptr) part->fill(0);
  if (latin.empty()) return;
  out->present = true;
  const std::string sk = text::ConsonantSkeleton(WithoutSpaces(latin));
  TokRequest tokens[2] = {{kTextDomains[field], latin, &out->exact},
                          {kTextSkeletonDomains[field], sk, &out->skeleton}};
  TokAll(std::span<const TokRequest>(tokens, sk.size() >= 2 ? 2 : 1));
  if (options_.mode == Mode::kPlaintext) {
    out->latin = match::DecodeUtf8(latin);
  } else {
    const std::string_view grams[] = {latin};
    match::BloomItems items;
    items.qgram_strings = grams;
    items.salt = salt_;
    Result<match::BloomFilter> bloom = encoders_->texts[field].Encode(items);
    if (bloom.ok()) {
      out->bloom = std::move(*bloom);
      out->bloom_ones = static_cast<std::uint32_t>(out->bloom.PopCount());
    }
  }
  if (part != nullptr) RecordBits(latin, kRecPlace + field, part);
}

void FeatureExtractor::RecordBits(std::string_view value, int field, RecordPart* out) const {
  out->fill(0);
  if (value.empty()) return;
  const std::string_view grams[] = {value};
  match::BloomItems items;
  items.qgram_strings = grams;
  items.salt = salt_;
  Result<match::BloomFilter> bloom =
      encoders_->record[static_cast<std::size_t>(field)].Encode(items);
  if (!bloom.ok()) return;
  std::span<const std::uint64_t> src = bloom->words();
  for (std::size_t i = 0; i < out->size() && i < src.size(); ++i) (*out)[i] = src[i];
}

void FeatureExtractor::Extract(const record::Record& r, Features* f, BlockingKeyRow* keys,
                               match::BloomFilter* record_bloom) {
  using record::Field;
  // The salt comes first: every filter of this record is keyed by it.
  salt_.clear();
  if (options_.hardening.salt == BloomSalt::kBirthYear) {
    if (Result<record::PartialDate> d = record::PartialDate::Parse(r.Get(Field::kBirthDate));
        d.ok() && d->year > 0) {
      salt_ = std::to_string(d->year);
    }
  }
  const bool with_record = record_bloom != nullptr && !encoders_->record.empty();
  // Names: split fields when given; otherwise parsed from the full name.
  // Each split field's value as a whole: its core, features and
  // record-filter bits (cached together).
  NameFeature* const name_out[3] = {&f->given, &f->family, &f->father};
  const Field split_fields[3] = {Field::kGivenName, Field::kFamilyName, Field::kFatherName};
  std::string cores[3], natives[3];
  RecordPart name_parts[3] = {};
  bool split_core_empty[3];
  for (int i = 0; i < 3; ++i) {
    const std::string& raw = r.Get(split_fields[i]);
    if (raw.empty()) {
      *name_out[i] = NameFeature{};
    } else {
      const NameEntry& e = SplitName(raw, kRecGiven + i);
      cores[i] = e.prepared.core;
      natives[i] = e.prepared.native;
      *name_out[i] = e.feature;  // copy-assignment reuses the buffers
      name_parts[i] = e.part;
    }
    split_core_empty[i] = cores[i].empty();
  }
  std::string& given = cores[0];
  std::string& family = cores[1];
  std::string& father = cores[2];
  // Full names rarely repeat: their Latin form is not cached.
  std::string full_latin;
  if (r.Has(Field::kFullName)) full_latin = LatinUncached(r.Get(Field::kFullName));
  if (given.empty() && family.empty() && r.Has(Field::kFullName)) {
    const std::string& full = r.Get(Field::kFullName);
    const text::ParsedName parsed = text::NameTokens(full_latin);
    std::vector<const text::Token*> parts;
    const text::Token* patronymic = nullptr;
    for (const text::Token& t : parsed.tokens) {
      if (t.kind == text::TokenKind::kRelation) continue;
      if (t.kind == text::TokenKind::kPatronymic && patronymic == nullptr) {
        patronymic = &t;
        continue;
      }
      parts.push_back(&t);
    }
    if (!parts.empty()) given = parts.front()->text;
    if (parts.size() >= 2) family = parts.back()->text;
    if (patronymic != nullptr) {
      if (father.empty()) father = patronymic->text;
    } else if (parts.size() >= 3 && !IsLatin(full) && father.empty()) {
      // given + father + grandfather/family: the custom of Arabic and
      // Ethiopian names.
      father = parts[1]->text;
    }
  }
  // The first and last token of the full name, for blocking only: lists
  // often fill the split fields differently from the full name.
  score::Key128 full_first, full_last;
  if (r.Has(Field::kFullName)) {
    const text::ParsedName parsed = text::NameTokens(full_latin);
    const text::Token* first = nullptr;
    const text::Token* last = nullptr;
    for (const text::Token& t : parsed.tokens) {
      if (t.kind == text::TokenKind::kRelation) continue;
      if (first == nullptr) first = &t;
      last = &t;
    }
    if (first != nullptr && last != first) {
      // Cached per token (the skeleton is a function of it).
      auto skeleton_tok = [&](const std::string& token) {
        if (!options_.cache) return Tok("name-skeleton/v1", text::ConsonantSkeleton(token));
        cache_key_.assign(1, 'w');
        cache_key_ += token;
        if (auto it = small_token_cache_.find(cache_key_); it != small_token_cache_.end()) {
          return it->second;
        }
        Bound(small_token_cache_);
        const score::Key128 key = Tok("name-skeleton/v1", text::ConsonantSkeleton(token));
        small_token_cache_.emplace(cache_key_, key);
        return key;
      };
      full_first = skeleton_tok(first->text);
      full_last = skeleton_tok(last->text);
    }
  }
  // Cores taken from the full name: with the split field's native form.
  for (int i = 0; i < 3; ++i) {
    if (!split_core_empty[i] || cores[i].empty()) continue;
    ExtractName(cores[i], natives[i], name_out[i]);
    if (with_record) name_parts[i] = NameRecordBits(cores[i], kRecGiven + i);
  }

  // Sex.
  Result<record::Sex> sex = record::ParseSex(r.Get(Field::kSex));
  f->sex = sex.ok() ? static_cast<SexValue>(*sex) : SexValue::kUnknown;

  // Birth date or age.
  const DateEntry& birth_entry = Birth(r);
  f->birth = birth_entry.feature;
  const match::BirthEvidence birth = birth_entry.evidence;
  const score::Key128 year_key = birth_entry.year_key;
  const score::Key128 full_date = birth_entry.full_date;
  RecordPart record_bits{};
  if (with_record) record_bits = birth_entry.part;
  auto add_part = [&record_bits](const RecordPart& part) {
    for (std::size_t i = 0; i < record_bits.size(); ++i) record_bits[i] |= part[i];
  };

  // Places.
  RecordPart* part = with_record ? &part_scratch_ : nullptr;
  const std::pair<TextFeature*, Field> places[] = {{&f->birth_place, Field::kBirthPlace},
                                                   {&f->locality, Field::kLocality},
                                                   {&f->postcode, Field::kPostcode},
                                                   {&f->address, Field::kAddress},
                                                   {&f->region, Field::kRegion}};
  for (int i = 0; i < kTextFields; ++i) {
    ExtractText(r.Get(places[i].second), i, places[i].first, part);
    if (with_record) add_part(part_scratch_);
  }

  // Blocking keys (keyed; zero = not blocked by that rule).
  const bool dated = birth.kind == match::BirthEvidence::Kind::kDate;
  const int year = dated ? birth.date.year : 0;
  // With the given name's initial: family + decade alone makes blocks of
  // whole clans in large registries.
  const score::Key128 initial_decade =
      year > 0 && !given.empty()
          ? SmallTok('d', "decade+initial/v1", std::to_string(year / 10) + given.substr(0, 1))
          : score::Key128{};
  (*keys)[3] = full_date;
  const PairRequest pairs[] = {
      {0, "block/given-skeleton+year", f->given.skeleton, year_key, &(*keys)[0]},
      {1, "block/family-phon+given-phon", f->family.phonetic, f->given.phonetic, &(*keys)[1]},
      {2, "block/family-skeleton+year", f->family.skeleton, year_key, &(*keys)[2]},
      {4, "block/postcode+given-phon", f->postcode.exact, f->given.phonetic, &(*keys)[4]},
      {5, "block/postcode+family-skeleton", f->postcode.exact, f->family.skeleton, &(*keys)[5]},
      {6, "block/locality+given-skeleton", f->locality.exact, f->given.skeleton, &(*keys)[6]},
      {7, "block/address+family-phon", f->address.exact, f->family.phonetic, &(*keys)[7]},
      {8, "block/birthplace+family-skeleton", f->birth_place.exact, f->family.skeleton,
       &(*keys)[8]},
      {9, "block/birthplace+given-skeleton", f->birth_place.exact, f->given.skeleton,
       &(*keys)[9]},
      {10, "block/family-skeleton+decade+initial", f->family.skeleton, initial_decade,
       &(*keys)[10]},
      {11, "block/full-first+full-last", full_first, full_last, &(*keys)[11]},
  };
  CombineAll(pairs);

  if (with_record) {
    for (const RecordPart& name_part : name_parts) add_part(name_part);
    // The filter is reused from record to record: no allocation.
    const bool fold = options_.hardening.xor_fold;
    const std::size_t bits = fold ? kRecordBloomBits / 2 : kRecordBloomBits;
    if (record_bloom->bits() != bits) *record_bloom = *match::BloomFilter::Create(bits);
    std::span<std::uint64_t> words = record_bloom->mutable_words();
    const std::size_t half = record_bits.size() / 2;
    for (std::size_t i = 0; i < words.size(); ++i) {
      words[i] = fold ? record_bits[i] ^ record_bits[i + half] : record_bits[i];
    }
  }
}

}  // namespace kinlink::linkage
