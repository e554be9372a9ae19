// Decimal numbers written into strings without printf: the hot paths of
// encoding format dates per record, where snprintf cost 3 % of the time.
#ifndef KINLINK_COMMON_DECIMAL_H_
#define KINLINK_COMMON_DECIMAL_H_

#include <cstdint>
#include <string>

namespace kinlink {

// Appends v in decimal, zero-padded to at least `width` characters with the
// sign counted in them: exactly what printf's "%0*d" writes.
inline void AppendZeroPadded(std::string& out, int v, int width) {
  const bool negative = v < 0;
  // The magnitude as unsigned, so that INT_MIN has one.
  std::uint32_t u = negative ? 0U - static_cast<std::uint32_t>(v) : static_cast<std::uint32_t>(v);
  char digits[10];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (negative) out.push_back('-');
  for (int pad = width - n - (negative ? 1 : 0); pad > 0; --pad) out.push_back('0');
  while (n > 0) out.push_back(digits[--n]);
}

}  // namespace kinlink

#endif  // KINLINK_COMMON_DECIMAL_H_
