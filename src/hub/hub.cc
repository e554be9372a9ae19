#include "hub/hub.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <mutex>
#include <set>
#include <sstream>
#include <streambuf>
#include <utility>

#include "crypto/crypto.h"

namespace kinlink::hub {

namespace {

constexpr int kBusyTimeoutMs = 5000;
constexpr int kSchemaVersion = 1;

// Every table of the hub. No column holds a name, a date, a place, a key
// or an API key: references are random, encodings are keyed.
constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS nodes (
  id       INTEGER PRIMARY KEY,
  name     TEXT NOT NULL UNIQUE,
  key_hash BLOB NOT NULL UNIQUE,
  revoked  INTEGER NOT NULL DEFAULT 0,
  created  INTEGER NOT NULL,
  cursor   INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS uploads (
  id       INTEGER PRIMARY KEY,
  node_id  INTEGER NOT NULL REFERENCES nodes(id),
  received INTEGER NOT NULL,
  records  INTEGER NOT NULL,
  kle      BLOB NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS uploads_by_node ON uploads(node_id, id);
CREATE TABLE IF NOT EXISTS refs (
  node_id   INTEGER NOT NULL REFERENCES nodes(id),
  ref       BLOB NOT NULL,
  upload_id INTEGER NOT NULL REFERENCES uploads(id),
  PRIMARY KEY (node_id, ref)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pairs (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  pair_ref BLOB NOT NULL UNIQUE,
  node_a   INTEGER NOT NULL REFERENCES nodes(id),
  ref_a    BLOB NOT NULL,
  node_b   INTEGER NOT NULL REFERENCES nodes(id),
  ref_b    BLOB NOT NULL,
  score    REAL NOT NULL,
  weight   REAL NOT NULL,
  created  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pairs_by_a ON pairs(node_a, seq);
CREATE INDEX IF NOT EXISTS pairs_by_b ON pairs(node_b, seq);
)sql";

// The message names the operation, never a stored value.
Status SqlError(int rc, std::string_view what) {
  std::string message = "hub database: " + std::string(what) + ": " + sqlite3_errstr(rc);
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return UnavailableError(message + " (another process is using the hub database)");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return DataLossError(message);
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return AlreadyExistsError(message);
      }
      return InternalError(message);
    default:
      return InternalError(message);
  }
}

// A prepared statement, finalized at destruction. Bound bytes are copied
// (SQLITE_TRANSIENT): statements here are few and short-lived.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Status ok(std::string_view what) const {
    return rc_ == SQLITE_OK ? OkStatus() : SqlError(rc_, what);
  }
  void Blob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()),
                      SQLITE_TRANSIENT);
  }
  void Text(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  void Int(int i, std::int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void Real(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::int64_t ColInt(int c) { return sqlite3_column_int64(stmt_, c); }
  double ColReal(int c) { return sqlite3_column_double(stmt_, c); }
  std::string ColBytes(int c) {
    const void* p = sqlite3_column_blob(stmt_, c);
    const int n = sqlite3_column_bytes(stmt_, c);
    return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

// An input stream over bytes in memory, without copying them.
class ViewBuf : public std::streambuf {
 public:
  explicit ViewBuf(std::string_view bytes) {
    char* p = const_cast<char*>(bytes.data());
    setg(p, p, p + bytes.size());
  }
};

bool ValidNodeName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name[0])) return false;
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool ValidApiKeyShape(std::string_view key) {
  if (key.size() != kApiKeyPrefix.size() + 2 * kApiKeyRandomBytes) return false;
  if (key.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return false;
  for (char c : key.substr(kApiKeyPrefix.size())) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string RefBytes(const pprl::RecordRef& ref) {
  return std::string(reinterpret_cast<const char*>(ref.data()), ref.size());
}

}  // namespace

Result<pprl::KleFile> ReadKleBytes(std::string_view bytes) {
  ViewBuf buf(bytes);
  std::istream in(&buf);
  return pprl::ReadKle(in);
}

Result<PoolSpec> ReadPoolFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError(path + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  const std::string bytes = text.str();
  if (bytes.compare(0, pprl::kKleMagic.size(), pprl::kKleMagic) == 0) {
    Result<pprl::KleFile> file = ReadKleBytes(bytes);
    if (!file.ok()) return file.status().WithContext(path);
    return PoolSpec{file->schema, file->key_check};
  }
  Result<pprl::Schema> schema = pprl::Schema::FromText(bytes);
  if (!schema.ok()) return schema.status().WithContext(path);
  return PoolSpec{*schema, std::nullopt};
}

struct Hub::Impl {
  sqlite3* db = nullptr;
  HubOptions options;
  crypto::SecretBytes key_hash_key;  // keys the API key hashes
  std::mutex db_mu;                  // the connection
  std::mutex upload_mu;              // one upload links at a time

  ~Impl() {
    if (db != nullptr) sqlite3_close_v2(db);
  }

  Status Exec(const char* sql, std::string_view what) {
    const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? OkStatus() : SqlError(rc, what);
  }

  // A meta value, or nullopt.
  Result<std::optional<std::string>> Meta(const char* key) {
    Stmt s(db, "SELECT value FROM meta WHERE key = ?1");
    KL_RETURN_IF_ERROR(s.ok("reading settings"));
    s.Text(1, key);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return std::optional<std::string>();
    if (rc != SQLITE_ROW) return SqlError(rc, "reading settings");
    return std::optional<std::string>(s.ColBytes(0));
  }

  Status SetMeta(const char* key, std::string_view value) {
    Stmt s(db, "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)");
    KL_RETURN_IF_ERROR(s.ok("writing settings"));
    s.Text(1, key);
    s.Blob(2, value);
    const int rc = s.Step();
    return rc == SQLITE_DONE ? OkStatus() : SqlError(rc, "writing settings");
  }

  std::string KeyHash(std::string_view api_key) const { return crypto::Mac(key_hash_key, api_key); }

  Result<NodeInfo> NodeById(std::int64_t id) {
    Stmt s(db,
           "SELECT id, name, revoked, created, cursor, "
           "(SELECT COALESCE(SUM(records), 0) FROM uploads WHERE node_id = nodes.id) "
           "FROM nodes WHERE id = ?1");
    KL_RETURN_IF_ERROR(s.ok("reading nodes"));
    s.Int(1, id);
    const int rc = s.Step();
    if (rc == SQLITE_DONE) return NotFoundError("no such node");
    if (rc != SQLITE_ROW) return SqlError(rc, "reading nodes");
    return NodeInfo{s.ColInt(0), s.ColBytes(1), s.ColInt(2) != 0,
                    s.ColInt(3), s.ColInt(5),   s.ColInt(4)};
  }

  // Every record of a node, its uploads in order (each verified again).
  Result<pprl::KleFile> LoadNodeRecords(std::int64_t node_id) {
    std::vector<std::string> blobs;
    {
      std::lock_guard<std::mutex> lock(db_mu);
      Stmt s(db, "SELECT kle FROM uploads WHERE node_id = ?1 ORDER BY id");
      KL_RETURN_IF_ERROR(s.ok("reading uploads"));
      s.Int(1, node_id);
      int rc;
      while ((rc = s.Step()) == SQLITE_ROW) blobs.push_back(s.ColBytes(0));
      if (rc != SQLITE_DONE) return SqlError(rc, "reading uploads");
    }
    pprl::KleFile all;
    for (std::size_t i = 0; i < blobs.size(); ++i) {
      Result<pprl::KleFile> f = ReadKleBytes(blobs[i]);
      if (!f.ok()) return DataLossError("a stored upload is damaged: " + f.status().message());
      std::string().swap(blobs[i]);
      if (i == 0) {
        all = std::move(*f);
        continue;
      }
      for (std::size_t r = 0; r < f->size(); ++r) {
        all.refs.push_back(f->refs[r]);
        all.features.push_back(std::move(f->features[r]));
        all.keys.push_back(f->keys[r]);
        all.record_filters.push_back(std::move(f->record_filters[r]));
      }
    }
    return all;
  }
};

Hub::Hub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Hub::~Hub() = default;

Result<std::unique_ptr<Hub>> Hub::Open(const std::string& dir, HubOptions options) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return InvalidArgumentError("cannot create the hub directory " + dir + ": " +
                                std::strerror(errno));
  }
  const std::string path = dir + "/" + std::string(kHubFileName);
  // Created here with mode 0600 (SQLite gives its -wal and -shm files the
  // same mode); never through a symlink.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return InvalidArgumentError("cannot open " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  int rc = sqlite3_open_v2(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) return SqlError(rc, "opening " + path);
  sqlite3_extended_result_codes(impl->db, 1);
  sqlite3_busy_timeout(impl->db, kBusyTimeoutMs);
  KL_RETURN_IF_ERROR(
      impl->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; "
                 "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY",
                 "opening " + path));
  KL_RETURN_IF_ERROR(impl->Exec("BEGIN IMMEDIATE", "creating tables"));
  Status made = impl->Exec(kSchemaSql, "creating tables");
  if (made.ok()) {
    Result<std::optional<std::string>> version = impl->Meta("version");
    if (!version.ok()) {
      made = version.status();
    } else if (!*version) {
      made = impl->SetMeta("version", std::to_string(kSchemaVersion));
      // The key of the API key hashes: random per hub.
      if (made.ok()) {
        crypto::SecretBytes k = crypto::SecretBytes::Random(crypto::kKeyBytes);
        made = impl->SetMeta("key_hash_key", k.view());
      }
    } else if (**version != std::to_string(kSchemaVersion)) {
      made = FailedPreconditionError("the hub database has version " + **version +
                                     "; this build uses version " + std::to_string(kSchemaVersion));
    }
  }
  if (made.ok() && impl->options.schema) {
    Result<std::optional<std::string>> pool = impl->Meta("schema");
    if (!pool.ok()) {
      made = pool.status();
    } else if (!*pool) {
      made = impl->SetMeta("schema", impl->options.schema->ToText());
    } else if (**pool != impl->options.schema->ToText()) {
      made = FailedPreconditionError(
          "the hub's pool already has another schema than --schema (set by the first upload "
          "or an earlier --schema)");
    }
  }
  if (made.ok() && impl->options.key_check) {
    Result<std::optional<std::string>> pool = impl->Meta("key_check");
    if (!pool.ok()) {
      made = pool.status();
    } else if (!*pool) {
      made = impl->SetMeta("key_check", *impl->options.key_check);
    } else if (**pool != *impl->options.key_check) {
      made = FailedPreconditionError(
          "the hub's pool already has another linkage key's key-check value than the --schema "
          "file (set by the first upload or an earlier --schema)");
    }
  }
  if (!made.ok()) {
    (void)impl->Exec("ROLLBACK", "creating tables");
    return made;
  }
  KL_RETURN_IF_ERROR(impl->Exec("COMMIT", "creating tables"));
  KL_ASSIGN_OR_RETURN(std::optional<std::string> hk, impl->Meta("key_hash_key"));
  if (!hk || hk->size() != crypto::kKeyBytes) {
    return DataLossError("the hub database has no API key hash key");
  }
  impl->key_hash_key = crypto::SecretBytes::CopyOf(*hk);
  crypto::Wipe(*hk);
  return std::unique_ptr<Hub>(new Hub(std::move(impl)));
}

