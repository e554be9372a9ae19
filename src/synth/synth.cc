// The generator keeps each person as a small Entity of list indices and
// renders it to fields only at the end. That makes siblings (copy, change
// the given name and birth) and duplicates (copy, render with noise) cheap
// and keeps the true entity of every record known.
#include "synth/synth.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "synth/internal/name_lists.h"
#include "synth/internal/render_text.h"

namespace kinlink::synth {

using record::Field;
using record::Record;

namespace internal {

namespace {

std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) {
  std::uint64_t state = seed;
  for (std::uint64_t& s : s_) s = SplitMix64(state);
}

std::uint64_t Rng::Next() {
  const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

std::uint32_t Rng::Below(std::uint32_t n) {
  return static_cast<std::uint32_t>(((Next() >> 32) * n) >> 32);
}

double Rng::Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

}  // namespace internal

namespace {

using internal::AppendNumber;
using internal::Count;
using internal::DateString;
using internal::DropLetter;
using internal::Entity;
using internal::FamilyCount;
using internal::FamilyPart;
using internal::FatherPart;
using internal::FemaleCount;
using internal::FemaleName;
using internal::FullName;
using internal::Join;
using internal::kArabicOrigin;
using internal::kEthiopianOrigin;
using internal::kSlavicOrigin;
using internal::LowerAscii;
using internal::MaleCount;
using internal::MaleName;
using internal::Name;
using internal::PhoneNumber;
using internal::Pick;
using internal::PickNote;
using internal::Places;
using internal::SwapLetters;

// Noise applied to a duplicate, as bits.
enum Noise : std::uint32_t {
  kDropLetter = 1u << 0,
  kSwapLetters = 1u << 1,
  kYearOff = 1u << 2,
  kSwapOrder = 1u << 3,
  kOnFamilyName = 1u << 4,  // letter noise hits the family name, not the given
};

// Birth years drawn from this range; with a year of noise the latest is
// still years before any plausible "today".
constexpr int kFirstBirthYear = 1940;
constexpr int kLastBirthYear = 2020;
// age_as_of and last_seen_date years.
constexpr int kFirstRecentYear = 2022;
constexpr int kLastRecentYear = 2024;
// Entities remembered for duplicates.
constexpr std::size_t kHistorySize = 4096;

}  // namespace

std::string_view ScriptName(Script script) {
  switch (script) {
    case Script::kLatin:
      return "latin";
    case Script::kArabic:
      return "arabic";
    case Script::kCyrillic:
      return "cyrillic";
    case Script::kEthiopic:
      return "ethiopic";
  }
  return "unknown";
}

Generator::Generator(Options options) : options_(options), rng_(options.seed) {
  // NaN and out-of-range rates mean "none" and "always".
  if (!(options_.duplicate_rate > 0.0)) options_.duplicate_rate = 0.0;
  if (options_.duplicate_rate > 1.0) options_.duplicate_rate = 1.0;
  if (options_.duplicate_rate > 0.0) history_.reserve(kHistorySize);
}

void Generator::PickBirth(Entity& e, int year) {
  e.birth_year = static_cast<std::int16_t>(std::clamp(year, kFirstBirthYear, kLastBirthYear));
  e.birth_month = static_cast<std::uint8_t>(1 + rng_.Below(12));
  e.birth_day = static_cast<std::uint8_t>(
      1 + rng_.Below(static_cast<std::uint32_t>(record::DaysInMonth(e.birth_year, e.birth_month))));
  const std::uint32_t form = rng_.Below(100);
  e.date_form = form < 45 ? 0 : form < 65 ? 1 : form < 88 ? 2 : 3;
  if (e.date_form == 3) {
    e.as_of_year = static_cast<std::int16_t>(kFirstRecentYear +
                                             rng_.Below(kLastRecentYear - kFirstRecentYear + 1));
    e.as_of_month = static_cast<std::uint8_t>(1 + rng_.Below(12));
    e.as_of_day = rng_.Percent(50) ? static_cast<std::uint8_t>(1 + rng_.Below(28)) : 0;
    const bool range = rng_.Percent(40);
    e.age_below = range ? static_cast<std::uint16_t>(rng_.Below(3)) : 0;
    e.age_above = range ? static_cast<std::uint8_t>(1 + rng_.Below(4)) : 0;
  }
}

Entity Generator::FreshEntity() {
  Entity e;
  const std::uint32_t origin = rng_.Below(100);
  e.origin = origin < 45 ? kArabicOrigin : origin < 75 ? kSlavicOrigin : kEthiopianOrigin;
  static constexpr Script kNative[] = {Script::kArabic, Script::kCyrillic, Script::kEthiopic};
  e.script = rng_.Percent(40) ? Script::kLatin : kNative[e.origin];
  e.female = rng_.Percent(50);
  e.name_style = static_cast<std::uint8_t>(rng_.Below(3));
  e.given =
      static_cast<std::uint16_t>(rng_.Below(e.female ? FemaleCount(e.origin) : MaleCount(e.origin)));
  e.father = static_cast<std::uint16_t>(rng_.Below(MaleCount(e.origin)));
  e.grandfather = static_cast<std::uint16_t>(rng_.Below(MaleCount(e.origin)));
  e.family = static_cast<std::uint16_t>(rng_.Below(FamilyCount(e.origin)));
  e.mother = static_cast<std::uint16_t>(rng_.Below(FemaleCount(e.origin)));
  e.mother_family = static_cast<std::uint16_t>(
      rng_.Below(e.origin == kEthiopianOrigin ? MaleCount(e.origin) : FamilyCount(e.origin)));
  e.has_mother = rng_.Percent(35);
  e.has_grandfather = rng_.Percent(e.origin == kEthiopianOrigin ? 50 : 15);
  e.has_alternate = e.script != Script::kLatin && rng_.Percent(20);
  const auto places = static_cast<std::uint32_t>(Places(e.origin).size());
  e.birth_place = static_cast<std::uint16_t>(rng_.Below(places));
  e.locality = rng_.Percent(70) ? e.birth_place : static_cast<std::uint16_t>(rng_.Below(places));
  PickBirth(e,
            kFirstBirthYear + static_cast<int>(rng_.Below(kLastBirthYear - kFirstBirthYear + 1)));
  e.contact = static_cast<std::uint32_t>(rng_.Next());
  return e;
}

Entity Generator::SiblingOf(const Entity& elder) {
  Entity e = elder;  // same father, mother, family, places, script
  e.female = rng_.Percent(50);
  const std::uint32_t names = e.female ? FemaleCount(e.origin) : MaleCount(e.origin);
  do {
    e.given = static_cast<std::uint16_t>(rng_.Below(names));
  } while (e.female == elder.female && e.given == elder.given);
  const int gap = 1 + static_cast<int>(rng_.Below(6));
  PickBirth(e, elder.birth_year + (rng_.Percent(50) ? gap : -gap));
  e.has_alternate = e.script != Script::kLatin && rng_.Percent(20);
  e.contact = static_cast<std::uint32_t>(rng_.Next());
  return e;
}

std::uint32_t Generator::PickNoise() {
  static constexpr std::uint32_t kKinds[] = {kDropLetter, kSwapLetters, kYearOff, kSwapOrder};
  std::uint32_t noise = kKinds[rng_.Below(4)];
  if (rng_.Percent(40)) noise |= kKinds[rng_.Below(4)];
  if (rng_.Percent(40)) noise |= kOnFamilyName;
  return noise;
}

Record Generator::Next() {
  ++count_;
  std::uint32_t noise = 0;
  Entity e;
  last_was_duplicate_ = false;
  if (options_.duplicate_rate > 0.0 && !history_.empty() && rng_.Unit() < options_.duplicate_rate) {
    e = history_[rng_.Below(static_cast<std::uint32_t>(history_.size()))];
    noise = PickNoise();
    last_was_duplicate_ = true;
  } else {
    e = have_previous_ && rng_.Percent(25) ? SiblingOf(previous_) : FreshEntity();
    e.id = ++entities_;
    previous_ = e;
    have_previous_ = true;
    if (options_.duplicate_rate > 0.0) {
      if (history_.size() < kHistorySize) {
        history_.push_back(e);
      } else {
        history_[history_next_] = e;
        history_next_ = (history_next_ + 1) % kHistorySize;
      }
    }
  }
  entity_of_last_ = e.id;
  script_of_last_ = e.script;
  return Render(e, noise);
}

Record Generator::Render(const Entity& e, std::uint32_t noise) {
  Record r(options_.kind);
  const bool latin = e.script == Script::kLatin;
  const auto places = Places(e.origin);

  std::string id = "S";
  AppendNumber(id, static_cast<std::uint64_t>(count_), 0);
  r.Set(Field::kId, std::move(id));

  const Name given_name = e.female ? FemaleName(e.origin, e.given) : MaleName(e.origin, e.given);
  const Name father_name = FatherPart(e.origin, e.father, e.female);
  const Name family_name = FamilyPart(e.origin, e.family, e.father, e.female);
  const Name grandfather_name = MaleName(e.origin, e.grandfather);

  std::string given(Pick(given_name, latin));
  std::string family(Pick(family_name, latin));
  if (noise & (kDropLetter | kSwapLetters)) {
    std::string& target = (noise & kOnFamilyName) ? family : given;
    if (noise & kDropLetter) DropLetter(target, rng_);
    if (noise & kSwapLetters) SwapLetters(target, rng_);
  }
  // For Ethiopian names the family name is the father's name: one string.
  const std::string_view father =
      e.origin == kEthiopianOrigin ? std::string_view(family) : Pick(father_name, latin);
  const std::string_view grandfather = Pick(grandfather_name, latin);

  r.Set(Field::kFullName,
        FullName(e, given, father, family, grandfather, (noise & kSwapOrder) != 0));
  // Some registrations hold the full name only.
  if (rng_.Percent(90)) {
    r.Set(Field::kGivenName, given);
    r.Set(Field::kFamilyName, family);
    r.Set(Field::kFatherName, std::string(father));
    if (e.has_grandfather) r.Set(Field::kGrandfatherName, std::string(grandfather));
  }
  if (e.has_mother) {
    const Name mother_family = e.origin == kEthiopianOrigin
                                   ? MaleName(e.origin, e.mother_family)
                                   : FamilyPart(e.origin, e.mother_family, 0, true);
    r.Set(Field::kMotherName,
          Join({Pick(FemaleName(e.origin, e.mother), latin), Pick(mother_family, latin)}));
  }
  if (e.has_alternate) {
    // The same person in Latin letters, as another office may have typed it.
    r.Set(Field::kAlternateNames,
          FullName(e, given_name.latin, FatherPart(e.origin, e.father, e.female).latin,
                   family_name.latin, grandfather_name.latin, false));
  }

  const std::uint32_t sex_form = rng_.Below(100);
  if (sex_form < 85) {
    r.Set(Field::kSex, e.female ? "f" : "m");
  } else if (sex_form < 95) {
    r.Set(Field::kSex, e.female ? "female" : "male");
  } else {
    r.Set(Field::kSex, e.female ? "F" : "M");
  }

  int year = e.birth_year;
  int day = e.birth_day;
  if (noise & kYearOff) {
    year += rng_.Percent(50) ? 1 : -1;
    day = std::min(day, record::DaysInMonth(year, e.birth_month));
  }
  switch (e.date_form) {
    case 0:
      r.Set(Field::kBirthDate, DateString(year, e.birth_month, day));
      break;
    case 1:
      r.Set(Field::kBirthDate, DateString(year, e.birth_month, 0));
      break;
    case 2:
      r.Set(Field::kBirthDate, DateString(year, 0, 0));
      break;
    default: {
      const int age = std::max(0, e.as_of_year - year - (e.as_of_month < e.birth_month ? 1 : 0));
      std::string text;
      AppendNumber(text, static_cast<std::uint64_t>(std::max(0, age - e.age_below)), 0);
      if (e.age_above > 0) {
        text.push_back('-');
        AppendNumber(text, static_cast<std::uint64_t>(age + e.age_above), 0);
      }
      r.Set(Field::kAge, std::move(text));
      r.Set(Field::kAgeAsOf, DateString(e.as_of_year, e.as_of_month, e.as_of_day));
      break;
    }
  }

  const internal::Place& birth_place = places[e.birth_place];
  r.Set(Field::kBirthPlace, std::string(Pick(birth_place.city, latin)));
  r.Set(Field::kLocality, std::string(Pick(places[e.locality].city, latin)));
  r.Set(Field::kCountry, std::string(Pick(birth_place.country, latin)));
  if (rng_.Percent(20)) {
    const auto n = static_cast<std::uint32_t>(places.size());
    r.Set(Field::kLastKnownPlace, std::string(Pick(places[rng_.Below(n)].city, latin)));
  }
  if (rng_.Percent(25)) {
    const int seen_year =
        kFirstRecentYear + static_cast<int>(rng_.Below(kLastRecentYear - kFirstRecentYear + 1));
    const int seen_month = 1 + static_cast<int>(rng_.Below(12));
    const int seen_day = rng_.Percent(60) ? 1 + static_cast<int>(rng_.Below(28)) : 0;
    r.Set(Field::kLastSeenDate, DateString(seen_year, seen_month, seen_day));
  }
  if (rng_.Percent(45)) r.Set(Field::kPhone, PhoneNumber(birth_place.dial, e.contact));
  if (rng_.Percent(20)) {
    static constexpr std::string_view kDomains[] = {"@example.org", "@example.net", "@example.com"};
    std::string email = LowerAscii(given_name.latin);
    email.push_back('.');
    email += LowerAscii(family_name.latin);
    AppendNumber(email, e.contact % 100, 0);
    email += kDomains[e.contact % 3];
    r.Set(Field::kEmail, std::move(email));
  }
  if (rng_.Percent(30)) r.Set(Field::kNotes, std::string(PickNote(e, rng_)));

  if (options_.kind == record::Kind::kPerson) {
    const std::uint32_t s = rng_.Below(100);
    if (s < 90) {
      r.Set(Field::kStatus, s < 35   ? "safe"
                            : s < 50 ? "in_hospital"
                            : s < 60 ? "detained"
                            : s < 65 ? "deceased"
                                     : "unknown");
    }
  } else {
    const internal::Relationship& rel =
        internal::kRelationships[rng_.Below(Count(internal::kRelationships))];
    const bool female = rel.sex == 'f' || (rel.sex == 0 && rng_.Percent(50));
    Name first;
    Name last;
    if (rel.name == "mother" && e.has_mother) {
      first = FemaleName(e.origin, e.mother);
      last = e.origin == kEthiopianOrigin ? MaleName(e.origin, e.mother_family)
                                          : FamilyPart(e.origin, e.mother_family, 0, true);
    } else if (rel.name == "father") {
      first = MaleName(e.origin, e.father);
      last = e.origin == kEthiopianOrigin ? grandfather_name
                                          : FamilyPart(e.origin, e.family, 0, false);
    } else {
      first = female ? FemaleName(e.origin, rng_.Below(FemaleCount(e.origin)))
                     : MaleName(e.origin, rng_.Below(MaleCount(e.origin)));
      last = rel.kin ? FamilyPart(e.origin, e.family, e.father, female)
                     : FamilyPart(e.origin, rng_.Below(FamilyCount(e.origin)),
                                  rng_.Below(MaleCount(e.origin)), female);
    }
    r.Set(Field::kEnquirerName, Join({Pick(first, latin), Pick(last, latin)}));
    if (rng_.Percent(85)) r.Set(Field::kEnquirerPhone, PhoneNumber(birth_place.dial, rng_.Next()));
    if (rng_.Percent(25)) {
      std::string email = LowerAscii(first.latin);
      AppendNumber(email, rng_.Below(1000), 0);
      email += "@example.net";
      r.Set(Field::kEnquirerEmail, std::move(email));
    }
    r.Set(Field::kRelationship, std::string(rel.name));
  }
  return r;
}

std::vector<Record> Generate(const Options& options, std::size_t n) {
  Generator generator(options);
  std::vector<Record> records;
  records.reserve(n);
  for (std::size_t i = 0; i < n; ++i) records.push_back(generator.Next());
  return records;
}

}  // namespace kinlink::synth
