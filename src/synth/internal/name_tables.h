// Private to synth: the full name tables, composed once from the building
// blocks in name_lists.h (hand-written names first, then compounds and
// root + ending combinations), with the Latin forms of composed Ukrainian
// names written by the Ukrainian national transliteration.
#ifndef KINLINK_SYNTH_INTERNAL_NAME_TABLES_H_
#define KINLINK_SYNTH_INTERNAL_NAME_TABLES_H_

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "synth/internal/name_lists.h"

namespace kinlink::synth::internal {

inline constexpr std::size_t kOriginCount = 3;

// Indexed by origin (0 Arabic, 1 East Slavic, 2 Ethiopian). The views point
// into storage owned by the tables, which live for the whole program.
struct NameTables {
  std::vector<Name> male[kOriginCount];
  std::vector<Name> female[kOriginCount];
  // Patronymics, parallel to male[]; filled for East Slavic only.
  std::vector<Name> son[kOriginCount];
  std::vector<Name> daughter[kOriginCount];
  // Empty for Ethiopian names (the father's name serves).
  std::vector<FamilyName> family[kOriginCount];
  // The bytes of composed names. A deque never moves its elements, so
  // views into the strings (short ones included) stay valid.
  std::deque<std::string> storage;
};

// Built on first use (thread-safe), never destroyed. Deterministic: the
// same tables in every run.
const NameTables& Tables();

// Ukrainian Cyrillic to Latin by the national transliteration of 2010
// (Є, Ї, Й, Ю, Я at the start of a word give Ye, Yi, Y, Yu, Ya; the soft
// sign and apostrophe are dropped). Other bytes are copied.
std::string TransliterateUkrainian(std::string_view cyrillic);

// The patronymics of an East Slavic given name by the regular Ukrainian
// rules: Антон: Антонович, Антонівна; Андрій: Андрійович, Андріївна;
// Павло: Павлович, Павлівна; Василь: Васильович, Василівна.
std::string SonPatronymic(std::string_view name);
std::string DaughterPatronymic(std::string_view name);

}  // namespace kinlink::synth::internal

#endif  // KINLINK_SYNTH_INTERNAL_NAME_TABLES_H_
