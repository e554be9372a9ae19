// Little-endian 64-bit words in byte buffers, the byte order of every
// Kinlink file and token: a plain copy on little-endian hosts (g++ does
// not merge the byte-by-byte form into one store), byte by byte elsewhere.
#ifndef KINLINK_COMMON_LITTLE_ENDIAN_H_
#define KINLINK_COMMON_LITTLE_ENDIAN_H_

#include <bit>
#include <cstdint>
#include <cstring>

namespace kinlink {

// out[0, 8) = v, least significant byte first.
inline void StoreLe64(std::uint64_t v, void* out) {
  auto* bytes = static_cast<unsigned char*>(out);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(bytes, &v, sizeof v);
  } else {
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>((v >> (8 * i)) & 0xff);
  }
}

// The word stored by StoreLe64 at p.
inline std::uint64_t LoadLe64(const void* p) {
  const auto* bytes = static_cast<const unsigned char*>(p);
  std::uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, bytes, sizeof v);
  } else {
    for (int i = 7; i >= 0; --i) v = (v << 8) | bytes[i];
  }
  return v;
}

}  // namespace kinlink

#endif  // KINLINK_COMMON_LITTLE_ENDIAN_H_
