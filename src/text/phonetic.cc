#include "text/phonetic.h"

#include <initializer_list>

namespace kinlink::text {
namespace {

// The working state of one encoding: the upper-cased word padded with
// spaces so that look-ahead never leaves the buffer.
class Encoder {
 public:
  Encoder(std::string_view token, std::size_t max_length) : max_(max_length) {
    for (char c : token) {
      if (c >= 'a' && c <= 'z') w_.push_back(static_cast<char>(c - 'a' + 'A'));
      if (c >= 'A' && c <= 'Z') w_.push_back(c);
    }
    len_ = static_cast<int>(w_.size());
    last_ = len_ - 1;
    w_.append(6, ' ');
  }

  MetaphoneCodes Run();

 private:
  char At(int i) const { return (i < 0 || i >= len_) ? ' ' : w_[static_cast<std::size_t>(i)]; }
  // True when the substring at `pos` of length `n` equals one of `opts`.
  bool StrAt(int pos, int n, std::initializer_list<std::string_view> opts) const {
    if (pos < 0 || pos + n > len_) return false;
    std::string_view sub(w_.data() + pos, static_cast<std::size_t>(n));
    for (std::string_view o : opts) {
      if (o == sub) return true;
    }
    return false;
  }
  static bool IsVowel(char c) {
    return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' || c == 'Y';
  }
  bool VowelAt(int i) const { return i >= 0 && i < len_ && IsVowel(At(i)); }
  bool SlavoGermanic() const {
    return w_.find('W') != std::string::npos || w_.find('K') != std::string::npos ||
           w_.find("CZ") != std::string::npos || w_.find("WITZ") != std::string::npos;
  }
  void Add(std::string_view main) { Add(main, main); }
  void Add(std::string_view main, std::string_view alt) {
    primary_ += main;
    alternate_ += alt;
  }
  bool Done() const { return primary_.size() >= max_ && alternate_.size() >= max_; }

  void DoC(int& i);
  void DoG(int& i);

