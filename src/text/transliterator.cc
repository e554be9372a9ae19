#include "text/transliterator.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <vector>

#include <unicode/parseerr.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include "text/normalize.h"

namespace kinlink::text {
namespace {

// Arabic-script letters -> Latin consonant-faithful form. Applied word by
// word to FoldForMatching() output (so أ إ آ are already ا, ة is ه, ى ئ are ي).
// '^' anchors at the start of the word, '$' at its end. ICU tries rules in
// order and rejects a rule masked by an earlier one, so context rules come
// first. A rule set is kArabicArticleRules + one convention + kArabicLetterRules.
//
// The article ال before a word-initial ع, و or ي keeps that letter's
// word-initial value; before ع it is split off with a hyphen (a space in
// the matching form) so that NameTokens strips it as it strips "al" +
// consonant (العنسي -> "al ansi", core "ansi").
constexpr char16_t kArabicArticleRules[] =
    u"^ \u0627\u0644\u0639 > al'-'a ;"   // ال + ع
    u"^ \u0627\u0644\u0648 > alw ;"      // ال + و
    u"^ \u0627\u0644\u064A } \u0627 > aly ;"
    u"^ \u0639 > a ;";                    // ع initial: a vowel in Latin (ali, omar)

// The primary convention (ToLatin). تش is how Arabic writes "ch", which it
// has no letter for (تشيك "chik", ميتشل "michl"): "ch", not "tsh".
constexpr char16_t kArabicPrimaryRules[] =
    u"\u062A\u0634 > ch ;"                // تش
    u"\u064A } \u0627 > y ;"              // ي before ا or initial: a consonant
    u"^ \u064A > y ;"
    u"\u0642 > q ;";

// The alternative for names of European origin written in Arabic (the
// Wikidata set is mostly such names): ي as consonant is "j" (German and
// Slavic: Jovetic, Karajan), a final تش is the Slavic -ić/-ič "c", and ق
// is "g" (the Gulf and Egyptian pronunciation: Gaddafi, Gaouaoui).
constexpr char16_t kArabicForeignRules[] =
    u"\u062A\u0634 } $ > c ;"
    u"\u062A\u0634 > ch ;"
    u"\u064A } \u0627 > j ;"
    u"^ \u064A > j ;"
    u"\u0642 > g ;";

constexpr char16_t kArabicLetterRules[] =
    u"\u0639 > ;"                // ع elsewhere: nothing (saad, jafar)
    u"\u0627 > a ;"
    u"\u0648 } \u0627 > w ;"     // و
    u"^ \u0648 > w ;"
    u"\u0648 > u ;"
    u"\u064A > i ;"              // ي as vowel
    u"\u0647 } $ > ah ;"         // final ه / ة
    u"\u0647 > h ;"
    u"\u0628 > b ; \u062A > t ; \u062B > th ; \u062C > j ; \u062D > h ;"
    u"\u062E > kh ; \u062F > d ; \u0630 > dh ; \u0631 > r ; \u0632 > z ;"
    u"\u0633 > s ; \u0634 > sh ; \u0635 > s ; \u0636 > d ; \u0637 > t ;"
    u"\u0638 > z ; \u063A > gh ; \u0641 > f ; \u0643 > k ;"
    u"\u0644 > l ; \u0645 > m ; \u0646 > n ; \u0621 > ;"
    u"\u067E > p ; \u0686 > ch ; \u0698 > zh ; \u06AF > g ; \u06A4 > v ;"
    u"\u06BE > h ; \u06C1 > h ; \u06D2 > e ;";  // Urdu do-chashmi he, heh goal, barree ye

// Cyrillic conventions other than BGN, for ToLatinForms. Each reverses a
// way that Cyrillic spellings of names arise, so that the Latin original
// can be recovered. Input: Normalize()d words (lower case, ё kept).
// Letters no rule names are left to Russian BGN afterwards.
//
// Everyday English spelling: х h, ё yo, final -ий/-ый y (Dmitry), кс x.
constexpr char16_t kCyrillicEnglishRules[] =
    u"$v = [аеёиоуыэюяіїєaeiouy] ;"
    u"ий } $ > y ; ый } $ > y ; ия } $ > ia ;"
    u"кс > x ; ье > ie ; ьё > io ;"
    u"а > a ; б > b ; в > v ; г > g ; д > d ; е > e ; ё > yo ; ж > zh ; з > z ;"
    u"и > i ; й > y ; к > k ; л > l ; м > m ; н > n ; о > o ; п > p ; р > r ;"
    u"с > s ; т > t ; у > u ; ф > f ; х > h ; ц > ts ; ч > ch ; ш > sh ;"
    u"щ > shch ; ъ > ; ы > y ; ь > ; э > e ; ю > yu ; я > ya ; і > i ; ї > yi ;"
    u"є > ye ; ґ > g ;";

// Slavic Latin alphabets (Czech, Polish, Croatian, Serbian, Slovene ...)
// after diacritics are dropped: ц c, ч c (č ć), ш s (š), ж z (ž), х h,
// й j, я ja, ю ju, ё jo, е je at the start or after a vowel.
constexpr char16_t kCyrillicSlavicRules[] =
    u"$v = [аеёиоуыэюяіїєьъaeiouy] ;"
    u"$v { е > je ; ^ е > je ;"
    u"ья > ja ; ью > ju ; ьё > jo ; ье > je ;"
    u"а > a ; б > b ; в > v ; г > g ; д > d ; е > e ; ё > jo ; ж > z ; з > z ;"
    u"и > i ; й > j ; к > k ; л > l ; м > m ; н > n ; о > o ; п > p ; р > r ;"
    u"с > s ; т > t ; у > u ; ф > f ; х > h ; ц > c ; ч > c ; ш > s ;"
    u"щ > sc ; ъ > ; ы > y ; ь > ; э > e ; ю > ju ; я > ja ; і > i ; ї > ji ;"
    u"є > je ; ґ > g ;";

// Japanese names in Russian (Polivanov system), reversed to Hepburn:
// си shi, ти chi, цу tsu, дзи ji, дз z, сё sho, тя cha, ё yo, й i, ж j.
constexpr char16_t kCyrillicJapaneseRules[] =
    u"дзи > ji ; дзё > jo ; дзю > ju ; дзя > ja ; дз > z ;"
    u"си > shi ; сё > sho ; сю > shu ; ся > sha ;"
    u"ти > chi ; тё > cho ; тю > chu ; тя > cha ; цу > tsu ;"
    u"а > a ; б > b ; в > v ; г > g ; д > d ; е > e ; ё > yo ; ж > j ; з > z ;"
    u"и > i ; й > i ; к > k ; л > l ; м > m ; н > n ; о > o ; п > p ; р > r ;"
    u"с > s ; т > t ; у > u ; ф > f ; х > h ; ц > ts ; ч > ch ; ш > sh ;"
    u"щ > shch ; ъ > ; ы > i ; ь > ; э > e ; ю > yu ; я > ya ; і > i ; ї > yi ;"
    u"є > ye ; ґ > g ;";

// Chinese names in Russian (Palladius system), reversed to Pinyin:
// цз z (j before и, ю, я), си xi, ся xia, сю xu, ци qi, чж zh, ж r, нь n.
constexpr char16_t kCyrillicChineseRules[] =
    u"$c = [бвгджзклмнпрстфхцчшbcdfghjklmnpqrstvwxz] ;"
    u"цзи > ji ; цзюэ > jue ; цзю > ju ; цзя > jia ; цзе > jie ; цз > z ;"
    u"сюэ > xue ; сю > xu ; ся > xia ; си > xi ; се > xie ;"
    u"цюэ > que ; цю > qiu ; ця > qia ; ци > qi ; це > qie ;"
    u"чж > zh ; юэ > yue ; эр > er ; нь > n ;"
    u"$c { я > ia ; $c { е > ie ; $c { ю > iu ; $c { ё > io ;"
    u"а > a ; б > b ; в > w ; г > g ; д > d ; е > ye ; ё > yo ; ж > r ; з > z ;"
    u"и > i ; й > i ; к > k ; л > l ; м > m ; н > n ; о > o ; п > p ; р > r ;"
    u"с > s ; т > t ; у > u ; ф > f ; х > h ; ц > c ; ч > ch ; ш > sh ;"
    u"щ > shch ; ъ > ; ы > i ; ь > ; э > e ; ю > yu ; я > ya ; і > i ; ї > yi ;"
    u"є > ye ; ґ > g ;";

std::unique_ptr<icu::Transliterator> FromId(const char16_t* id, UErrorCode& status) {
  return std::unique_ptr<icu::Transliterator>(
      icu::Transliterator::createInstance(icu::UnicodeString(id), UTRANS_FORWARD, status));
}

bool HasUkrainianLetter(std::string_view word) {
  // і ї є ґ (lower case: the input is case-folded).
  for (std::string_view l : {"\xD1\x96", "\xD1\x97", "\xD1\x94", "\xD2\x91"}) {
    if (word.find(l) != std::string_view::npos) return true;
  }
  return false;
}

// Compiles one rule set; INTERNAL (naming the offset) when ICU rejects it.
Result<std::unique_ptr<icu::Transliterator>> FromRules(const char16_t* id,
                                                        const std::u16string& rules) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error;
  std::unique_ptr<icu::Transliterator> tr(icu::Transliterator::createFromRules(
      icu::UnicodeString(id), icu::UnicodeString(rules.data(), static_cast<int32_t>(rules.size())),
      UTRANS_FORWARD, parse_error, status));
  if (U_FAILURE(status) || !tr) {
    std::string name;
    icu::UnicodeString(id).toUTF8String(name);
    return InternalError("transliteration rules " + name + " do not compile (" +
                         u_errorName(status) + ") at line " + std::to_string(parse_error.line) +
                         " offset " + std::to_string(parse_error.offset));
  }
  return tr;
}

}  // namespace

