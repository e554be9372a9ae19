// Unicode normalisation and script detection for names.
//
// Normalize() gives the canonical native-script form of a name (what is
// compared when two records use the same script); FoldForMatching() goes one
// step further and merges letters that writers use interchangeably.
//
// Invalid UTF-8: every maximal invalid byte sequence is treated as U+FFFD
// (the replacement character), which then counts as a symbol, not a letter;
// nothing crashes and the output is always valid UTF-8.
//
// Thread-safety: all functions are pure and may be called from any thread.
#ifndef KINLINK_TEXT_NORMALIZE_H_
#define KINLINK_TEXT_NORMALIZE_H_

#include <string>
#include <string_view>

namespace kinlink::text {

// Unicode NFKC with full case folding (ICU NFKC_Casefold: "Straße" ->
// "strasse", ligatures and full-width forms decomposed, default-ignorable
// code points such as ZWJ dropped), every run of white space and control
// characters collapsed to one ASCII space, leading and trailing space
// trimmed, Arabic tatweel (U+0640) and Arabic diacritics (harakat U+064B..
// U+065F, superscript alef U+0670, Quranic marks U+06D6..U+06ED) removed.
// The script is kept: "  Мохаммед " -> "мохаммед".
std::string Normalize(std::string_view utf8);

// Applies to the output of Normalize(). Unifies letter variants that are
// spelling choices rather than different names:
//   Arabic: أ إ آ ٱ -> ا, ة -> ه, ى -> ي, ؤ -> و, ئ -> ي, ء dropped,
//           Persian ی -> ي and ک -> ك;
//   Cyrillic: ё -> е, й stays (it is a consonant in names).
// Other characters are unchanged. Idempotent.
std::string FoldForMatching(std::string_view normalized_utf8);

// The dominant script of a name.
enum class Script {
  kUnknown = 0,  // no letters at all (empty, digits, punctuation)
  kLatin,
  kArabic,  // includes Persian, Urdu, Pashto letters (all Arabic script)
  kCyrillic,
  kEthiopic,
  kOther,  // any other script (Greek, Han, Hebrew, ...)
};

// "latin", "arabic", ...: a stable lower-case name for logs and tests.
std::string_view ScriptName(Script script);

// The script with the most letters (ICU uscript_getScript over code points
// that are alphabetic; marks, digits, Common and Inherited are not counted).
// Ties go to the script listed first in the enum (Latin before Arabic ...),
// with all "other" scripts counted together.
Script DetectScript(std::string_view utf8);

}  // namespace kinlink::text

#endif  // KINLINK_TEXT_NORMALIZE_H_
