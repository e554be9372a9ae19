#include "synth/internal/render_text.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "synth/internal/name_lists.h"
#include "synth/internal/name_tables.h"

namespace kinlink::synth::internal {
namespace {

// Byte offsets of the first code points of `s` (valid UTF-8); returns how
// many were found, at most starts.size().
std::size_t CodePointStarts(std::string_view s, std::array<std::size_t, 64>& starts) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size() && n < starts.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) starts[n++] = i;
  }
  return n;
}

}  // namespace

std::uint32_t MaleCount(std::uint8_t origin) {
  return static_cast<std::uint32_t>(Tables().male[origin].size());
}

std::uint32_t FemaleCount(std::uint8_t origin) {
  return static_cast<std::uint32_t>(Tables().female[origin].size());
}

std::uint32_t FamilyCount(std::uint8_t origin) {
  // Ethiopian names have no family name: the father's serves.
  return origin == kEthiopianOrigin
             ? 1
             : static_cast<std::uint32_t>(Tables().family[origin].size());
}

Name MaleName(std::uint8_t origin, std::uint32_t i) { return Tables().male[origin][i]; }

Name FemaleName(std::uint8_t origin, std::uint32_t i) { return Tables().female[origin][i]; }

std::span<const Place> Places(std::uint8_t origin) {
  switch (origin) {
    case kArabicOrigin:
      return kArabicPlaces;
    case kSlavicOrigin:
      return kSlavicPlaces;
    default:
      return kEthiopianPlaces;
  }
}

// The name a person of `origin` inherits from a father: Arabic and
// Ethiopian custom use his given name, East Slavic a patronymic.
Name FatherPart(std::uint8_t origin, std::uint32_t father, bool female) {
  if (origin == kSlavicOrigin) {
    const NameTables& t = Tables();
    return female ? t.daughter[origin][father] : t.son[origin][father];
  }
  return MaleName(origin, father);
}

// The family name: Ethiopian custom has none, so the father's name (used as
// a surname on most forms) stands in; Slavic names take a feminine form.
Name FamilyPart(std::uint8_t origin, std::uint32_t family, std::uint32_t father, bool female) {
  if (origin == kEthiopianOrigin) return MaleName(origin, father);
  const FamilyName& f = Tables().family[origin][family];
  return female ? f.female : f.male;
}

std::string_view Pick(Name name, bool latin) { return latin ? name.latin : name.native; }

// Decimal digits of `value`, zero-padded to `width` (at most 20).
void AppendNumber(std::string& out, std::uint64_t value, int width) {
  char buf[20];
  char* p = buf + sizeof(buf);
  do {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (buf + sizeof(buf) - p < width) *--p = '0';
  out.append(p, buf + sizeof(buf));
}

std::string DateString(int year, int month, int day) {
  std::string out;
  out.reserve(10);
  AppendNumber(out, static_cast<std::uint64_t>(year), 4);
  if (month > 0) {
    out.push_back('-');
    AppendNumber(out, static_cast<std::uint64_t>(month), 2);
    if (day > 0) {
      out.push_back('-');
      AppendNumber(out, static_cast<std::uint64_t>(day), 2);
    }
  }
  return out;
}

std::string Join(std::initializer_list<std::string_view> parts) {
  std::size_t size = 0;
  for (std::string_view p : parts) size += p.size() + 1;
  std::string out;
  out.reserve(size);
  for (std::string_view p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out.append(p);
  }
  return out;
}

// Drops one letter other than the first (a name stays recognisable by its
// start, as with real typing errors).
void DropLetter(std::string& s, Rng& rng) {
  std::array<std::size_t, 64> starts;
  const std::size_t n = CodePointStarts(s, starts);
  if (n < 3) return;
  const std::size_t k = 1 + rng.Below(static_cast<std::uint32_t>(n - 1));
  const std::size_t end = k + 1 < n ? starts[k + 1] : s.size();
  s.erase(starts[k], end - starts[k]);
}

// Swaps two neighbouring letters.
void SwapLetters(std::string& s, Rng& rng) {
  std::array<std::size_t, 64> starts;
  const std::size_t n = CodePointStarts(s, starts);
  if (n < 2) return;
  const std::size_t k = rng.Below(static_cast<std::uint32_t>(n - 1));
  const std::size_t end = k + 2 < n ? starts[k + 2] : s.size();
  std::rotate(s.begin() + static_cast<std::ptrdiff_t>(starts[k]),
              s.begin() + static_cast<std::ptrdiff_t>(starts[k + 1]),
              s.begin() + static_cast<std::ptrdiff_t>(end));
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "+963 123 456 789" from nine digits of `digits`.
std::string PhoneNumber(std::string_view dial, std::uint64_t digits) {
  std::string out;
  out.reserve(dial.size() + 12);
  out.append(dial);
  std::uint64_t rest = digits % 1'000'000'000;
  const std::uint64_t groups[3] = {rest / 1'000'000, rest / 1000 % 1000, rest % 1000};
  for (std::uint64_t g : groups) {
    out.push_back(' ');
    AppendNumber(out, g, 3);
  }
  return out;
}

// The full name in the entity's custom and style. `swapped` puts the family
// (or for Ethiopian names the father's) name first, as a registrar might.
std::string FullName(const Entity& e, std::string_view given, std::string_view father,
                     std::string_view family, std::string_view grandfather, bool swapped) {
  switch (e.origin) {
    case kArabicOrigin:
      if (e.name_style == 2) return swapped ? Join({family, given}) : Join({given, family});
      return swapped ? Join({family, given, father}) : Join({given, father, family});
    case kSlavicOrigin: {
      // Style 1 is the official Ukrainian/Russian order, family name first.
      const bool family_first = (e.name_style == 1) != swapped;
      if (e.name_style == 2) return family_first ? Join({family, given}) : Join({given, family});
      return family_first ? Join({family, given, father}) : Join({given, father, family});
    }
    default: {
      const std::string_view third = e.has_grandfather && e.name_style != 0 ? grandfather : "";
      return swapped ? Join({father, given, third}) : Join({given, father, third});
    }
  }
}

std::string_view PickNote(const Entity& e, Rng& rng) {
  if (e.script != Script::kLatin && rng.Percent(30)) {
    switch (e.origin) {
      case kArabicOrigin:
        return kArabicNotes[rng.Below(Count(kArabicNotes))];
      case kSlavicOrigin:
        return kSlavicNotes[rng.Below(Count(kSlavicNotes))];
      default:
        return kEthiopianNotes[rng.Below(Count(kEthiopianNotes))];
    }
  }
  return kEnglishNotes[rng.Below(Count(kEnglishNotes))];
}
}  // namespace kinlink::synth::internal