struct Transliterator::Impl {
  std::unique_ptr<icu::Transliterator> arabic;
  std::unique_ptr<icu::Transliterator> arabic_foreign;
  std::unique_ptr<icu::Transliterator> russian;
  std::unique_ptr<icu::Transliterator> ukrainian;
  // Cyrillic conventions of ToLatinForms, in form order (after BGN).
  std::vector<std::unique_ptr<icu::Transliterator>> cyrillic_alt;
  std::unique_ptr<icu::Transliterator> ethiopic;
  std::unique_ptr<icu::Transliterator> any;
  std::unique_ptr<icu::Transliterator> ascii;

  // The matching form of one word (no spaces) under convention `form`
  // (0 = ToLatin's). `normalized` is the Normalize()d word.
  std::string Word(std::string_view normalized, std::size_t form);
  // Word(normalized, 0), remembered: words repeat far more than whole
  // values do (a full name is rarely seen twice, its words often), and
  // the ICU transforms are the costliest step of matching forms.
  const std::string& CachedWord(std::string_view normalized);

  std::unordered_map<std::string, std::string> word_cache;
  std::string word_key;  // reused lookup key
};

const std::string& Transliterator::Impl::CachedWord(std::string_view normalized) {
  constexpr std::size_t kMaxWords = 1 << 18;  // bounds the memory
  word_key.assign(normalized);
  if (auto it = word_cache.find(word_key); it != word_cache.end()) return it->second;
  if (word_cache.size() >= kMaxWords) word_cache.clear();
  return word_cache.emplace(word_key, Word(normalized, 0)).first->second;
}

