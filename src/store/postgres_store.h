// The PostgreSQL backend of store::Store (libpq): the same schema, schema
// versions and behaviour as the SQLite backend (sqlite_store.h), so that
// both pass store_suite.h. One registry per schema of a database: the tables
// go to the first schema on the connection's search_path (usually public;
// choose another with options='-c search_path=NAME').
//
// Statements are prepared once per connection; values are always bound, in
// binary form (bytea for binary, text for the audit's words and match
// explanations), never written into SQL.
//
// Several processes may share a registry: every write transaction takes a
// transaction-level advisory lock on the registry (writers are serialised,
// as SQLite's BEGIN IMMEDIATE does; readers are not), and a writer gives up
// after 10 s with UNAVAILABLE. Transactions run at READ COMMITTED, taken
// after the lock, so every statement sees all earlier writers' commits.
//
// Shredding on PostgreSQL: an UPDATE or DELETE leaves the old row version
// (with the old ciphertext and wrapped key) in the table as a dead tuple;
// Checkpoint() runs VACUUM on the tables that hold record data so that no
// row, live or dead, keeps them. PostgreSQL has no secure_delete: VACUUM
// frees the space without zeroing it, and the write-ahead log, replicas and
// backups keep their copies for as long as they are kept; see
// docs/architecture.md.
//
// Thread-safety: a store is used by one thread at a time.
//
//   KL_ASSIGN_OR_RETURN(auto db, OpenPostgresStore("host=db dbname=registry", OpenMode::kCreate));
#ifndef KINLINK_STORE_POSTGRES_STORE_H_
#define KINLINK_STORE_POSTGRES_STORE_H_

#include <memory>
#include <string>

#include "common/result.h"
#include "store/sqlite_store.h"  // OpenMode
#include "store/store.h"

namespace kinlink::store {

// Connects with a libpq connection string (key=value pairs or a postgresql://
// URI; empty: libpq's defaults and PG* environment variables) and opens the
// registry in that database.
//
// kCreate: the registry must not exist yet (ALREADY_EXISTS otherwise); its
// tables are created in one transaction. kExisting: NOT_FOUND when the
// database holds no registry, DATA_LOSS when its `meta` table is not a
// Kinlink registry's, FAILED_PRECONDITION when its schema is newer than this
// program's; an older schema is migrated.
//
// INVALID_ARGUMENT for a malformed connection string, UNAVAILABLE when the
// server cannot be reached or refuses the connection (the message says why;
// it never holds the password), FAILED_PRECONDITION for a server older than
// PostgreSQL 12.
Result<std::unique_ptr<Store>> OpenPostgresStore(const std::string& conninfo, OpenMode mode);

}  // namespace kinlink::store

#endif  // KINLINK_STORE_POSTGRES_STORE_H_