Result<NewNode> Hub::AddNode(std::string_view name, std::int64_t now) {
  if (!ValidNodeName(name)) {
    return InvalidArgumentError(
        "a node name is 1-64 of a-z 0-9 . _ -, starting with a letter or digit");
  }
  crypto::SecretBytes random = crypto::SecretBytes::Random(kApiKeyRandomBytes);
  NewNode out;
  out.api_key = std::string(kApiKeyPrefix) + crypto::ToHex(random.view());
  std::lock_guard<std::mutex> lock(impl_->db_mu);
  Stmt s(impl_->db, "INSERT INTO nodes(name, key_hash, created) VALUES(?1, ?2, ?3)");
  KL_RETURN_IF_ERROR(s.ok("adding a node"));
  s.Text(1, name);
  s.Blob(2, impl_->KeyHash(out.api_key));
  s.Int(3, now);
  const int rc = s.Step();
  if (rc != SQLITE_DONE) {
    crypto::Wipe(out.api_key);
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
      return AlreadyExistsError("a node named " + std::string(name) + " exists already");
    }
    return SqlError(rc, "adding a node");
  }
  out.node.id = sqlite3_last_insert_rowid(impl_->db);
  out.node.name = std::string(name);
  out.node.created = now;
  return out;
}

Status Hub::RevokeNode(std::string_view name) {
  std::lock_guard<std::mutex> lock(impl_->db_mu);
  Stmt s(impl_->db, "UPDATE nodes SET revoked = 1 WHERE name = ?1");
  KL_RETURN_IF_ERROR(s.ok("revoking a node"));
  s.Text(1, name);
  const int rc = s.Step();
  if (rc != SQLITE_DONE) return SqlError(rc, "revoking a node");
  if (sqlite3_changes(impl_->db) == 0) return NotFoundError("no node named " + std::string(name));
  return OkStatus();
}