Transliterator::Transliterator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transliterator::~Transliterator() = default;

Result<std::unique_ptr<Transliterator>> Transliterator::Create() {
  auto impl = std::make_unique<Impl>();
  const std::u16string article = kArabicArticleRules;
  const std::u16string letters = kArabicLetterRules;
  KL_ASSIGN_OR_RETURN(impl->arabic, FromRules(u"kinlink-Arabic-Latin",
                                              article + kArabicPrimaryRules + letters));
  KL_ASSIGN_OR_RETURN(impl->arabic_foreign, FromRules(u"kinlink-Arabic-Latin-foreign",
                                                      article + kArabicForeignRules + letters));
  for (const auto& [id, rules] : {std::pair{u"kinlink-Cyrillic-Latin-English", kCyrillicEnglishRules},
                                 std::pair{u"kinlink-Cyrillic-Latin-Slavic", kCyrillicSlavicRules},
                                 std::pair{u"kinlink-Cyrillic-Latin-Japanese", kCyrillicJapaneseRules},
                                 std::pair{u"kinlink-Cyrillic-Latin-Chinese", kCyrillicChineseRules}}) {
    KL_ASSIGN_OR_RETURN(auto tr, FromRules(id, rules));
    impl->cyrillic_alt.push_back(std::move(tr));
  }
  UErrorCode status = U_ZERO_ERROR;
  impl->russian = FromId(u"Russian-Latin/BGN", status);
  impl->ukrainian = FromId(u"Ukrainian-Latin/BGN", status);
  impl->ethiopic = FromId(u"Amharic-Latin/BGN", status);
  impl->any = FromId(u"Any-Latin", status);
  impl->ascii = FromId(u"Latin-ASCII", status);
  if (U_FAILURE(status) || !impl->russian || !impl->ukrainian || !impl->ethiopic || !impl->any ||
      !impl->ascii) {
    return InternalError(std::string("ICU transliterator unavailable: ") + u_errorName(status));
  }
  return std::unique_ptr<Transliterator>(new Transliterator(std::move(impl)));
}

