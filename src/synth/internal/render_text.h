// Private to synth: the pieces a Generator renders a record from: names
// and places by origin, dates, phone numbers, full names in each naming
// custom, and the letter noise applied to duplicates. Pure functions of
// their arguments (and of the Rng where one is passed).
#ifndef KINLINK_SYNTH_INTERNAL_RENDER_TEXT_H_
#define KINLINK_SYNTH_INTERNAL_RENDER_TEXT_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "synth/internal/name_lists.h"
#include "synth/synth.h"

namespace kinlink::synth::internal {

enum Origin : std::uint8_t { kArabicOrigin = 0, kSlavicOrigin = 1, kEthiopianOrigin = 2 };

template <typename T, std::size_t N>
constexpr std::uint32_t Count(const T (&)[N]) {
  return static_cast<std::uint32_t>(N);
}

// Sizes of the name lists of `origin`.
std::uint32_t MaleCount(std::uint8_t origin);
std::uint32_t FemaleCount(std::uint8_t origin);
std::uint32_t FamilyCount(std::uint8_t origin);

Name MaleName(std::uint8_t origin, std::uint32_t i);
Name FemaleName(std::uint8_t origin, std::uint32_t i);
std::span<const Place> Places(std::uint8_t origin);

// The name a person of `origin` inherits from a father: Arabic and
// Ethiopian custom use his given name, East Slavic a patronymic.
Name FatherPart(std::uint8_t origin, std::uint32_t father, bool female);

// The family name: Ethiopian custom has none, so the father's name (used as
// a surname on most forms) stands in; Slavic names take a feminine form.
Name FamilyPart(std::uint8_t origin, std::uint32_t family, std::uint32_t father, bool female);

std::string_view Pick(Name name, bool latin);

// Decimal digits of `value`, zero-padded to `width` (at most 20).
void AppendNumber(std::string& out, std::uint64_t value, int width);

// "YYYY", "YYYY-MM" or "YYYY-MM-DD" (month or day 0 = absent).
std::string DateString(int year, int month, int day);

// The non-empty parts, separated by single spaces.
std::string Join(std::initializer_list<std::string_view> parts);

// Drops one letter other than the first (valid UTF-8 `s`).
void DropLetter(std::string& s, Rng& rng);

// Swaps two neighbouring letters (valid UTF-8 `s`).
void SwapLetters(std::string& s, Rng& rng);

std::string LowerAscii(std::string_view s);

// "+963 123 456 789" from nine digits of `digits`.
std::string PhoneNumber(std::string_view dial, std::uint64_t digits);

// The full name in the entity's custom and style. `swapped` puts the family
// (or for Ethiopian names the father's) name first, as a registrar might.
std::string FullName(const Entity& e, std::string_view given, std::string_view father,
                     std::string_view family, std::string_view grandfather, bool swapped);

// A free-text note, in the entity's script for some non-Latin records.
std::string_view PickNote(const Entity& e, Rng& rng);

}  // namespace kinlink::synth::internal

#endif  // KINLINK_SYNTH_INTERNAL_RENDER_TEXT_H_
