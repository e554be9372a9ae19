// Composition happens once, at first use, so that rendering a record stays
// a matter of indexing into vectors of string views.
#include "synth/internal/name_tables.h"

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "synth/internal/name_lists.h"

namespace kinlink::synth::internal {
namespace {

constexpr std::size_t kArabic = 0;
constexpr std::size_t kSlavic = 1;
constexpr std::size_t kEthiopian = 2;

// Fills the tables, keeping the bytes of composed names in their storage.
class Builder {
 public:
  explicit Builder(NameTables& tables) : tables_(tables) {}

  std::string_view Keep(std::string text) { return tables_.storage.emplace_back(std::move(text)); }

  Name Make(std::string native, std::string latin) {
    return Name{Keep(std::move(native)), Keep(std::move(latin))};
  }

  // Appends unless the list already has the name in either script:
  // different indices must mean different names, or "distinct" entities
  // would share them (Владимир is both Russian and a Slavic compound).
  void AddGiven(std::vector<Name>& list, std::set<std::string>& seen, Name name) {
    const std::string native = "n|" + std::string(name.native);
    const std::string latin = "l|" + std::string(name.latin);
    if (seen.count(native) != 0 || seen.count(latin) != 0) return;
    seen.insert(native);
    seen.insert(latin);
    list.push_back(name);
  }
  void AddFamily(std::size_t origin, FamilyName name) {
    if (family_seen_[origin].insert(Key(name.male) + "|" + Key(name.female)).second) {
      tables_.family[origin].push_back(name);
    }
  }

 private:
  static std::string Key(Name name) {
    std::string key(name.native);
    key += '|';
    key += name.latin;
    return key;
  }