Result<std::unique_ptr<Transliterator>> Transliterator::Clone() const {
  auto impl = std::make_unique<Impl>();
  bool ok = true;
  auto clone = [&ok](const std::unique_ptr<icu::Transliterator>& tr) {
    std::unique_ptr<icu::Transliterator> copy(tr->clone());
    ok = ok && copy != nullptr;
    return copy;
  };
  impl->arabic = clone(impl_->arabic);
  impl->arabic_foreign = clone(impl_->arabic_foreign);
  impl->russian = clone(impl_->russian);
  impl->ukrainian = clone(impl_->ukrainian);
  for (const auto& tr : impl_->cyrillic_alt) impl->cyrillic_alt.push_back(clone(tr));
  impl->ethiopic = clone(impl_->ethiopic);
  impl->any = clone(impl_->any);
  impl->ascii = clone(impl_->ascii);
  if (!ok) return InternalError("ICU could not clone a transliterator");
  return std::unique_ptr<Transliterator>(new Transliterator(std::move(impl)));
}

std::string Transliterator::Impl::Word(std::string_view normalized, std::size_t form) {
  const std::string folded = FoldForMatching(normalized);
  std::string_view word = folded;
  icu::Transliterator* tr = nullptr;
  icu::Transliterator* then = nullptr;  // for letters the first one left
  switch (DetectScript(word)) {
    case Script::kArabic: tr = form == 0 ? arabic.get() : arabic_foreign.get(); break;
    case Script::kCyrillic:
      if (form == 0 || form > cyrillic_alt.size()) {
        tr = HasUkrainianLetter(word) ? ukrainian.get() : russian.get();
      } else {
        word = normalized;  // keeps ё (FoldForMatching makes it е)
        tr = cyrillic_alt[form - 1].get();
        then = russian.get();
      }
      break;
    case Script::kEthiopic: tr = ethiopic.get(); break;
    case Script::kOther: tr = any.get(); break;
    case Script::kLatin:
    case Script::kUnknown: break;
  }
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(word.data(), static_cast<int32_t>(word.size())));
  if (tr != nullptr) tr->transliterate(u);
  if (then != nullptr) then->transliterate(u);
  ascii->transliterate(u);
  std::string latin;
  u.toUTF8String(latin);
  return AsciiMatchingForm(latin);
}

namespace {

// Calls `fn(word)` for each space-separated word of `text`.
template <typename Fn>
void ForEachWord(std::string_view text, Fn fn) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) fn(text.substr(pos, end - pos));
    pos = end + 1;
  }
}

void AppendWord(const std::string& form, std::string& out) {
  if (form.empty()) return;
  if (!out.empty()) out.push_back(' ');
  out += form;
}

}  // namespace

bool IsPlainAscii(std::string_view text) {
  auto plain = [](unsigned char c) {
    return (c >= 0x20 && c <= 0x7E) || c == '\t' || c == '\n' || c == '\r';
  };
  // Eight bytes at a time while they are all in 0x20..0x7E (most text):
  // no byte with the top bit, none below 0x20, none equal to 0x7F.
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t x;
    std::memcpy(&x, text.data() + i, 8);
    const std::uint64_t below_space = (x - 0x20 * kOnes) & ~x;  // top bit: byte < 0x20 (or ≥ 0x80)
    const std::uint64_t y = x ^ (0x7F * kOnes);
    const std::uint64_t is_del = (y - kOnes) & ~y;  // top bit: byte == 0x7F (or ≥ 0x80)
    if (((x | below_space | is_del) & kHigh) != 0) break;  // look at these bytes one by one
  }
  for (; i < text.size(); ++i) {
    if (!plain(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

std::string Transliterator::ToLatin(std::string_view utf8) {
  if (IsPlainAscii(utf8)) return AsciiMatchingForm(utf8);
  return ToLatinViaIcu(utf8);
}

std::string Transliterator::ToLatinViaIcu(std::string_view utf8) {
  std::string out;
  ForEachWord(Normalize(utf8), [&](std::string_view w) { AppendWord(impl_->CachedWord(w), out); });
  return out;
}

std::vector<std::string> Transliterator::ToLatinForms(std::string_view utf8) {
  const std::string normalized = Normalize(utf8);
  std::vector<std::string> forms;
  for (std::size_t f = 0; f < kMaxLatinForms; ++f) {
    std::string out;
    ForEachWord(normalized, [&](std::string_view w) { AppendWord(impl_->Word(w, f), out); });
    if (std::find(forms.begin(), forms.end(), out) == forms.end()) forms.push_back(std::move(out));
  }
  return forms;
}

std::string AsciiMatchingForm(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (pending_space && !out.empty()) out.push_back(' ');
      pending_space = false;
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' || c == '-' || c == '_' || c == '\t' || c == '\n' || c == '\r' ||
               c == '/' || c == ',' || c == '.') {
      pending_space = true;
    }
  }
  return out;
}

}  // namespace kinlink::text
