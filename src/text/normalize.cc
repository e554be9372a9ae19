#include "text/normalize.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <array>
#include <cstdint>

namespace kinlink::text {
namespace {

bool IsArabicMarkToDrop(UChar32 c) {
  return c == 0x0640 || (c >= 0x064B && c <= 0x065F) || c == 0x0670 ||
         (c >= 0x06D6 && c <= 0x06ED);
}

bool IsSpaceLike(UChar32 c) {
  return u_isUWhiteSpace(c) || u_charType(c) == U_CONTROL_CHAR;
}

void AppendUtf8(UChar32 c, std::string& out) {
  char buf[U8_MAX_LENGTH];
  int32_t len = 0;
  UBool error = false;
  U8_APPEND(reinterpret_cast<uint8_t*>(buf), len, U8_MAX_LENGTH, c, error);
  if (!error) out.append(buf, static_cast<std::size_t>(len));
}

// Iterates code points; invalid sequences yield U+FFFD (U8_NEXT gives a
// negative value for them).
template <typename F>
void ForEachCodePoint(std::string_view s, F&& f) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  int32_t i = 0;
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    f(c < 0 ? 0xFFFD : c);
  }
}

}  // namespace

std::string Normalize(std::string_view utf8) {
  // fromUTF8 replaces invalid sequences with U+FFFD.
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(status);
  icu::UnicodeString folded;
  if (U_SUCCESS(status)) {
    // Control characters are mapped to spaces first: NFKC_Casefold would
    // otherwise delete some of them (and with them a word boundary).
    icu::UnicodeString spaced;
    for (int32_t i = 0; i < in.length();) {
      UChar32 c = in.char32At(i);
      spaced.append(IsSpaceLike(c) ? UChar32{0x20} : c);
      i += U16_LENGTH(c);
    }
    folded = nfkc_cf->normalize(spaced, status);
  }
  if (U_FAILURE(status)) folded = in;  // ICU data missing: keep the input
  std::string out;
  out.reserve(utf8.size());
  bool pending_space = false;
  for (int32_t i = 0; i < folded.length();) {
    UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    if (IsSpaceLike(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (IsArabicMarkToDrop(c)) continue;
    if (pending_space) out.push_back(' ');
    pending_space = false;
    AppendUtf8(c, out);
  }
  return out;
}

std::string FoldForMatching(std::string_view normalized_utf8) {
  std::string out;
  out.reserve(normalized_utf8.size());
  ForEachCodePoint(normalized_utf8, [&out](UChar32 c) {
    switch (c) {
      case 0x0623: case 0x0625: case 0x0622: case 0x0671: c = 0x0627; break;  // alef forms
      case 0x0629: c = 0x0647; break;                                         // ta marbuta
      case 0x0649: case 0x0626: case 0x06CC: c = 0x064A; break;               // ya forms
      case 0x0624: c = 0x0648; break;                                         // waw hamza
      case 0x06A9: c = 0x0643; break;                                         // Persian kaf
      case 0x0621: return;                                                    // lone hamza
      case 0x0451: c = 0x0435; break;                                         // ё
      default: break;
    }
    AppendUtf8(c, out);
  });
  return out;
}

std::string_view ScriptName(Script script) {
  switch (script) {
    case Script::kUnknown: return "unknown";
    case Script::kLatin: return "latin";
    case Script::kArabic: return "arabic";
    case Script::kCyrillic: return "cyrillic";
    case Script::kEthiopic: return "ethiopic";
    case Script::kOther: return "other";
  }
  return "unknown";
}

Script DetectScript(std::string_view utf8) {
  std::array<std::size_t, 6> counts{};
  ForEachCodePoint(utf8, [&counts](UChar32 c) {
    if (!u_isalpha(c)) return;
    UErrorCode status = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(c, &status);
    if (U_FAILURE(status) || sc == USCRIPT_COMMON || sc == USCRIPT_INHERITED) return;
    Script s = Script::kOther;
    if (sc == USCRIPT_LATIN) s = Script::kLatin;
    if (sc == USCRIPT_ARABIC) s = Script::kArabic;
    if (sc == USCRIPT_CYRILLIC) s = Script::kCyrillic;
    if (sc == USCRIPT_ETHIOPIC) s = Script::kEthiopic;
    ++counts[static_cast<std::size_t>(s)];
  });
  Script best = Script::kUnknown;
  std::size_t best_count = 0;
  for (std::size_t i = 1; i < counts.size(); ++i) {
    if (counts[i] > best_count) {
      best_count = counts[i];
      best = static_cast<Script>(i);
    }
  }
  return best;
}

}  // namespace kinlink::text
