// Transliteration of names into a lowercase ASCII Latin "matching form".
//
// The matching form is only [a-z0-9 ]: words separated by single spaces,
// hyphens and underscores become spaces, apostrophes and ʿ/ʾ are dropped,
// diacritics are removed (Latin-ASCII). It is a key for comparison, not a
// romanisation for display.
//
// Per word, by its dominant script (DetectScript):
//   Latin     : ICU "Latin-ASCII" ("Fátima" -> "fatima", "Straße" -> "strasse").
//   Arabic    : Kinlink's own ICU rule set (kArabicRules in the .cc): one
//               consonant per letter (ث th, خ kh, ذ dh, ش sh, غ gh, ح/ه h,
//               ق q, ص s, ض d, ط t, ظ z), long vowels ا a, و u (w at the
//               start or before a), ي i (y at the start or before a),
//               ع a at the start of a word and nothing elsewhere, final ه/ة
//               "ah". Arabic writes no short vowels, so محمد -> "mhmd";
//               keys (ConsonantSkeleton) bridge the gap to "mohamed". Own
//               rules rather than ICU "Arabic-Latin" so that the output is
//               one plain consonant per letter with word-position rules for
//               ا و ي ع ه; ICU's transform was not benchmarked against it.
//               تش is "ch"; the article before ع is split off ("al ansi").
//   Cyrillic  : ICU "Ukrainian-Latin/BGN" when the word has і ї є ґ,
//               otherwise "Russian-Latin/BGN" (х kh, ж zh, ч ch, ц ts, я ya).
//   Ethiopic  : ICU "Amharic-Latin/BGN".
//   other     : ICU "Any-Latin".
// The input goes through Normalize() and FoldForMatching() first. Invalid
// UTF-8 bytes become U+FFFD and are then dropped (no letter survives).
//
// Thread-safety: a Transliterator is NOT thread-safe (ICU transliterators
// keep internal state); use one instance per thread. Create() is
// thread-safe. Deterministic: the same input always gives the same output.
//
//   KL_ASSIGN_OR_RETURN(auto tr, Transliterator::Create());
//   std::string latin = tr->ToLatin("محمد الحسن");  // "mhmd alhsn"
#ifndef KINLINK_TEXT_TRANSLITERATOR_H_
#define KINLINK_TEXT_TRANSLITERATOR_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"


namespace kinlink::text {

// How many forms ToLatinForms returns at most.
inline constexpr std::size_t kMaxLatinForms = 5;

class Transliterator {
 public:
  // Builds the ICU transforms. Errors: INTERNAL when ICU lacks a transform
  // or its data (a broken installation).
  static Result<std::unique_ptr<Transliterator>> Create();

  ~Transliterator();
  Transliterator(const Transliterator&) = delete;
  Transliterator& operator=(const Transliterator&) = delete;

  // A new transliterator with the same transforms, cloned from this one's
  // (much cheaper than Create, which compiles the rules): one per worker
  // thread. Its memory of words starts empty. Not to be called while
  // another thread uses this one. Errors: INTERNAL when ICU cannot clone
  // a transform.
  Result<std::unique_ptr<Transliterator>> Clone() const;

  // The matching form of `utf8` (any script, any case); "" for input
  // without letters or digits.
  std::string ToLatin(std::string_view utf8);
  // ToLatin without its plain-ASCII fast path (for the test that the two
  // agree).
  std::string ToLatinViaIcu(std::string_view utf8);

  // Several matching forms of `utf8`, one per romanisation convention, for
  // matching against Latin spellings that followed another convention than
  // ToLatin's (take the best similarity over the forms). Distinct, at most
  // kMaxLatinForms, in this order: ToLatin(utf8) itself (always first, so
  // the vector is never empty; "" for input without letters), then, for
  // Cyrillic words, everyday English (х h, ё yo, final -ий y), Slavic
  // Latin alphabets without diacritics (ц/ч c, ш s, ж z, й/я/ю j ja ju),
  // Japanese names in Polivanov spelling (си shi, ти chi, дз z/j) and
  // Chinese names in Palladius spelling (си xi, цз z/j, ж r); for Arabic
  // words the second form is the one for names of European origin (ي as
  // consonant j, final تش c, ق g). Latin and other words are the same in
  // every form. A form converts every word by the same convention.
  std::vector<std::string> ToLatinForms(std::string_view utf8);

 private:
  struct Impl;
  explicit Transliterator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The matching form of text that is already Latin or ASCII, without ICU
// transforms: lowercases ASCII, maps '-', '_', '.', ',', '/' and white
// space to one space,
// keeps [a-z0-9], drops everything else (including non-ASCII bytes). Pure.
std::string AsciiMatchingForm(std::string_view text);

// Whether `text` is printable ASCII plus tab, LF and CR: for such text NFKC
// and the Latin-ASCII transform are the identity and case folding is
// lowercasing, so its matching form is AsciiMatchingForm(text) and needs
// no ICU transform (ToLatin's fast path).
bool IsPlainAscii(std::string_view text);

}  // namespace kinlink::text

#endif  // KINLINK_TEXT_TRANSLITERATOR_H_
