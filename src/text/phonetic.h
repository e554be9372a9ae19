// Phonetic keys: Double Metaphone (Lawrence Philips, C/C++ Users Journal,
// June 2000), written for Kinlink from the published description.
//
// Input is a matching-form token ([a-z0-9], see AsciiMatchingForm); other
// bytes are ignored. Codes use the letters of the original (0 is "th", X
// is "sh"/"ch"). Reduced relative to the original, documented:
//   * the input is ASCII (the original's Ç and Ñ rules do not apply);
//   * a few one-word exceptions are simplified (e.g. the Dutch "sch" and
//     Italian "cc" cases follow the main rule only); the other rules
//     (silent initials, initial vowels -> A, Germanic/Slavic alternates,
//     "sch", "gh" with Parker's rule, Spanish "j" and "ll", "-ewski",
//     "-witz", French final "-ier"/"-ais", doubled consonants) are kept.
// Measured use: a shared code is a ranking bonus in bench/crossscript.
//
// Thread-safety: pure functions.
#ifndef KINLINK_TEXT_PHONETIC_H_
#define KINLINK_TEXT_PHONETIC_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace kinlink::text {

struct MetaphoneCodes {
  std::string primary;
  std::string alternate;  // equal to primary when there is no alternative
  friend bool operator==(const MetaphoneCodes&, const MetaphoneCodes&) = default;
};

// Double Metaphone codes of `token`, each at most `max_length` characters
// (4 in the original). Empty input gives two empty codes.
MetaphoneCodes DoubleMetaphone(std::string_view token, std::size_t max_length = 4);

// True when the two tokens share a non-empty code (primary or alternate).
bool PhoneticMatch(const MetaphoneCodes& a, const MetaphoneCodes& b);

}  // namespace kinlink::text

#endif  // KINLINK_TEXT_PHONETIC_H_