  NameTables& tables_;
  std::set<std::string> family_seen_[kOriginCount];
};

std::string Concat(std::string_view a, std::string_view b) {
  std::string out(a);
  out += b;
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The nisba ending -i fits roots that end in a consonant in both scripts.
bool TakesNisba(Name root) {
  const char last = root.latin.empty() ? 'a' : root.latin.back();
  if (std::string_view("aeiouyAEIOUY").find(last) != std::string_view::npos) return false;
  for (std::string_view vowel_end : {"ة", "ى", "ا", "ي", "ء", "و", "ه"}) {
    if (EndsWith(root.native, vowel_end)) return false;
  }
  return true;
}

void AddArabicForms(Builder& b, Name root, bool plain_forms) {
  auto add = [&b](Name n) { b.AddFamily(kArabic, FamilyName{n, n}); };
  if (plain_forms) {
    add(root);
    add(b.Make(Concat("ال", root.native), Concat("Al-", root.latin)));
    add(b.Make(Concat("ال", root.native), Concat("El-", root.latin)));
  }
  if (TakesNisba(root)) {
    add(b.Make(Concat(root.native, "ي"), Concat(root.latin, "i")));
    add(b.Make(Concat("ال", Concat(root.native, "ي")), Concat("Al-", Concat(root.latin, "i"))));
  }
}

void BuildArabic(Builder& b, NameTables& t) {
  std::set<std::string> male_seen;
  std::set<std::string> female_seen;
  for (Name n : kArabicMale) b.AddGiven(t.male[kArabic], male_seen, n);
  for (Name n : kArabicMaleMore) b.AddGiven(t.male[kArabic], male_seen, n);
  for (Name tail : kArabicAbdTails) {
    b.AddGiven(t.male[kArabic], male_seen,
               b.Make(Concat("عبد", tail.native), Concat("Abdul", tail.latin)));
  }
  for (Name root : kArabicDinRoots) {
    // Nour + al-Din: Nouraldin; a root ending in a vowel drops the "a".
    const bool vowel = !root.latin.empty() && root.latin.back() == 'a';
    b.AddGiven(t.male[kArabic], male_seen,
               b.Make(Concat(root.native, "الدين"), Concat(root.latin, vowel ? "ddin" : "aldin")));
  }
  for (Name n : kArabicFemale) b.AddGiven(t.female[kArabic], female_seen, n);
  for (Name n : kArabicFemaleMore) b.AddGiven(t.female[kArabic], female_seen, n);

  for (const FamilyName& f : kArabicFamily) b.AddFamily(kArabic, f);
  for (Name root : kArabicFamilyRoots) AddArabicForms(b, root, true);
  // Simple male given names are family names too (Khalil, Al-Khalili).
  for (Name root : kArabicMale) AddArabicForms(b, root, true);
  for (Name root : kArabicMaleMore) AddArabicForms(b, root, true);
  for (Name root : kArabicNisbaRoots) AddArabicForms(b, root, false);
}

void BuildSlavic(Builder& b, NameTables& t) {
  std::set<std::string> male_seen;
  std::set<std::string> female_seen;
  for (const SlavicMale& m : kSlavicMale) {
    const std::size_t before = t.male[kSlavic].size();
    b.AddGiven(t.male[kSlavic], male_seen, m.name);
    if (t.male[kSlavic].size() > before) {
      t.son[kSlavic].push_back(m.son);
      t.daughter[kSlavic].push_back(m.daughter);
    }
  }
  auto add_male = [&](std::string name) {
    const std::size_t before = t.male[kSlavic].size();
    const std::string latin = TransliterateUkrainian(name);
    const std::string son = SonPatronymic(name);
    const std::string daughter = DaughterPatronymic(name);
    b.AddGiven(t.male[kSlavic], male_seen, b.Make(std::move(name), latin));
    if (t.male[kSlavic].size() > before) {
      t.son[kSlavic].push_back(b.Make(son, TransliterateUkrainian(son)));
      t.daughter[kSlavic].push_back(b.Make(daughter, TransliterateUkrainian(daughter)));
    }
  };
  auto add_female = [&](std::string name) {
    const std::string latin = TransliterateUkrainian(name);
    b.AddGiven(t.female[kSlavic], female_seen, b.Make(std::move(name), latin));
  };
  for (std::string_view n : kSlavicMaleMore) add_male(std::string(n));
  for (Name n : kSlavicFemale) b.AddGiven(t.female[kSlavic], female_seen, n);
  for (std::string_view n : kSlavicFemaleMore) add_female(std::string(n));
  for (std::string_view prefix : kSlavicCompoundPrefixes) {
    for (std::string_view ending : kSlavicCompoundEndings) {
      add_male(Concat(prefix, ending));
      add_female(Concat(Concat(prefix, ending), "а"));
    }
  }

  for (const FamilyName& f : kSlavicFamily) b.AddFamily(kSlavic, f);
  for (std::string_view stem : kSlavicFamilyStems) {
    for (const SlavicEnding& ending : kSlavicFamilyEndings) {
      // Spellings that would not occur: -чук, -юк or -як after a sibilant
      // (Ткаччук, Дорошяк) or -ський after a sibilant or velar (Ткачський).
      const bool sibilant = EndsWith(stem, "ч") || EndsWith(stem, "ш") || EndsWith(stem, "щ") ||
                            EndsWith(stem, "ж") || EndsWith(stem, "ц");
      if (sibilant && (ending.male == "чук" || ending.male == "юк" || ending.male == "як")) {
        continue;
      }
      if (ending.male == "ський") {
        bool skip = false;
        for (std::string_view c : {"с", "з", "ш", "ч", "ц", "ж", "к", "г", "х", "щ"}) {
          skip = skip || EndsWith(stem, c);
        }
        if (skip) continue;
      }
      const std::string male = Concat(stem, ending.male);
      const std::string female = Concat(stem, ending.female);
      b.AddFamily(kSlavic, FamilyName{b.Make(male, TransliterateUkrainian(male)),
                                      b.Make(female, TransliterateUkrainian(female))});
    }
  }
}

void BuildEthiopian(Builder& b, NameTables& t) {
  std::set<std::string> male_seen;
  std::set<std::string> female_seen;
  for (Name n : kEthiopianMale) b.AddGiven(t.male[kEthiopian], male_seen, n);
  for (Name n : kEthiopianMaleMore) b.AddGiven(t.male[kEthiopian], male_seen, n);
  for (Name prefix : kEthiopianCompoundPrefixes) {
    for (Name holy : kEthiopianCompoundNames) {
      b.AddGiven(t.male[kEthiopian], male_seen,
                 b.Make(Concat(prefix.native, holy.native), Concat(prefix.latin, holy.latin)));
    }
  }
  for (Name n : kEthiopianFemale) b.AddGiven(t.female[kEthiopian], female_seen, n);
  for (Name n : kEthiopianFemaleMore) b.AddGiven(t.female[kEthiopian], female_seen, n);
  for (Name root : kEthiopianFemaleRoots) {
    for (Name ending : kEthiopianFemaleEndings) {
      b.AddGiven(t.female[kEthiopian], female_seen,
                 b.Make(Concat(root.native, ending.native), Concat(root.latin, ending.latin)));
    }
  }
  for (Name holy : kEthiopianCompoundNames) {
    b.AddGiven(t.female[kEthiopian], female_seen,
               b.Make(Concat(kEthiopianWelete.native, holy.native),
                      Concat(kEthiopianWelete.latin, holy.latin)));
  }
}

// One Cyrillic code point (2 bytes in UTF-8) at s[i], or 0 if none.
char32_t CyrillicAt(std::string_view s, std::size_t i) {
  if (i + 1 >= s.size()) return 0;
  const auto c0 = static_cast<unsigned char>(s[i]);
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  if ((c0 & 0xE0) != 0xC0 || (c1 & 0xC0) != 0x80) return 0;
  const char32_t cp = static_cast<char32_t>(((c0 & 0x1F) << 6) | (c1 & 0x3F));
  return cp >= 0x400 && cp <= 0x4FF ? cp : 0;
}

char32_t LowerCyrillic(char32_t cp, bool& upper) {
  upper = true;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  if (cp == 0x490) return 0x491;
  upper = false;
  return cp;
}

// Latin for a lower-case letter; `initial`: at the start of a word.
std::string_view LatinOf(char32_t cp, bool initial) {
  switch (cp) {
    case 0x430: return "a";
    case 0x431: return "b";
    case 0x432: return "v";
    case 0x433: return "h";
    case 0x491: return "g";
    case 0x434: return "d";
    case 0x435: return "e";
    case 0x454: return initial ? "ye" : "ie";
    case 0x436: return "zh";
    case 0x437: return "z";
    case 0x438: return "y";
    case 0x456: return "i";
    case 0x457: return initial ? "yi" : "i";
    case 0x439: return initial ? "y" : "i";
    case 0x43A: return "k";
    case 0x43B: return "l";
    case 0x43C: return "m";
    case 0x43D: return "n";
    case 0x43E: return "o";
    case 0x43F: return "p";
    case 0x440: return "r";
    case 0x441: return "s";
    case 0x442: return "t";
    case 0x443: return "u";
    case 0x444: return "f";
    case 0x445: return "kh";
    case 0x446: return "ts";
    case 0x447: return "ch";
    case 0x448: return "sh";
    case 0x449: return "shch";
    case 0x44E: return initial ? "yu" : "iu";
    case 0x44F: return initial ? "ya" : "ia";
    default: return "";  // soft sign and anything unmapped
  }
}

}  // namespace

std::string TransliterateUkrainian(std::string_view cyrillic) {
  std::string out;
  out.reserve(cyrillic.size());
  bool word_start = true;
  char32_t previous = 0;
  for (std::size_t i = 0; i < cyrillic.size();) {
    const char32_t cp = CyrillicAt(cyrillic, i);
    if (cp == 0) {
      const char c = cyrillic[i];
      // The apostrophe (Слов'янськ) separates letters but writes nothing.
      if (c != '\'') {
        out.push_back(c);
        word_start = true;
        previous = 0;
      }
      ++i;
      continue;
    }
    bool upper = false;
    const char32_t lower = LowerCyrillic(cp, upper);
    // "зг" is written "zgh", to tell it from "ж" (zh).
    std::string_view latin = previous == 0x437 && lower == 0x433 ? "gh" : LatinOf(lower, word_start);
    if (!latin.empty()) {
      const std::size_t at = out.size();
      out.append(latin);
      if (upper && out[at] >= 'a' && out[at] <= 'z') out[at] = static_cast<char>(out[at] - 'a' + 'A');
    }
    word_start = false;
    previous = lower;
    i += 2;
  }
  return out;
}

std::string SonPatronymic(std::string_view name) {
  if (EndsWith(name, "о")) return Concat(name.substr(0, name.size() - 2), "ович");
  return Concat(name, "ович");
}

std::string DaughterPatronymic(std::string_view name) {
  if (EndsWith(name, "й")) return Concat(name.substr(0, name.size() - 2), "ївна");
  if (EndsWith(name, "о") || EndsWith(name, "ь")) {
    return Concat(name.substr(0, name.size() - 2), "івна");
  }
  return Concat(name, "івна");
}

const NameTables& Tables() {
  // Never destroyed: views into it may be used until the program ends.
  static const NameTables* const tables = [] {
    auto* t = new NameTables;
    Builder builder(*t);
    BuildArabic(builder, *t);
    BuildSlavic(builder, *t);
    BuildEthiopian(builder, *t);
    return t;
  }();
  return *tables;
}

}  // namespace kinlink::synth::internal
