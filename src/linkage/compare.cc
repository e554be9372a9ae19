#include "linkage/compare.h"

#include <algorithm>

#include "match/string_metrics.h"

namespace kinlink::linkage {

namespace {

bool SharesAny(const std::vector<score::Key128>& a, const std::vector<score::Key128>& b) {
  // Both sorted and tiny.
  auto i = a.begin();
  auto j = b.begin();
  while (i != a.end() && j != b.end()) {
    if (*i == *j) return true;
    if (*i < *j) {
      ++i;
    } else {
      ++j;
    }
  }
  return false;
}

// Dice of two features' filters with their popcounts kept beside them.
// Filters of different lengths (one side missing) are not similar.
template <typename F>
double BloomDice(const F& a, const F& b) {
  if (a.bloom.bits() != b.bloom.bits() || a.bloom.bits() == 0) return 0.0;
  return match::DiceCounted(a.bloom, a.bloom_ones, b.bloom, b.bloom_ones);
}

bool SamePhonetic(const NameFeature& a, const NameFeature& b) {
  auto eq = [](const score::Key128& x, const score::Key128& y) { return !x.empty() && x == y; };
  return eq(a.phonetic, b.phonetic) || eq(a.phonetic, b.phonetic_alt) ||
         eq(a.phonetic_alt, b.phonetic) || eq(a.phonetic_alt, b.phonetic_alt);
}

// Text fields: exact / similar / different / missing.
std::uint8_t CompareText(const TextFeature& a, const TextFeature& b, Mode mode, double jw,
                         double dice) {
  if (!a.present || !b.present) return 3;
  if (a.exact == b.exact) return 0;
  if (!a.skeleton.empty() && a.skeleton == b.skeleton) return 1;
  const double s = mode == Mode::kPlaintext ? match::JaroWinklerSimilarity(a.latin, b.latin)
                                            : BloomDice(a, b);
  return s >= (mode == Mode::kPlaintext ? jw : dice) ? 1 : 2;
}

std::uint8_t CompareSex(SexValue a, SexValue b) {
  if (a == SexValue::kUnknown || b == SexValue::kUnknown) return 2;
  return a == b ? 0 : 1;
}

}  // namespace

score::ComparisonSpec MakeComparisonSpec() {
  score::ComparisonSpec spec;
  const std::vector<std::string> name_labels = {"exact", "variant", "close", "similar", "different",
                                                "missing"};
  const std::vector<std::string> text_labels = {"exact", "similar", "different", "missing"};
  auto name = [&](const char* n, bool tf) {
    score::FieldSpec f;
    f.name = n;
    f.num_levels = kNameLevels;
    f.tf_adjustable = tf;
    f.level_labels = name_labels;
    spec.fields.push_back(f);
  };
  auto text = [&](const char* n, int group = 0) {
    score::FieldSpec f;
    f.name = n;
    f.num_levels = 4;
    f.level_labels = text_labels;
    f.group = group;
    spec.fields.push_back(f);
  };
  name("given_name", true);
  name("family_name", true);
  name("father_name", false);
  {
    score::FieldSpec f;
    f.name = "birth_date";
    f.num_levels = kBirthLevels;
    f.level_labels = BirthLevelLabels();
    spec.fields.push_back(f);
  }
  {
    score::FieldSpec f;
    f.name = "sex";
    f.num_levels = 3;
    f.level_labels = {"same", "different", "missing"};
    spec.fields.push_back(f);
  }
  // Where one was born and where one lives go with the family (siblings
  // share both): one group, so that they count once. Postcode and address
  // stay apart: they tell households apart (FEBRL: grouping them too cost
  // 0.03 F1).
  text("birth_place", 1);
  text("locality", 1);
  text("postcode");
  text("address");
  text("region");
  return spec;
}

std::uint8_t CompareName(const NameFeature& a, const NameFeature& b, Mode mode,
                         const CompareThresholds& t) {
  if (!a.present || !b.present) return kNameMissing;
  if ((!a.exact.empty() && a.exact == b.exact) || (!a.native.empty() && a.native == b.native)) {
    return kNameExact;
  }
  // Within Latin script, a known variant or the same skeleton and phonetic
  // code. Across scripts, the consonant skeleton alone: it is what survives
  // a script without short vowels (محمد, Mohamad, Muhammad: mhmd), while
  // phonetic codes of the vowel-less form differ.
  if (SharesAny(a.variant_groups, b.variant_groups) ||
      (!a.skeleton.empty() && a.skeleton == b.skeleton && (SamePhonetic(a, b) || !a.native.empty() ||
                                                         !b.native.empty()))) {
    return kNameVariant;
  }
  double s;
  if (mode == Mode::kPlaintext) {
    s = match::JaroWinklerSimilarity(a.latin, b.latin);
    if (s >= t.name_jw_high) return kNameClose;
    if (s >= t.name_jw_low) return kNameSimilar;
  } else {
    s = BloomDice(a, b);
    if (s >= t.name_dice_high) return kNameClose;
    if (s >= t.name_dice_low) return kNameSimilar;
  }
  return kNameDifferent;
}

void Compare(const Features& a, const Features& b, Mode mode, const CompareThresholds& t,
             LevelRow* levels, bool* swapped) {
  LevelRow& l = *levels;
  std::uint8_t given = CompareName(a.given, b.given, mode, t);
  std::uint8_t family = CompareName(a.family, b.family, mode, t);
  bool crossed = false;
  // Name order swapped on one side ("Alhasan Mohamad"): score crosswise
  // when that agrees clearly better.
  if (given >= kNameSimilar || family >= kNameSimilar) {
    const std::uint8_t g2 = CompareName(a.given, b.family, mode, t);
    const std::uint8_t f2 = CompareName(a.family, b.given, mode, t);
    if (g2 <= kNameClose && f2 <= kNameClose && g2 + f2 < given + family) {
      given = g2;
      family = f2;
      crossed = true;
    }
  }
  l[kCmpGiven] = given;
  l[kCmpFamily] = family;
  l[kCmpFather] = CompareName(a.father, b.father, mode, t);
  l[kCmpBirth] = CompareBirth(a.birth, b.birth, mode);
  l[kCmpSex] = CompareSex(a.sex, b.sex);
  l[kCmpBirthPlace] = CompareText(a.birth_place, b.birth_place, mode, t.text_jw, t.text_dice);
  l[kCmpLocality] = CompareText(a.locality, b.locality, mode, t.text_jw, t.text_dice);
  l[kCmpPostcode] = CompareText(a.postcode, b.postcode, mode, 0.85, 0.6);
  l[kCmpAddress] = CompareText(a.address, b.address, mode, t.text_jw, t.text_dice);
  l[kCmpRegion] = CompareText(a.region, b.region, mode, 1.01, 1.01);
  if (swapped != nullptr) *swapped = crossed;
}

}  // namespace kinlink::linkage