  std::string w_;
  int len_ = 0;
  int last_ = -1;
  std::size_t max_;
  std::string primary_;
  std::string alternate_;
};

void Encoder::DoC(int& i) {
  // Germanic "ach" (Bacher, Macher).
  if (i > 1 && !VowelAt(i - 2) && StrAt(i - 1, 3, {"ACH"}) && At(i + 2) != 'I' &&
      (At(i + 2) != 'E' || StrAt(i - 2, 6, {"BACHER", "MACHER"}))) {
    Add("K");
    i += 2;
    return;
  }
  if (i == 0 && StrAt(i, 6, {"CAESAR"})) {
    Add("S");
    i += 2;
    return;
  }
  if (StrAt(i, 4, {"CHIA"})) {  // Chianti
    Add("K");
    i += 2;
    return;
  }
  if (StrAt(i, 2, {"CH"})) {
    if (i > 0 && StrAt(i, 4, {"CHAE"})) {  // Michael
      Add("K", "X");
      i += 2;
      return;
    }
    // Greek roots at the start (Chemistry, Chorus), not "chore".
    if (i == 0 && (StrAt(i + 1, 5, {"HARAC", "HARIS"}) ||
                   StrAt(i + 1, 3, {"HOR", "HYM", "HIA", "HEM"})) &&
        !StrAt(0, 5, {"CHORE"})) {
      Add("K");
      i += 2;
      return;
    }
    // Germanic, Greek or otherwise "ch" for "kh".
    if (StrAt(0, 4, {"VAN ", "VON "}) || StrAt(0, 3, {"SCH"}) ||
        StrAt(i - 2, 6, {"ORCHES", "ARCHIT", "ORCHID"}) || StrAt(i + 2, 1, {"T", "S"}) ||
        ((StrAt(i - 1, 1, {"A", "O", "U", "E"}) || i == 0) &&
         StrAt(i + 2, 1, {"L", "R", "N", "M", "B", "H", "F", "V", "W", " "}))) {
      Add("K");
    } else if (i > 0) {
      if (StrAt(0, 2, {"MC"})) {
        Add("K");
      } else {
        Add("X", "K");
      }
    } else {
      Add("X");
    }
    i += 2;
    return;
  }
  if (StrAt(i, 2, {"CZ"}) && !StrAt(i - 2, 4, {"WICZ"})) {  // Czerny
    Add("S", "X");
    i += 2;
    return;
  }
  if (StrAt(i + 1, 3, {"CIA"})) {  // Focaccia
    Add("X");
    i += 3;
    return;
  }
  if (StrAt(i, 2, {"CC"}) && !(i == 1 && At(0) == 'M')) {  // not McClellan
    if (StrAt(i + 2, 1, {"I", "E", "H"}) && !StrAt(i + 2, 2, {"HU"})) {
      if ((i == 1 && At(i - 1) == 'A') || StrAt(i - 1, 5, {"UCCEE", "UCCES"})) {
        Add("KS");  // Accident, Success
      } else {
        Add("X");  // Bacci, Bertucci
      }
      i += 3;
      return;
    }
    Add("K");  // Pierce's rule
    i += 2;
    return;
  }
  if (StrAt(i, 2, {"CK", "CG", "CQ"})) {
    Add("K");
    i += 2;
    return;
  }
  if (StrAt(i, 2, {"CI", "CE", "CY"})) {
    if (StrAt(i, 3, {"CIO", "CIE", "CIA"})) {
      Add("S", "X");  // Italian
    } else {
      Add("S");
    }
    i += 2;
    return;
  }
  Add("K");
  if (StrAt(i + 1, 2, {" C", " Q", " G"})) {  // Mac Caffrey
    i += 3;
  } else if (StrAt(i + 1, 1, {"C", "K", "Q"}) && !StrAt(i + 1, 2, {"CE", "CI"})) {
    i += 2;
  } else {
    i += 1;
  }
}

void Encoder::DoG(int& i) {
  if (At(i + 1) == 'H') {
    if (i > 0 && !VowelAt(i - 1)) {
      Add("K");
      i += 2;
      return;
    }
    if (i == 0) {  // Ghislane, Ghiradelli
      if (At(i + 2) == 'I') {
        Add("J");
      } else {
        Add("K");
      }
      i += 2;
      return;
    }
    // Parker's rule: Hugh, Bough, Broughton are silent.
    if ((i > 1 && StrAt(i - 2, 1, {"B", "H", "D"})) ||
        (i > 2 && StrAt(i - 3, 1, {"B", "H", "D"})) || (i > 3 && StrAt(i - 4, 1, {"B", "H"}))) {
      i += 2;
      return;
    }
    if (i > 2 && At(i - 1) == 'U' && StrAt(i - 3, 1, {"C", "G", "L", "R", "T"})) {
      Add("F");  // laugh, McLaughlin, cough, rough, tough
    } else if (i > 0 && At(i - 1) != 'I') {
      Add("K");
    }
    i += 2;
    return;
  }
  if (At(i + 1) == 'N') {
    if (i == 1 && VowelAt(0) && !SlavoGermanic()) {
      Add("KN", "N");
    } else if (!StrAt(i + 2, 2, {"EY"}) && At(i + 1) != 'Y' && !SlavoGermanic()) {
      Add("N", "KN");
    } else {
      Add("KN");
    }
    i += 2;
    return;
  }
  if (StrAt(i + 1, 2, {"LI"}) && !SlavoGermanic()) {  // Tagliaro
    Add("KL", "L");
    i += 2;
    return;
  }
  // -ges-, -gep-, -gel-, -gie- at the beginning.
  if (i == 0 && (At(i + 1) == 'Y' ||
                 StrAt(i + 1, 2, {"ES", "EP", "EB", "EL", "EY", "IB", "IL", "IN", "IE", "EI", "ER"}))) {
    Add("K", "J");
    i += 2;
    return;
  }
  // -ger-, -gy-
  if ((StrAt(i + 1, 2, {"ER"}) || At(i + 1) == 'Y') && !StrAt(0, 6, {"DANGER", "RANGER", "MANGER"}) &&
      !StrAt(i - 1, 1, {"E", "I"}) && !StrAt(i - 1, 3, {"RGY", "OGY"})) {
    Add("K", "J");
    i += 2;
    return;
  }
  // Italian "biaggi".
  if (StrAt(i + 1, 1, {"E", "I", "Y"}) || StrAt(i - 1, 4, {"AGGI", "OGGI"})) {
    if (StrAt(0, 4, {"VAN ", "VON "}) || StrAt(0, 3, {"SCH"}) || StrAt(i + 1, 2, {"ET"})) {
      Add("K");  // obvious Germanic
    } else if (StrAt(i + 1, 4, {"IER "}) || (i + 4 == len_ && StrAt(i + 1, 3, {"IER"}))) {
      Add("J");
    } else {
      Add("J", "K");
    }
    i += 2;
    return;
  }
  Add("K");
  i += (At(i + 1) == 'G') ? 2 : 1;
}

MetaphoneCodes Encoder::Run() {
  int i = 0;
  if (len_ == 0) return {};
  // Silent first letters.
  if (StrAt(0, 2, {"GN", "KN", "PN", "WR", "PS"})) i = 1;
  if (At(0) == 'X') {  // Xavier
    Add("S");
    i = 1;
  }
  while (i < len_ && !Done()) {
    const char c = At(i);
    switch (c) {
      case 'A': case 'E': case 'I': case 'O': case 'U': case 'Y':
        if (i == 0) Add("A");  // all initial vowels map to A
        i += 1;
        break;
      case 'B':
        Add("P");
        i += (At(i + 1) == 'B') ? 2 : 1;
        break;
      case 'C':
        DoC(i);
        break;
      case 'D':
        if (StrAt(i, 2, {"DG"})) {
          if (StrAt(i + 2, 1, {"I", "E", "Y"})) {  // edge
            Add("J");
            i += 3;
          } else {  // Edgar
            Add("TK");
            i += 2;
          }
        } else if (StrAt(i, 2, {"DT", "DD"})) {
          Add("T");
          i += 2;
        } else {
          Add("T");
          i += 1;
        }
        break;
      case 'F':
        Add("F");
        i += (At(i + 1) == 'F') ? 2 : 1;
        break;
      case 'G':
        DoG(i);
        break;
      case 'H':
        // Only kept when first or between vowels.
        if ((i == 0 || VowelAt(i - 1)) && VowelAt(i + 1)) {
          Add("H");
          i += 2;
        } else {
          i += 1;
        }
        break;
      case 'J':
        if (StrAt(i, 4, {"JOSE"}) || StrAt(0, 4, {"SAN "})) {  // Spanish
          if ((i == 0 && At(i + 4) == ' ') || StrAt(0, 4, {"SAN "})) {
            Add("H");
          } else {
            Add("J", "H");
          }
          i += 1;
          break;
        }
        if (i == 0) {
          Add("J", "A");  // Yankelovich / Jankelowicz
        } else if (VowelAt(i - 1) && !SlavoGermanic() && (At(i + 1) == 'A' || At(i + 1) == 'O')) {
          Add("J", "H");  // Spanish pronunciation of e.g. "bajador"
        } else if (i == last_) {
          Add("J", "");
        } else if (!StrAt(i + 1, 1, {"L", "T", "K", "S", "N", "M", "B", "Z"}) &&
                   !StrAt(i - 1, 1, {"S", "K", "L"})) {
          Add("J");
        }
        i += (At(i + 1) == 'J') ? 2 : 1;
        break;
      case 'K':
        Add("K");
        i += (At(i + 1) == 'K') ? 2 : 1;
        break;
      case 'L':
        if (At(i + 1) == 'L') {
          // Spanish "-illo", "-illa", "-alle": L only in the primary.
          if ((i == len_ - 3 && StrAt(i - 1, 4, {"ILLO", "ILLA", "ALLE"})) ||
              ((StrAt(last_ - 1, 2, {"AS", "OS"}) || StrAt(last_, 1, {"A", "O"})) &&
               StrAt(i - 1, 4, {"ALLE"}))) {
            Add("L", "");
            i += 2;
            break;
          }
          i += 2;
        } else {
          i += 1;
        }
        Add("L");
        break;
      case 'M':
        Add("M");
        // "dumb", "thumb": the B is silent.
        if ((StrAt(i - 1, 3, {"UMB"}) && (i + 1 == last_ || StrAt(i + 2, 2, {"ER"}))) ||
            At(i + 1) == 'M') {
          i += 2;
        } else {
          i += 1;
        }
        break;
      case 'N':
        Add("N");
        i += (At(i + 1) == 'N') ? 2 : 1;
        break;
      case 'P':
        if (At(i + 1) == 'H') {
          Add("F");
          i += 2;
        } else {
          Add("P");
          i += StrAt(i + 1, 1, {"P", "B"}) ? 2 : 1;
        }
        break;
      case 'Q':
        Add("K");
        i += (At(i + 1) == 'Q') ? 2 : 1;
        break;
      case 'R':
        // French final "-ier" (Rogier): R only in the alternate.
        if (i == last_ && !SlavoGermanic() && StrAt(i - 2, 2, {"IE"}) &&
            !StrAt(i - 4, 2, {"ME", "MA"})) {
          Add("", "R");
        } else {
          Add("R");
        }
        i += (At(i + 1) == 'R') ? 2 : 1;
        break;
      case 'S':
        if (StrAt(i - 1, 3, {"ISL", "YSL"})) {  // island, carlysle
          i += 1;
        } else if (i == 0 && StrAt(i, 5, {"SUGAR"})) {
          Add("X", "S");
          i += 1;
        } else if (StrAt(i, 2, {"SH"})) {
          // Germanic "sholm", "sholz".
          Add(StrAt(i + 1, 4, {"HEIM", "HOEK", "HOLM", "HOLZ"}) ? "S" : "X");
          i += 2;
        } else if (StrAt(i, 3, {"SIO", "SIA"}) || StrAt(i, 4, {"SIAN"})) {
          Add("S", SlavoGermanic() ? "S" : "X");
          i += 3;
        } else if ((i == 0 && StrAt(i + 1, 1, {"M", "N", "L", "W"})) || StrAt(i + 1, 1, {"Z"})) {
          // Schmidt/Smith, Snider/Schneider get an alternate X.
          Add("S", "X");
          i += StrAt(i + 1, 1, {"Z"}) ? 2 : 1;
        } else if (StrAt(i, 2, {"SC"})) {
          if (At(i + 2) == 'H') {
            if (StrAt(i + 3, 2, {"OO", "ER", "EN", "UY", "ED", "EM"})) {  // Dutch
              if (StrAt(i + 3, 2, {"ER", "EN"})) {
                Add("X", "SK");  // Schenker
              } else {
                Add("SK");  // Schooner
              }
            } else if (i == 0 && !VowelAt(3) && At(3) != 'W') {
              Add("X", "S");
            } else {
              Add("X");
            }
          } else if (StrAt(i + 2, 1, {"I", "E", "Y"})) {
            Add("S");
          } else {
            Add("SK");
          }
          i += 3;
        } else {
          // French final -ais, -ois: S only in the alternate.
          if (i == last_ && StrAt(i - 2, 2, {"AI", "OI"})) {
            Add("", "S");
          } else {
            Add("S");
          }
          i += StrAt(i + 1, 1, {"S", "Z"}) ? 2 : 1;
        }
        break;
      case 'T':
        if (StrAt(i, 4, {"TION"}) || StrAt(i, 3, {"TIA", "TCH"})) {
          Add("X");
          i += 3;
        } else if (StrAt(i, 2, {"TH"}) || StrAt(i, 3, {"TTH"})) {
          // Thomas, Thames: Germanic "th" is T.
          if (StrAt(i + 2, 2, {"OM", "AM"}) || StrAt(0, 4, {"VAN ", "VON "}) || StrAt(0, 3, {"SCH"})) {
            Add("T");
          } else {
            Add("0", "T");
          }
          i += 2;
        } else {
          Add("T");
          i += StrAt(i + 1, 1, {"T", "D"}) ? 2 : 1;
        }
        break;
      case 'V':
        Add("F");
        i += (At(i + 1) == 'V') ? 2 : 1;
        break;
      case 'W':
        if (StrAt(i, 2, {"WR"})) {
          Add("R");
          i += 2;
          break;
        }
        if (i == 0 && (VowelAt(i + 1) || StrAt(i, 2, {"WH"}))) {
          Add("A", VowelAt(i + 1) ? "F" : "A");  // Wasserman / Vasserman
        }
        // Polish "-ewski", "-owski", final "-ow": F only in the alternate.
        if ((i == last_ && VowelAt(i - 1)) || StrAt(i - 1, 5, {"EWSKI", "EWSKY", "OWSKI", "OWSKY"}) ||
            StrAt(0, 3, {"SCH"})) {
          Add("", "F");
          i += 1;
          break;
        }
        if (StrAt(i, 4, {"WICZ", "WITZ"})) {
          Add("TS", "FX");
          i += 4;
          break;
        }
        i += 1;
        break;
      case 'X':
        // French final -iaux, -eaux: silent.
        if (!(i == last_ && (StrAt(i - 3, 3, {"IAU", "EAU"}) || StrAt(i - 2, 2, {"AU", "OU"})))) {
          Add("KS");
        }
        i += StrAt(i + 1, 1, {"C", "X"}) ? 2 : 1;
        break;
      case 'Z':
        if (At(i + 1) == 'H') {  // Chinese pinyin "zhao", Russian "zh"
          Add("J");
          i += 2;
          break;
        }
        if (StrAt(i + 1, 2, {"ZO", "ZI", "ZA"}) || (SlavoGermanic() && i > 0 && At(i - 1) != 'T')) {
          Add("S", "TS");
        } else {
          Add("S");
        }
        i += (At(i + 1) == 'Z') ? 2 : 1;
        break;
      default:  // digits and anything else carry no sound
        i += 1;
        break;
    }
  }
  if (primary_.size() > max_) primary_.resize(max_);
  if (alternate_.size() > max_) alternate_.resize(max_);
  return MetaphoneCodes{primary_, alternate_};
}

}  // namespace

MetaphoneCodes DoubleMetaphone(std::string_view token, std::size_t max_length) {
  return Encoder(token, max_length).Run();
}

bool PhoneticMatch(const MetaphoneCodes& a, const MetaphoneCodes& b) {
  auto eq = [](const std::string& x, const std::string& y) { return !x.empty() && x == y; };
  return eq(a.primary, b.primary) || eq(a.primary, b.alternate) || eq(a.alternate, b.primary) ||
         eq(a.alternate, b.alternate);
}

}  // namespace kinlink::text