Result<std::vector<NodeInfo>> Hub::ListNodes() {
  std::lock_guard<std::mutex> lock(impl_->db_mu);
  Stmt s(impl_->db,
         "SELECT id, name, revoked, created, cursor, "
         "(SELECT COALESCE(SUM(records), 0) FROM uploads WHERE node_id = nodes.id) "
         "FROM nodes ORDER BY name");
  KL_RETURN_IF_ERROR(s.ok("listing nodes"));
  std::vector<NodeInfo> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back(NodeInfo{s.ColInt(0), s.ColBytes(1), s.ColInt(2) != 0, s.ColInt(3), s.ColInt(5),
                           s.ColInt(4)});
  }
  if (rc != SQLITE_DONE) return SqlError(rc, "listing nodes");
  return out;
}

Result<NodeInfo> Hub::Authenticate(std::string_view api_key) {
  if (!ValidApiKeyShape(api_key)) return UnauthenticatedError(std::string(kBadApiKeyMessage));
  // The lookup is by a keyed hash of a 256-bit random key: its timing
  // tells nothing about any stored key.
  const std::string hash = impl_->KeyHash(api_key);
  std::lock_guard<std::mutex> lock(impl_->db_mu);
  Stmt s(impl_->db, "SELECT id FROM nodes WHERE key_hash = ?1 AND revoked = 0");
  KL_RETURN_IF_ERROR(s.ok("reading nodes"));
  s.Blob(1, hash);
  const int rc = s.Step();
  if (rc == SQLITE_DONE) return UnauthenticatedError(std::string(kBadApiKeyMessage));
  if (rc != SQLITE_ROW) return SqlError(rc, "reading nodes");
  const std::int64_t id = s.ColInt(0);
  return impl_->NodeById(id);
}

