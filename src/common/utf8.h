// UTF-8 validation (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
#ifndef KINLINK_COMMON_UTF8_H_
#define KINLINK_COMMON_UTF8_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace kinlink {

// Returns the byte offset of the first invalid sequence, or nullopt when
// `text` is valid UTF-8.
std::optional<std::size_t> FindInvalidUtf8(std::string_view text);

inline bool IsValidUtf8(std::string_view text) { return !FindInvalidUtf8(text).has_value(); }

}  // namespace kinlink

#endif  // KINLINK_COMMON_UTF8_H_
