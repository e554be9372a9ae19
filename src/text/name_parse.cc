#include "text/name_parse.h"

#include <algorithm>
#include <array>

#include "text/transliterator.h"

namespace kinlink::text {
namespace {

constexpr std::array<std::string_view, 11> kArticles = {"al", "el", "ul", "ad", "ar", "as",
                                                        "ash", "at", "az", "ur", "an"};
constexpr std::array<std::string_view, 8> kAbd = {"abd",  "abdu", "abdel", "abdul",
                                                  "abdal", "abdol", "abdil", "abdoul"};
constexpr std::array<std::string_view, 7> kRelations = {"bin", "ibn", "bint", "ben",
                                                        "abu", "abou", "bent"};
constexpr std::array<std::string_view, 5> kFatherRelations = {"bin", "ibn", "bint", "ben", "bent"};
// Western names that start like an attached article.
constexpr std::array<std::string_view, 20> kNotArticle = {
    "albert", "alberto", "albrecht", "alfred", "alfredo", "alfonso", "alphonse",
    "alvaro",  "alvin",   "alton",    "alden",  "aldo",    "elbert",  "elmer",
    "elvis",   "elvira",  "elgin",    "elton",  "eldon",   "albin"};
constexpr std::array<std::string_view, 11> kPatronymicSuffixes = {
    "ovich", "evich", "ovych", "evych", "yevych", "ievich", "ovitch",
    "ovna",  "evna",  "ivna",  "yivna"};
constexpr std::array<std::string_view, 10> kAllahForms = {
    "allah", "ullah", "llah", "lah", "la", "lla", "alla", "ulla", "ellah", "illah"};

template <std::size_t N>
bool In(const std::array<std::string_view, N>& set, std::string_view w) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

bool IsVowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
bool IsSunLetter(char c) {
  return c == 't' || c == 'd' || c == 'r' || c == 'z' || c == 's' || c == 'n';
}

bool EndsWith(std::string_view w, std::string_view suffix) {
  return w.size() > suffix.size() + 1 && w.substr(w.size() - suffix.size()) == suffix;
}

// Splits an attached article off `w` ("alhasan" -> "hasan", "arrashid" ->
// "rashid"); returns the word unchanged when there is none.
std::string_view StripAttachedArticle(std::string_view w, bool allow_western) {
  if (!allow_western && In(kNotArticle, w)) return w;
  if (w.size() >= 6 && (w.starts_with("al") || w.starts_with("el")) && !IsVowel(w[2]) &&
      w[2] != 'l') {
    return w.substr(2);
  }
  // Sun-letter assimilation: "ar-rashid", "as-sayed" written together.
  if (w.size() >= 7 && (w[0] == 'a' || w[0] == 'e' || w[0] == 'u') && IsSunLetter(w[1]) &&
      w[2] == w[1]) {
    return w.substr(2);
  }
  return w;
}

// The name after "abd": drops a linking vowel or article and a doubled
// sun letter; any spelling of Allah becomes "allah".
std::string AbdCore(std::string_view rest) {
  for (std::string_view link : {"ul", "al", "el", "ol", "il", "ur", "ar", "er", "u", "a", "e",
                                "o", "i"}) {
    if (rest.starts_with(link) && rest.size() > link.size()) {
      std::string_view after = rest.substr(link.size());
      // "ur"/"ar" only when followed by the assimilated letter: "urrahman".
      if (link.size() == 2 && link[1] == 'r' && after[0] != 'r') continue;
      rest = after;
      break;
    }
  }
  if (rest.size() >= 2 && rest[0] == rest[1]) rest = rest.substr(1);
  if (In(kAllahForms, rest) || In(kAllahForms, std::string("l").append(rest))) return "allah";
  return std::string(rest);
}

// "abdurrahman" -> "rahman"; "" when `w` is not an attached abd-compound.
std::string AttachedAbd(std::string_view w) {
  if (!w.starts_with("abd") || w.size() < 6) return "";
  std::string core = AbdCore(w.substr(3));
  if (core != "allah" && core.size() < 3) return "";
  return core;
}

std::string Join(const std::vector<std::string_view>& words, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t k = from; k < to; ++k) {
    if (!s.empty()) s.push_back(' ');
    s.append(words[k]);
  }
  return s;
}

}  // namespace

ParsedName NameTokens(std::string_view latin_form) {
  const std::string form = AsciiMatchingForm(latin_form);
  std::vector<std::string_view> words;
  for (std::size_t pos = 0; pos < form.size();) {
    std::size_t end = std::min(form.find(' ', pos), form.size());
    words.emplace_back(form.data() + pos, end - pos);
    pos = end + 1;
  }
  ParsedName parsed;
  bool have_given = false;
  bool next_is_father = false;
  std::size_t i = 0;
  while (i < words.size()) {
    const std::size_t start = i;
    Token token;
    bool abd = false;
    if (In(kAbd, words[i]) && i + 1 < words.size()) {
      abd = true;
      ++i;
    }
    if (In(kArticles, words[i]) && i + 1 < words.size()) {
      token.has_article = true;
      ++i;
    }
    std::string_view w = words[i];
    ++i;
    token.surface = Join(words, start, i);
    if (!abd && !token.has_article && In(kRelations, w)) {
      token.text = std::string(w);
      token.kind = TokenKind::kRelation;
      next_is_father = In(kFatherRelations, w);
      parsed.tokens.push_back(std::move(token));
      continue;
    }
    std::string core;
    if (abd) {
      std::string_view stripped = StripAttachedArticle(w, /*allow_western=*/true);
      token.has_article = token.has_article || stripped.size() != w.size();
      // A separate word is the name itself: no linking vowel to drop.
      core = "abd" + (In(kAllahForms, stripped) ? std::string("allah") : std::string(stripped));
    } else if (std::string attached = AttachedAbd(w); !attached.empty()) {
      abd = true;
      core = "abd" + attached;
    } else {
      std::string_view stripped = StripAttachedArticle(w, /*allow_western=*/false);
      if (stripped.size() != w.size()) token.has_article = true;
      core = std::string(stripped);
    }
    token.text = std::move(core);
    bool patronymic = next_is_father;
    for (std::string_view suffix : kPatronymicSuffixes) {
      if (EndsWith(token.text, suffix)) patronymic = true;
    }
    next_is_father = false;
    if (patronymic) {
      token.kind = TokenKind::kPatronymic;
    } else if (!have_given) {
      token.kind = TokenKind::kGiven;
      have_given = true;
    } else {
      token.kind = TokenKind::kFamilyUnknown;
    }
    parsed.tokens.push_back(std::move(token));
  }
  return parsed;
}

}  // namespace kinlink::text