Result<std::optional<pprl::Schema>> Hub::PoolSchema() {
  std::lock_guard<std::mutex> lock(impl_->db_mu);
  KL_ASSIGN_OR_RETURN(std::optional<std::string> text, impl_->Meta("schema"));
  if (!text) return std::optional<pprl::Schema>();
  Result<pprl::Schema> schema = pprl::Schema::FromText(*text);
  if (!schema.ok()) return DataLossError("the hub's stored schema is not readable");
  return std::optional<pprl::Schema>(*schema);
}

Result<UploadResult> Hub::AddEncodings(std::int64_t node_id, std::string_view kle_bytes,
                                       std::int64_t now) {
  Result<pprl::KleFile> read = ReadKleBytes(kle_bytes);
  if (!read.ok()) {
    return InvalidArgumentError("the encodings file is refused: " + read.status().message());
  }
  pprl::KleFile file = std::move(*read);
  if (file.size() == 0) return InvalidArgumentError("the encodings file has no records");
  {
    std::set<pprl::RecordRef> seen;
    for (const pprl::RecordRef& r : file.refs) {
      if (!seen.insert(r).second) {
        return InvalidArgumentError("the encodings file repeats a record reference");
      }
    }
  }

  std::lock_guard<std::mutex> upload_lock(impl_->upload_mu);
  std::vector<NodeInfo> partners;
  {
    std::lock_guard<std::mutex> lock(impl_->db_mu);
    KL_ASSIGN_OR_RETURN(NodeInfo me, impl_->NodeById(node_id));
    if (me.revoked) return UnauthenticatedError(std::string(kBadApiKeyMessage));
    // The pool: its schema and key-check value, set by the first upload
    // (or the schema by --schema).
    KL_ASSIGN_OR_RETURN(std::optional<std::string> schema_text, impl_->Meta("schema"));
    KL_ASSIGN_OR_RETURN(std::optional<std::string> key_check, impl_->Meta("key_check"));
    pprl::KleFile pool;
    pool.schema = file.schema;
    pool.key_check = file.key_check;
    if (schema_text) {
      Result<pprl::Schema> s = pprl::Schema::FromText(*schema_text);
      if (!s.ok()) return DataLossError("the hub's stored schema is not readable");
      pool.schema = *s;
    }
    if (key_check) pool.key_check = *key_check;
    if (!(pool.schema == file.schema)) {
      Status differs = pprl::CheckComparable(pool, file, "the hub's pool", "this upload");
      return FailedPreconditionError("schema mismatch: " + differs.message());
    }
    if (!pprl::CheckComparable(pool, file, "", "").ok()) {
      return FailedPreconditionError(
          "wrong linkage key: this upload's key-check value differs from the pool's, so its "
          "encodings cannot be compared with the other nodes' (encode with the linkage key "
          "shared by every node)");
    }
    Stmt s(impl_->db, "SELECT 1 FROM refs WHERE node_id = ?1 AND ref = ?2");
    KL_RETURN_IF_ERROR(s.ok("reading references"));
    for (const pprl::RecordRef& r : file.refs) {
      s.Int(1, node_id);
      s.Blob(2, RefBytes(r));
      const int rc = s.Step();
      s.Reset();
      if (rc == SQLITE_ROW) {
        return AlreadyExistsError(
            "this upload repeats records the node uploaded before (encode only new records)");
      }
      if (rc != SQLITE_DONE) return SqlError(rc, "reading references");
    }
    KL_ASSIGN_OR_RETURN(std::vector<NodeInfo> all, [&]() -> Result<std::vector<NodeInfo>> {
      Stmt n(impl_->db,
             "SELECT id, name FROM nodes WHERE id != ?1 AND revoked = 0 AND "
             "EXISTS (SELECT 1 FROM uploads WHERE node_id = nodes.id) ORDER BY id");
      KL_RETURN_IF_ERROR(n.ok("reading nodes"));
      n.Int(1, node_id);
      std::vector<NodeInfo> v;
      int rc;
      while ((rc = n.Step()) == SQLITE_ROW) {
        NodeInfo info;
        info.id = n.ColInt(0);
        info.name = n.ColBytes(1);
        v.push_back(std::move(info));
      }
      if (rc != SQLITE_DONE) return SqlError(rc, "reading nodes");
      return v;
    }());
    partners = std::move(all);
  }

  // Link with each partner node's records (outside the database lock:
  // reads of pairs go on meanwhile).
  struct Found {
    std::int64_t partner = 0;
    pprl::RecordRef ref_b;
    pprl::KlePair pair;
  };
  std::vector<Found> found;
  UploadResult result;
  result.records = file.size();
  pprl::LinkKleOptions lo = impl_->options.link;
  lo.mode = pprl::LinkMode::kFellegiSunter;
  lo.top_k = 0;
  lo.one_to_one = false;
  for (const NodeInfo& partner : partners) {
    KL_ASSIGN_OR_RETURN(pprl::KleFile theirs, impl_->LoadNodeRecords(partner.id));
    if (theirs.size() == 0) continue;
    ++result.partners;
    result.partner_records += theirs.size();
    std::vector<pprl::RecordRef> their_refs = theirs.refs;
    KL_ASSIGN_OR_RETURN(pprl::LinkKleResult r, pprl::LinkKle(file, std::move(theirs), lo));
    for (const pprl::KlePair& p : r.pairs) found.push_back({partner.id, their_refs[p.b], p});
  }

  std::lock_guard<std::mutex> lock(impl_->db_mu);
  KL_RETURN_IF_ERROR(impl_->Exec("BEGIN IMMEDIATE", "storing an upload"));
  auto store = [&]() -> Status {
    {
      KL_ASSIGN_OR_RETURN(std::optional<std::string> schema_text, impl_->Meta("schema"));
      if (!schema_text) KL_RETURN_IF_ERROR(impl_->SetMeta("schema", file.schema.ToText()));
      KL_ASSIGN_OR_RETURN(std::optional<std::string> key_check, impl_->Meta("key_check"));
      if (!key_check) KL_RETURN_IF_ERROR(impl_->SetMeta("key_check", file.key_check));
    }
    {
      Stmt s(impl_->db,
             "INSERT INTO uploads(node_id, received, records, kle) VALUES(?1, ?2, ?3, ?4)");
      KL_RETURN_IF_ERROR(s.ok("storing an upload"));
      s.Int(1, node_id);
      s.Int(2, now);
      s.Int(3, static_cast<std::int64_t>(file.size()));
      s.Blob(4, kle_bytes);
      const int rc = s.Step();
      if (rc != SQLITE_DONE) return SqlError(rc, "storing an upload");
      result.upload_id = sqlite3_last_insert_rowid(impl_->db);
    }
    {
      Stmt s(impl_->db, "INSERT INTO refs(node_id, ref, upload_id) VALUES(?1, ?2, ?3)");
      KL_RETURN_IF_ERROR(s.ok("storing references"));
      for (const pprl::RecordRef& r : file.refs) {
        s.Int(1, node_id);
        s.Blob(2, RefBytes(r));
        s.Int(3, result.upload_id);
        const int rc = s.Step();
        s.Reset();
        if (rc != SQLITE_DONE) return SqlError(rc, "storing references");
      }
    }
    Stmt s(impl_->db,
           "INSERT INTO pairs(pair_ref, node_a, ref_a, node_b, ref_b, score, weight, created) "
           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    KL_RETURN_IF_ERROR(s.ok("storing pairs"));
    crypto::SecretBytes pair_ref(kPairRefBytes);
    for (const Found& f : found) {
      crypto::FillRandom(pair_ref);
      s.Blob(1, pair_ref.view());
      s.Int(2, node_id);
      s.Blob(3, RefBytes(file.refs[f.pair.a]));
      s.Int(4, f.partner);
      s.Blob(5, RefBytes(f.ref_b));
      s.Real(6, f.pair.score);
      s.Real(7, f.pair.weight);
      s.Int(8, now);
      const int rc = s.Step();
      s.Reset();
      if (rc != SQLITE_DONE) return SqlError(rc, "storing pairs");
    }
    result.pairs = found.size();
    return OkStatus();
  };
  Status stored = store();
  if (!stored.ok()) {
    (void)impl_->Exec("ROLLBACK", "storing an upload");
    return stored;
  }
  KL_RETURN_IF_ERROR(impl_->Exec("COMMIT", "storing an upload"));
  return result;
}

Result<PairsPage> Hub::Pairs(std::int64_t node_id, std::optional<std::int64_t> after,
                             std::int64_t limit) {
  if (after && *after < 0) return InvalidArgumentError("after must be a cursor (0 or more)");
  if (limit < 1 || limit > kMaxPairsPage) {
    return InvalidArgumentError("limit must be 1.." + std::to_string(kMaxPairsPage));
  }
  std::lock_guard<std::mutex> lock(impl_->db_mu);
  KL_ASSIGN_OR_RETURN(NodeInfo me, impl_->NodeById(node_id));
  if (me.revoked) return UnauthenticatedError(std::string(kBadApiKeyMessage));
  const std::int64_t from = after ? *after : me.cursor;
  if (after && *after > me.cursor) {
    Stmt s(impl_->db, "UPDATE nodes SET cursor = ?1 WHERE id = ?2 AND cursor < ?1");
    KL_RETURN_IF_ERROR(s.ok("moving the delivery cursor"));
    s.Int(1, *after);
    s.Int(2, node_id);
    const int rc = s.Step();
    if (rc != SQLITE_DONE) return SqlError(rc, "moving the delivery cursor");
  }
  Stmt s(impl_->db,
         "SELECT p.seq, p.pair_ref, p.node_a, p.ref_a, p.ref_b, p.score, p.weight, "
         "na.name, nb.name FROM pairs p "
         "JOIN nodes na ON na.id = p.node_a JOIN nodes nb ON nb.id = p.node_b "
         "WHERE p.seq > ?1 AND (p.node_a = ?2 OR p.node_b = ?2) ORDER BY p.seq LIMIT ?3");
  KL_RETURN_IF_ERROR(s.ok("reading pairs"));
  s.Int(1, from);
  s.Int(2, node_id);
  s.Int(3, limit + 1);
  PairsPage page;
  page.next = from;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    if (static_cast<std::int64_t>(page.pairs.size()) == limit) {
      page.more = true;
      break;
    }
    DeliveredPair p;
    p.cursor = s.ColInt(0);
    p.partner_ref = crypto::ToHex(s.ColBytes(1));
    const bool mine_is_a = s.ColInt(2) == node_id;
    const std::string own = s.ColBytes(mine_is_a ? 3 : 4);
    if (own.size() != p.own_ref.size()) return DataLossError("a stored pair is damaged");
    std::memcpy(p.own_ref.data(), own.data(), own.size());
    p.score = s.ColReal(5);
    p.weight = s.ColReal(6);
    p.partner = s.ColBytes(mine_is_a ? 8 : 7);
    page.next = p.cursor;
    page.pairs.push_back(std::move(p));
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqlError(rc, "reading pairs");
  return page;
}

}  // namespace kinlink::hub
