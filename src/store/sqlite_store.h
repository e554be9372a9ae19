// The SQLite backend of store::Store: one database file in WAL mode with
// synchronous=FULL, secure_delete, temp_store=MEMORY (no temp files), a
// schema version in `meta` and numbered migrations, prepared statements
// cached per connection, a busy timeout for concurrent processes.
#ifndef KINLINK_STORE_SQLITE_STORE_H_
#define KINLINK_STORE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "common/result.h"
#include "store/store.h"

namespace kinlink::store {

enum class OpenMode {
  kCreate,    // the file must not exist; ALREADY_EXISTS otherwise
  kExisting,  // the file must exist; NOT_FOUND otherwise
};

// FAILED_PRECONDITION when the file's schema is newer than this program's,
// DATA_LOSS when it is not a Kinlink registry.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, OpenMode mode);

}  // namespace kinlink::store

#endif  // KINLINK_STORE_SQLITE_STORE_H_
