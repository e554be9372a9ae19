#include "text/transliterator.h"

#include <unicode/parseerr.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include "text/normalize.h"

namespace kinlink::text {
namespace {

// Arabic-script letters -> Latin consonant-faithful form. Applied word by
// word to FoldForMatching() output (so أ إ آ are already ا, ة is ه, ى ئ are ي).
// '^' anchors at the start of the word, '$' at its end.
constexpr char16_t kArabicRules[] =
    u"^ \u0639 > a ;"            // ع initial: a vowel in Latin (ali, omar)
    u"\u0639 > ;"                // ع elsewhere: nothing (saad, jafar)
    u"\u0627 > a ;"
    u"\u0648 } \u0627 > w ;"     // و (context rules first: ICU rejects masked rules)
    u"^ \u0648 > w ;"
    u"\u0648 > u ;"
    u"\u064A } \u0627 > y ;"     // ي
    u"^ \u064A > y ;"
    u"\u064A > i ;"
    u"\u0647 } $ > ah ;"         // final ه / ة
    u"\u0647 > h ;"
    u"\u0628 > b ; \u062A > t ; \u062B > th ; \u062C > j ; \u062D > h ;"
    u"\u062E > kh ; \u062F > d ; \u0630 > dh ; \u0631 > r ; \u0632 > z ;"
    u"\u0633 > s ; \u0634 > sh ; \u0635 > s ; \u0636 > d ; \u0637 > t ;"
    u"\u0638 > z ; \u063A > gh ; \u0641 > f ; \u0642 > q ; \u0643 > k ;"
    u"\u0644 > l ; \u0645 > m ; \u0646 > n ; \u0621 > ;"
    u"\u067E > p ; \u0686 > ch ; \u0698 > zh ; \u06AF > g ; \u06A4 > v ;"
    u"\u06BE > h ; \u06C1 > h ; \u06D2 > e ;";  // Urdu do-chashmi he, heh goal, barree ye

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

}  // namespace

struct Transliterator::Impl {
  std::unique_ptr<icu::Transliterator> arabic;
  std::unique_ptr<icu::Transliterator> russian;
  std::unique_ptr<icu::Transliterator> ukrainian;
  std::unique_ptr<icu::Transliterator> ethiopic;
  std::unique_ptr<icu::Transliterator> any;
  std::unique_ptr<icu::Transliterator> ascii;
};

Transliterator::Transliterator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Transliterator::~Transliterator() = default;

Result<std::unique_ptr<Transliterator>> Transliterator::Create() {
  auto impl = std::make_unique<Impl>();
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error;
  impl->arabic.reset(icu::Transliterator::createFromRules(
      u"kinlink-Arabic-Latin", icu::UnicodeString(kArabicRules), UTRANS_FORWARD, parse_error,
      status));
  if (U_FAILURE(status)) {
    return InternalError("Arabic transliteration rules do not compile at offset " +
                         std::to_string(parse_error.offset));
  }
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

std::string Transliterator::ToLatin(std::string_view utf8) {
  const std::string folded = FoldForMatching(Normalize(utf8));
  std::string out;
  std::size_t pos = 0;
  while (pos < folded.size()) {
    std::size_t end = folded.find(' ', pos);
    if (end == std::string::npos) end = folded.size();
    const std::string_view word(folded.data() + pos, end - pos);
    pos = end + 1;
    icu::Transliterator* tr = nullptr;
    switch (DetectScript(word)) {
      case Script::kArabic: tr = impl_->arabic.get(); break;
      case Script::kCyrillic:
        tr = HasUkrainianLetter(word) ? impl_->ukrainian.get() : impl_->russian.get();
        break;
      case Script::kEthiopic: tr = impl_->ethiopic.get(); break;
      case Script::kOther: tr = impl_->any.get(); break;
      case Script::kLatin:
      case Script::kUnknown: break;
    }
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(
        icu::StringPiece(word.data(), static_cast<int32_t>(word.size())));
    if (tr != nullptr) tr->transliterate(u);
    impl_->ascii->transliterate(u);
    std::string latin;
    u.toUTF8String(latin);
    const std::string form = AsciiMatchingForm(latin);
    if (form.empty()) continue;
    if (!out.empty()) out.push_back(' ');
    out += form;
  }
  return out;
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
