#include "synth/synth.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "record/record.h"
#include "synth/internal/name_tables.h"

namespace kinlink::synth {
namespace {

using record::Field;
using record::Kind;
using record::Record;

// The script of the letters in `text`: by the UTF-8 lead bytes of Arabic
// (U+0600-06FF), Cyrillic (U+0400-04FF) and Ethiopic (U+1200-137F).
std::set<Script> ScriptsIn(std::string_view text) {
  std::set<Script> scripts;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const auto next = i + 1 < text.size() ? static_cast<unsigned char>(text[i + 1]) : 0u;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) scripts.insert(Script::kLatin);
    if (c >= 0xD8 && c <= 0xDB) scripts.insert(Script::kArabic);
    if (c == 0xD0 || c == 0xD1) scripts.insert(Script::kCyrillic);
    if (c == 0xE1 && next >= 0x88 && next <= 0x8D) scripts.insert(Script::kEthiopic);
  }
  return scripts;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

TEST(RngTest, SameSeedSameStreamAndBounds) {
  internal::Rng a(42);
  internal::Rng b(42);
  internal::Rng c(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    if (x != c.Next()) differs = true;
  }
  EXPECT_TRUE(differs);
  std::array<int, 7> seen{};
  for (int i = 0; i < 7000; ++i) {
    const std::uint32_t v = a.Below(7);
    ASSERT_LT(v, 7u);
    ++seen[v];
    const double u = a.Unit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  for (int count : seen) EXPECT_GT(count, 800);  // roughly uniform (1000 expected)
}

TEST(RngTest, FirstOutputsAreFixed) {
  // xoshiro256** seeded by splitmix64 is fully specified; these values pin
  // the stream so that a change to it cannot pass unnoticed.
  internal::Rng rng(0);
  const std::uint64_t first = rng.Next();
  internal::Rng again(0);
  EXPECT_EQ(again.Next(), first);
  EXPECT_EQ(first, 0x99EC5F36CB75F2B4ULL);
}

TEST(GeneratorTest, SameSeedGivesSameRecords) {
  const Options options{.seed = 99, .kind = Kind::kRequest, .duplicate_rate = 0.2};
  Generator a(options);
  Generator b(options);
  for (int i = 0; i < 3000; ++i) {
    ASSERT_EQ(a.Next(), b.Next()) << i;
    ASSERT_EQ(a.entity_of_last(), b.entity_of_last());
    ASSERT_EQ(a.last_was_duplicate(), b.last_was_duplicate());
  }
}

TEST(GeneratorTest, DifferentSeedsGiveDifferentRecords) {
  Generator a(Options{.seed = 1});
  Generator b(Options{.seed = 2});
  int same = 0;
  for (int i = 0; i < 100; ++i) {
    if (a.Next().Get(Field::kFullName) == b.Next().Get(Field::kFullName)) ++same;
  }
  EXPECT_LT(same, 10);
}

// FNV-1a over the serialized records: pins the whole output stream, so the
// promise "identical across runs and platforms" is tested on every
// platform that runs the tests. A deliberate change to the generator
// changes this value; update it then. (Last changed when names became
// composed from roots, endings and compounds for diversity.)
TEST(GeneratorTest, OutputStreamIsPinned) {
  Generator generator(Options{.duplicate_rate = 0.1});
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (int i = 0; i < 1000; ++i) {
    for (char c : record::Serialize(generator.Next())) {
      hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
    }
    hash = (hash ^ static_cast<std::uint64_t>(generator.entity_of_last())) * 0x100000001B3ULL;
  }
  EXPECT_EQ(hash, 7533460716907498508ULL);
}

TEST(GeneratorTest, GenerateMatchesNext) {
  const Options options{.seed = 5, .duplicate_rate = 0.3};
  const std::vector<Record> batch = Generate(options, 500);
  ASSERT_EQ(batch.size(), 500u);
  Generator generator(options);
  for (const Record& r : batch) EXPECT_EQ(r, generator.Next());
}

TEST(GeneratorTest, IdsCountFromOne) {
  Generator generator(Options{});
  for (int i = 1; i <= 200; ++i) {
    EXPECT_EQ(generator.Next().Get(Field::kId), "S" + std::to_string(i));
    EXPECT_EQ(generator.count(), i);
  }
}

TEST(GeneratorTest, EveryRecordValidates) {
  for (Kind kind : {Kind::kPerson, Kind::kRequest}) {
    for (double rate : {0.0, 0.5}) {
      Generator generator(Options{.seed = 11, .kind = kind, .duplicate_rate = rate});
      for (int i = 0; i < 20000; ++i) {
        const Record r = generator.Next();
        ASSERT_EQ(r.kind(), kind);
        const auto errors = record::Validate(r, record::ValidationContext{});
        ASSERT_TRUE(errors.empty()) << "record " << i << ": " << record::FieldName(errors[0].field)
                                    << ": " << errors[0].reason;
      }
    }
  }
}

TEST(GeneratorTest, AllFourScriptsAppearAndMatchScriptOfLast) {
  Generator generator(Options{});
  std::map<Script, int> counts;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const Record r = generator.Next();
    ++counts[generator.script_of_last()];
    const std::set<Script> scripts = ScriptsIn(r.Get(Field::kFullName));
    ASSERT_EQ(scripts.size(), 1u) << i;
    EXPECT_EQ(*scripts.begin(), generator.script_of_last()) << i;
  }
  for (Script s : {Script::kLatin, Script::kArabic, Script::kCyrillic, Script::kEthiopic}) {
    EXPECT_GT(counts[s], n / 20) << ScriptName(s);
  }
}

TEST(GeneratorTest, CyrillicFatherNamesArePatronymics) {
  Generator generator(Options{});
  int checked = 0;
  for (int i = 0; i < 3000; ++i) {
    const Record r = generator.Next();
    if (generator.script_of_last() != Script::kCyrillic || !r.Has(Field::kFatherName)) continue;
    const std::string& father = r.Get(Field::kFatherName);
    const bool male =
        r.Get(Field::kSex) == "m" || r.Get(Field::kSex) == "M" || r.Get(Field::kSex) == "male";
    EXPECT_TRUE(male ? EndsWith(father, "ич") : EndsWith(father, "на")) << i;
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST(GeneratorTest, SiblingsShareFatherAndFamilyName) {
  Generator generator(Options{});
  Record previous = generator.Next();
  std::int64_t previous_entity = generator.entity_of_last();
  int siblings = 0;
  const int n = 4000;
  for (int i = 1; i < n; ++i) {
    Record r = generator.Next();
    if (generator.entity_of_last() != previous_entity && r.Has(Field::kFatherName) &&
        r.Get(Field::kFatherName) == previous.Get(Field::kFatherName) &&
        r.Get(Field::kFamilyName) == previous.Get(Field::kFamilyName) &&
        r.Get(Field::kGivenName) != previous.Get(Field::kGivenName)) {
      ++siblings;
    }
    previous = std::move(r);
    previous_entity = generator.entity_of_last();
  }
  // Unrelated neighbours share both names only by chance (about 1 in 100,
  // mostly Ethiopian names where the family name is the father's); the
  // generator makes about one record in five a sibling.
  EXPECT_GT(siblings, n / 8);
}

TEST(GeneratorTest, NoDuplicatesByDefault) {
  Generator generator(Options{});
  for (int i = 1; i <= 1000; ++i) {
    generator.Next();
    EXPECT_EQ(generator.entity_of_last(), i);
    EXPECT_FALSE(generator.last_was_duplicate());
  }
}

TEST(GeneratorTest, DuplicatesAreNoisyCopiesOfEarlierEntities) {
  Generator generator(Options{.seed = 3, .duplicate_rate = 0.25});
  std::map<std::int64_t, Record> first_seen;
  std::int64_t max_entity = 0;
  int duplicates = 0;
  int differing = 0;
  const int n = 8000;
  for (int i = 0; i < n; ++i) {
    Record r = generator.Next();
    const std::int64_t entity = generator.entity_of_last();
    if (generator.last_was_duplicate()) {
      ++duplicates;
      ASSERT_TRUE(first_seen.count(entity)) << i;
      const Record& original = first_seen.at(entity);
      EXPECT_EQ(r.Get(Field::kSex).substr(0, 1) == "f" || r.Get(Field::kSex).substr(0, 1) == "F",
                original.Get(Field::kSex).substr(0, 1) == "f" ||
                    original.Get(Field::kSex).substr(0, 1) == "F");
      EXPECT_EQ(r.Get(Field::kBirthPlace), original.Get(Field::kBirthPlace));
      if (r.Get(Field::kFullName) != original.Get(Field::kFullName) ||
          r.Get(Field::kBirthDate) != original.Get(Field::kBirthDate) ||
          r.Get(Field::kAge) != original.Get(Field::kAge)) {
        ++differing;
      }
    } else {
      // New entities are numbered 1, 2, 3, ... in order.
      EXPECT_EQ(entity, max_entity + 1);
      max_entity = entity;
      first_seen.emplace(entity, std::move(r));
    }
  }
  EXPECT_GT(duplicates, n / 5);
  EXPECT_LT(duplicates, n * 3 / 10);
  EXPECT_GT(differing, duplicates * 8 / 10);
}

TEST(GeneratorTest, KindSpecificFields) {
  Generator persons(Options{.kind = Kind::kPerson});
  std::set<std::string> statuses;
  for (int i = 0; i < 2000; ++i) {
    const Record r = persons.Next();
    EXPECT_FALSE(r.Has(Field::kRelationship));
    EXPECT_FALSE(r.Has(Field::kEnquirerName));
    statuses.insert(r.Get(Field::kStatus));
  }
  EXPECT_EQ(statuses,
            (std::set<std::string>{"", "safe", "in_hospital", "detained", "deceased", "unknown"}));

  Generator requests(Options{.kind = Kind::kRequest});
  int with_phone = 0;
  for (int i = 0; i < 2000; ++i) {
    const Record r = requests.Next();
    EXPECT_FALSE(r.Has(Field::kStatus));
    EXPECT_TRUE(r.Has(Field::kRelationship));
    EXPECT_TRUE(r.Has(Field::kEnquirerName));
    if (r.Has(Field::kEnquirerPhone)) ++with_phone;
  }
  EXPECT_GT(with_phone, 1000);
}

TEST(GeneratorTest, DatesAndOptionalFieldsAreMixed) {
  Generator generator(Options{});
  std::map<std::size_t, int> birth_date_lengths;  // 4, 7, 10
  int ages = 0, age_ranges = 0, phones = 0, emails = 0, notes = 0, multiline = 0;
  const int n = 4000;
  for (int i = 0; i < n; ++i) {
    const Record r = generator.Next();
    EXPECT_TRUE(r.Has(Field::kBirthDate) != r.Has(Field::kAge)) << i;
    EXPECT_EQ(r.Has(Field::kAge), r.Has(Field::kAgeAsOf));
    EXPECT_TRUE(r.Has(Field::kFullName));
    EXPECT_TRUE(r.Has(Field::kSex));
    EXPECT_TRUE(r.Has(Field::kBirthPlace));
    EXPECT_TRUE(r.Has(Field::kLocality));
    EXPECT_TRUE(r.Has(Field::kCountry));
    if (r.Has(Field::kBirthDate)) ++birth_date_lengths[r.Get(Field::kBirthDate).size()];
    if (r.Has(Field::kAge)) {
      ++ages;
      if (r.Get(Field::kAge).find('-') != std::string::npos) ++age_ranges;
    }
    phones += r.Has(Field::kPhone);
    emails += r.Has(Field::kEmail);
    notes += r.Has(Field::kNotes);
    multiline += r.Get(Field::kNotes).find('\n') != std::string::npos;
  }
  EXPECT_GT(birth_date_lengths[4], n / 20);
  EXPECT_GT(birth_date_lengths[7], n / 20);
  EXPECT_GT(birth_date_lengths[10], n / 20);
  EXPECT_GT(ages, n / 20);
  EXPECT_GT(age_ranges, 0);
  EXPECT_LT(age_ranges, ages);
  EXPECT_GT(phones, n / 5);
  EXPECT_LT(phones, n);
  EXPECT_GT(emails, n / 20);
  EXPECT_GT(notes, n / 10);
  EXPECT_GT(multiline, 0);
}

TEST(GeneratorTest, OutOfRangeDuplicateRatesAreClamped) {
  Generator never(Options{.duplicate_rate = -1.0});
  Generator always(Options{.duplicate_rate = 7.0});
  always.Next();  // the first record has nothing to copy
  EXPECT_FALSE(always.last_was_duplicate());
  for (int i = 0; i < 100; ++i) {
    never.Next();
    EXPECT_FALSE(never.last_was_duplicate());
    always.Next();
    EXPECT_TRUE(always.last_was_duplicate());
    EXPECT_EQ(always.entity_of_last(), 1);
  }
}

// Different people rarely share given name, family name and birth year, as
// in a real registry: otherwise blocking on name keys in a benchmark yields
// a flood of candidate pairs and precision against the truth means nothing.
TEST(GeneratorTest, NamesAreDiverse) {
  Generator generator(Options{.duplicate_rate = 0.2});
  std::unordered_map<std::string, std::unordered_set<std::int64_t>> by_name_year;
  std::unordered_map<std::string, std::unordered_set<std::int64_t>> by_name;
  for (int i = 0; i < 200000; ++i) {
    const Record r = generator.Next();
    if (!r.Has(Field::kGivenName) || !r.Has(Field::kBirthDate)) continue;
    const std::string name = r.Get(Field::kGivenName) + "|" + r.Get(Field::kFamilyName);
    by_name[name].insert(generator.entity_of_last());
    by_name_year[name + "|" + r.Get(Field::kBirthDate).substr(0, 4)].insert(
        generator.entity_of_last());
  }
  auto average = [](const auto& groups) {
    std::size_t members = 0;
    for (const auto& [key, entities] : groups) members += entities.size();
    return static_cast<double>(members) / static_cast<double>(groups.size());
  };
  ASSERT_GT(by_name_year.size(), 100000u);
  EXPECT_LT(average(by_name_year), 1.5);
  EXPECT_LT(average(by_name), 10.0);
}

TEST(NameTablesTest, ListsAreLargeAndWithoutRepeats) {
  const internal::NameTables& t = internal::Tables();
  for (std::size_t origin = 0; origin < internal::kOriginCount; ++origin) {
    EXPECT_GT(t.male[origin].size(), 100u) << origin;
    EXPECT_GT(t.female[origin].size(), 80u) << origin;
    EXPECT_LT(t.male[origin].size(), 65536u) << origin;  // Entity holds 16-bit indices
    for (const auto* list : {&t.male[origin], &t.female[origin]}) {
      std::set<std::string_view> native;
      std::set<std::string_view> latin;
      for (const internal::Name& n : *list) {
        EXPECT_TRUE(native.insert(n.native).second) << n.latin;
        EXPECT_TRUE(latin.insert(n.latin).second) << n.latin;
        ASSERT_FALSE(n.latin.empty());
        EXPECT_TRUE(n.latin[0] >= 'A' && n.latin[0] <= 'Z') << n.latin;
        EXPECT_EQ(ScriptsIn(n.latin), std::set<Script>{Script::kLatin}) << n.latin;
      }
    }
  }
  EXPECT_GT(t.family[0].size(), 500u);
  EXPECT_GT(t.family[1].size(), 500u);
  EXPECT_TRUE(t.family[2].empty());
  ASSERT_EQ(t.son[1].size(), t.male[1].size());
  ASSERT_EQ(t.daughter[1].size(), t.male[1].size());
  for (std::size_t i = 0; i < t.male[1].size(); ++i) {
    EXPECT_TRUE(EndsWith(t.son[1][i].native, "ич")) << t.son[1][i].latin;
    EXPECT_TRUE(EndsWith(t.daughter[1][i].native, "на")) << t.daughter[1][i].latin;
  }
  // Each name is in its own script, and the Latin form is Latin only.
  const Script kNative[] = {Script::kArabic, Script::kCyrillic};
  for (std::size_t origin = 0; origin < 2; ++origin) {
    for (const internal::FamilyName& f : t.family[origin]) {
      EXPECT_EQ(ScriptsIn(f.male.native), std::set<Script>{kNative[origin]}) << f.male.latin;
      EXPECT_EQ(ScriptsIn(f.female.latin), std::set<Script>{Script::kLatin}) << f.female.latin;
    }
  }
}

TEST(NameTablesTest, UkrainianTransliteration) {
  EXPECT_EQ(internal::TransliterateUkrainian("Бондаренко"), "Bondarenko");
  EXPECT_EQ(internal::TransliterateUkrainian("Ковальська"), "Kovalska");
  EXPECT_EQ(internal::TransliterateUkrainian("Юрчук"), "Yurchuk");
  EXPECT_EQ(internal::TransliterateUkrainian("Євген Олексійович"), "Yevhen Oleksiiovych");
  EXPECT_EQ(internal::TransliterateUkrainian("Щербак"), "Shcherbak");
  EXPECT_EQ(internal::TransliterateUkrainian("Ізмаїл"), "Izmail");
  EXPECT_EQ(internal::TransliterateUkrainian("Згурський"), "Zghurskyi");
  EXPECT_EQ(internal::TransliterateUkrainian("Слов'янськ"), "Sloviansk");
  EXPECT_EQ(internal::TransliterateUkrainian("Ґудзь-Яковенко"), "Gudz-Yakovenko");
  EXPECT_EQ(internal::TransliterateUkrainian(""), "");
  EXPECT_EQ(internal::TransliterateUkrainian("abc 1"), "abc 1");
}

TEST(NameTablesTest, RegularPatronymics) {
  EXPECT_EQ(internal::SonPatronymic("Антон"), "Антонович");
  EXPECT_EQ(internal::DaughterPatronymic("Антон"), "Антонівна");
  EXPECT_EQ(internal::SonPatronymic("Андрій"), "Андрійович");
  EXPECT_EQ(internal::DaughterPatronymic("Андрій"), "Андріївна");
  EXPECT_EQ(internal::SonPatronymic("Павло"), "Павлович");
  EXPECT_EQ(internal::DaughterPatronymic("Павло"), "Павлівна");
  EXPECT_EQ(internal::SonPatronymic("Василь"), "Васильович");
  EXPECT_EQ(internal::DaughterPatronymic("Василь"), "Василівна");
}

TEST(ScriptTest, Names) {
  EXPECT_EQ(ScriptName(Script::kLatin), "latin");
  EXPECT_EQ(ScriptName(Script::kArabic), "arabic");
  EXPECT_EQ(ScriptName(Script::kCyrillic), "cyrillic");
  EXPECT_EQ(ScriptName(Script::kEthiopic), "ethiopic");
}

}  // namespace
}  // namespace kinlink::synth
