// Comparison of two records' features, field by field, into the levels of
// the Fellegi–Sunter model (score/). One function per field kind, each in
// both modes: encoded (tokens and Bloom Dice) and plaintext (string
// metrics). Level 0 is the strongest agreement; the last level of each field
// means "missing on either side" and adds no evidence.
//
// Thread-safety: pure functions.
#ifndef KINLINK_LINKAGE_COMPARE_H_
#define KINLINK_LINKAGE_COMPARE_H_

#include <array>
#include <cstdint>

#include "linkage/features.h"
#include "score/comparison.h"

namespace kinlink::linkage {

// The compared fields, in the order of the comparison vector.
enum CompareField : std::size_t {
  kCmpGiven = 0,
  kCmpFamily,
  kCmpFather,
  kCmpBirth,
  kCmpSex,
  kCmpBirthPlace,
  kCmpLocality,
  kCmpPostcode,
  kCmpAddress,
  kCmpRegion,
  kCmpFieldCount,
};

// Name levels.
enum NameLevel : std::uint8_t {
  kNameExact = 0,    // same matching form or same native-script form
  kNameVariant,      // known variant, or same consonant skeleton and phonetic code
  kNameClose,        // similarity >= high threshold
  kNameSimilar,      // similarity >= low threshold
  kNameDifferent,
  kNameMissing,
  kNameLevels,
};

struct CompareThresholds {
  // Plaintext: Jaro–Winkler of Latin matching forms.
  double name_jw_high = 0.92;
  double name_jw_low = 0.82;
  double text_jw = 0.90;
  // Encoded: Dice of the Bloom filters.
  double name_dice_high = 0.80;
  double name_dice_low = 0.60;
  double text_dice = 0.75;
};

// The comparison spec matching Compare's output.
score::ComparisonSpec MakeComparisonSpec();

using LevelRow = std::array<std::uint8_t, kCmpFieldCount>;

// Compares a and b. `swapped` (optional) is set when given and family name
// matched crosswise (order swapped) and were scored that way.
void Compare(const Features& a, const Features& b, Mode mode, const CompareThresholds& t,
             LevelRow* levels, bool* swapped = nullptr);

std::uint8_t CompareName(const NameFeature& a, const NameFeature& b, Mode mode,
                         const CompareThresholds& t);

}  // namespace kinlink::linkage

#endif  // KINLINK_LINKAGE_COMPARE_H_
