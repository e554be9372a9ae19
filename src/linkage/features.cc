#include "linkage/features.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "match/string_metrics.h"
#include "text/name_parse.h"
#include "text/normalize.h"
#include "text/phonetic.h"
#include "text/skeleton.h"

namespace kinlink::linkage {

namespace {

// Field ids for per-field Bloom keys (stable: they change every encoding).
enum TextField : int { kPlace = 0, kLocality, kPostcode, kAddress, kRegion, kTextFields };
constexpr std::size_t kMaxVariantGroups = 8;

score::Key128 ToKey(const std::string& token16) {
  std::array<std::uint8_t, 16> bytes{};
  std::memcpy(bytes.data(), token16.data(), std::min<std::size_t>(16, token16.size()));
  score::Key128 key = score::Key128::FromBytes(bytes);
  if (key.empty()) key.lo = 1;  // zero means "no value"
  return key;
}

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
  KL_ASSIGN_OR_RETURN(std::unique_ptr<text::Transliterator> translit,
                      text::Transliterator::Create());
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

match::BirthEvidence FeatureExtractor::ExtractBirth(const record::Record& r, DateFeature* out) {
  *out = DateFeature{};
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
  if (evidence.kind == match::BirthEvidence::Kind::kUnknown) return evidence;
  out->present = true;
  if (options_.mode == Mode::kPlaintext) {
    out->plain = evidence;
  } else {
    out->tokens = match::EncodeDate(date_key_, evidence);
  }
  return evidence;
}

FeatureExtractor::~FeatureExtractor() = default;

namespace {
constexpr std::size_t kMaxCacheEntries = 1 << 20;  // bounds the caches' memory
}  // namespace

const std::string& FeatureExtractor::LatinOf(std::string_view raw) {
  auto it = latin_cache_.find(std::string(raw));
  if (it != latin_cache_.end()) return it->second;
  if (latin_cache_.size() >= kMaxCacheEntries) latin_cache_.clear();
  return latin_cache_.emplace(std::string(raw), translit_->ToLatin(text::Normalize(raw)))
      .first->second;
}

score::Key128 FeatureExtractor::Tok(std::string_view domain, std::string_view value) const {
  return ToKey(crypto::Token(*options_.key, domain, value));
}

void FeatureExtractor::ExtractName(const std::string& core, const std::string& native_folded,
                                   NameFeature* out) {
  *out = NameFeature{};
  if (core.empty() && native_folded.empty()) return;
  std::string cache_key = core;
  cache_key += '\0';
  cache_key += native_folded;
  cache_key += '\0';
  cache_key += salt_;
  if (auto it = name_cache_.find(cache_key); it != name_cache_.end()) {
    *out = it->second;
    return;
  }
  if (name_cache_.size() >= kMaxCacheEntries) name_cache_.clear();
  out->present = true;
  const std::string compact = WithoutSpaces(core);
  const std::string skeleton = text::ConsonantSkeleton(compact);
  const text::MetaphoneCodes phon = text::DoubleMetaphone(compact);
  if (!core.empty()) out->exact = Tok("name/v1", core);
  if (!native_folded.empty()) out->native = Tok("name-native/v1", native_folded);
  if (!skeleton.empty()) out->skeleton = Tok("name-skeleton/v1", skeleton);
  if (!phon.primary.empty()) out->phonetic = Tok("name-phonetic/v1", phon.primary);
  if (!phon.alternate.empty() && phon.alternate != phon.primary) {
    out->phonetic_alt = Tok("name-phonetic/v1", phon.alternate);
  }
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
  name_cache_.emplace(std::move(cache_key), *out);
}

void FeatureExtractor::ExtractText(std::string_view value, int field, TextFeature* out) {
  *out = TextFeature{};
  if (value.empty()) return;
  std::string cache_key;
  if (field != kAddress) {
    cache_key.reserve(value.size() + salt_.size() + 2);
    cache_key += static_cast<char>('0' + field);
    cache_key += salt_;
    cache_key += '\0';
    cache_key += value;
    if (auto it = text_cache_.find(cache_key); it != text_cache_.end()) {
      *out = it->second;
      return;
    }
    if (text_cache_.size() >= kMaxCacheEntries) text_cache_.clear();
  }
  const std::string& latin = LatinOf(value);
  if (latin.empty()) return;
  out->present = true;
  out->exact = Tok("text/v1/" + std::to_string(field), latin);
  if (const std::string sk = text::ConsonantSkeleton(WithoutSpaces(latin)); sk.size() >= 2) {
    out->skeleton = Tok("text-skeleton/v1/" + std::to_string(field), sk);
  }
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
  if (!cache_key.empty()) text_cache_.emplace(std::move(cache_key), *out);
}

void FeatureExtractor::AddToRecordBloom(std::string_view value, int field,
                                        match::BloomFilter* out) const {
  if (value.empty()) return;
  const std::string_view grams[] = {value};
  match::BloomItems items;
  items.qgram_strings = grams;
  items.salt = salt_;
  Result<match::BloomFilter> bloom =
      encoders_->record[static_cast<std::size_t>(field)].Encode(items);
  if (!bloom.ok()) return;
  std::span<std::uint64_t> dst = out->mutable_words();
  std::span<const std::uint64_t> src = bloom->words();
  for (std::size_t i = 0; i < dst.size() && i < src.size(); ++i) dst[i] |= src[i];
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
  // Names: split fields when given; otherwise parsed from the full name.
  auto prepare = [&](const std::string& raw, std::string* core, std::string* native) {
    core->clear();
    native->clear();
    if (raw.empty()) return;
    if (text::DetectScript(raw) == text::Script::kArabic) {
      *core = JoinCore(text::NameTokens(SplitArabicArticle(LatinOf(raw))));
    } else {
      *core = JoinCore(text::NameTokens(LatinOf(raw)));
    }
    if (!IsLatin(raw)) *native = text::FoldForMatching(text::Normalize(raw));
  };
  std::string given, given_native, family, family_native, father, father_native;
  prepare(r.Get(Field::kGivenName), &given, &given_native);
  prepare(r.Get(Field::kFamilyName), &family, &family_native);
  prepare(r.Get(Field::kFatherName), &father, &father_native);
  if (given.empty() && family.empty() && r.Has(Field::kFullName)) {
    const std::string& full = r.Get(Field::kFullName);
    const text::ParsedName parsed = text::NameTokens(LatinOf(full));
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
    const text::ParsedName parsed = text::NameTokens(LatinOf(r.Get(Field::kFullName)));
    const text::Token* first = nullptr;
    const text::Token* last = nullptr;
    for (const text::Token& t : parsed.tokens) {
      if (t.kind == text::TokenKind::kRelation) continue;
      if (first == nullptr) first = &t;
      last = &t;
    }
    if (first != nullptr && last != first) {
      full_first = Tok("name-skeleton/v1", text::ConsonantSkeleton(first->text));
      full_last = Tok("name-skeleton/v1", text::ConsonantSkeleton(last->text));
    }
  }
  ExtractName(given, given_native, &f->given);
  ExtractName(family, family_native, &f->family);
  ExtractName(father, father_native, &f->father);

  // Sex.
  Result<record::Sex> sex = record::ParseSex(r.Get(Field::kSex));
  f->sex = sex.ok() ? static_cast<SexValue>(*sex) : SexValue::kUnknown;

  // Birth date or age.
  const match::BirthEvidence birth = ExtractBirth(r, &f->birth);

  // Places.
  ExtractText(r.Get(Field::kBirthPlace), kPlace, &f->birth_place);
  ExtractText(r.Get(Field::kLocality), kLocality, &f->locality);
  ExtractText(r.Get(Field::kPostcode), kPostcode, &f->postcode);
  ExtractText(r.Get(Field::kAddress), kAddress, &f->address);
  ExtractText(r.Get(Field::kRegion), kRegion, &f->region);

  // Blocking keys (keyed; zero = not blocked by that rule).
  const bool dated = birth.kind == match::BirthEvidence::Kind::kDate;
  const int year = dated ? birth.date.year : 0;
  auto combine = [&](std::string_view rule, const score::Key128& a, const score::Key128& b) {
    if (a.empty() || b.empty()) return score::Key128{};
    std::string buf(32, '\0');
    std::memcpy(buf.data(), &a, 16);
    std::memcpy(buf.data() + 16, &b, 16);
    return Tok(rule, buf);
  };
  const score::Key128 year_key = year > 0 ? Tok("year/v1", std::to_string(year)) : score::Key128{};
  (*keys)[0] = combine("block/given-skeleton+year", f->given.skeleton, year_key);
  (*keys)[1] = combine("block/family-phon+given-phon", f->family.phonetic, f->given.phonetic);
  (*keys)[2] = combine("block/family-skeleton+year", f->family.skeleton, year_key);
  (*keys)[3] = dated && birth.date.day > 0 ? Tok("block/full-date", birth.date.ToString())
                                            : score::Key128{};
  (*keys)[4] = combine("block/postcode+given-phon", f->postcode.exact, f->given.phonetic);
  (*keys)[5] = combine("block/postcode+family-skeleton", f->postcode.exact, f->family.skeleton);
  (*keys)[6] = combine("block/locality+given-skeleton", f->locality.exact, f->given.skeleton);
  (*keys)[7] = combine("block/address+family-phon", f->address.exact, f->family.phonetic);
  (*keys)[8] = combine("block/birthplace+family-skeleton", f->birth_place.exact, f->family.skeleton);
  (*keys)[9] = combine("block/birthplace+given-skeleton", f->birth_place.exact, f->given.skeleton);
  // With the given name's initial: family + decade alone makes blocks of
  // whole clans in large registries.
  const score::Key128 initial_decade =
      year > 0 && !given.empty()
          ? Tok("decade+initial/v1", std::to_string(year / 10) + given.substr(0, 1))
          : score::Key128{};
  (*keys)[10] = combine("block/family-skeleton+decade+initial", f->family.skeleton, initial_decade);
  (*keys)[11] = combine("block/full-first+full-last", full_first, full_last);

  if (record_bloom != nullptr && !encoders_->record.empty()) {
    Result<match::BloomFilter> empty = match::BloomFilter::Create(kRecordBloomBits);
    *record_bloom = std::move(*empty);
    AddToRecordBloom(given, kRecGiven, record_bloom);
    AddToRecordBloom(family, kRecFamily, record_bloom);
    AddToRecordBloom(father, kRecFather, record_bloom);
    if (dated) {
      // YYYYMMDD with zeros for unknown parts: a transposed day and month
      // still shares most bigrams.
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d%02d%02d", birth.date.year, birth.date.month,
                    birth.date.day);
      AddToRecordBloom(buf, kRecBirth, record_bloom);
    }
    const std::pair<Field, int> texts[] = {{Field::kBirthPlace, kRecPlace},
                                           {Field::kLocality, kRecLocality},
                                           {Field::kPostcode, kRecPostcode},
                                           {Field::kAddress, kRecAddress},
                                           {Field::kRegion, kRecRegion}};
    for (const auto& [field, rec] : texts) {
      if (r.Has(field)) AddToRecordBloom(LatinOf(r.Get(field)), rec, record_bloom);
    }
    if (options_.hardening.xor_fold) *record_bloom = record_bloom->XorFold();
  }
}

}  // namespace kinlink::linkage
