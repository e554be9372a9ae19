// Private to store: the file-system side of opening a registry, before and
// after SQLite has the file (exclusive owner-only creation, cleanup).
#ifndef KINLINK_STORE_INTERNAL_REGISTRY_FILE_H_
#define KINLINK_STORE_INTERNAL_REGISTRY_FILE_H_

#include <string>
#include <string_view>

#include "common/status.h"

namespace kinlink::store::internal {

// Maps an errno value to a Status naming the operation (strerror text only,
// never file contents).
Status ErrnoError(int err, std::string_view operation);

// Creates `path` exclusively with mode 0600, so that SQLite never creates it
// (nor its -wal and -shm files) with a wider mode. ALREADY_EXISTS when the
// file or a leftover -wal/-shm beside it exists.
Status CreateRegistryFile(const std::string& path);

// Checks that `path` exists and is a regular file (INVALID_ARGUMENT if not).
Status CheckRegistryFile(const std::string& path);

// Removes the file and its -wal and -shm files, ignoring errors (cleanup of
// a registry whose creation failed).
void RemoveRegistryFiles(const std::string& path);

}  // namespace kinlink::store::internal

#endif  // KINLINK_STORE_INTERNAL_REGISTRY_FILE_H_
