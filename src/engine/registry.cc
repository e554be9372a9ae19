// Opening, creating and re-keying a registry; the key hierarchy in use.
#include "engine/registry.h"

#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "engine/internal/codec.h"
#include "engine/internal/matcher.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace kinlink::engine {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kMetaMasterKey = "master_key";
constexpr std::string_view kMetaCreatedAt = "created_at";

std::string DbPath(const std::string& data_dir) {
  return (fs::path(data_dir) / kRegistryFileName).string();
}

// The store of a location: a PostgreSQL database for a postgresql:// URI,
// else the SQLite file in the directory.
Result<std::unique_ptr<store::Store>> OpenStoreAt(const std::string& location,
                                                  store::OpenMode mode) {
  if (IsDatabaseUri(location)) return store::OpenPostgresStore(location, mode);
  return store::OpenSqliteStore(DbPath(location), mode);
}

// True when `path` would lie inside `dir` (both made absolute; symlinks of
// existing parts resolved).
bool IsInside(const std::string& path, const std::string& dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  fs::path d = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  auto [dir_end, _] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return dir_end == d.end();
}

Result<crypto::WrappedKey> Wrap(const crypto::SecretBytes& master, const KeySource& key,
                                const CreateOptions& options) {
  if (!key.is_key_file()) {
    return crypto::WrapWithPassphrase(master, key.passphrase(), options.kdf);
  }
  std::error_code ec;
  if (!fs::exists(key.key_file(), ec) && options.create_key_file) {
    KL_RETURN_IF_ERROR(crypto::CreateKeyFile(key.key_file()));
  }
  KL_ASSIGN_OR_RETURN(crypto::SecretBytes file_key, crypto::ReadKeyFile(key.key_file()));
  return crypto::WrapWithKeyFile(master, file_key);
}

}  // namespace

KeySource KeySource::Passphrase(std::string_view passphrase) {
  KeySource source;
  source.passphrase_ = crypto::SecretBytes::CopyOf(passphrase);
  return source;
}

KeySource KeySource::KeyFile(std::string path) {
  KeySource source;
  source.key_file_ = std::move(path);
  return source;
}

bool IsDatabaseUri(std::string_view location) {
  return location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0;
}

std::string FormatRegistryId(std::int64_t id) { return "KL-" + std::to_string(id); }

std::optional<std::int64_t> ParseRegistryId(std::string_view text) {
  if (text.size() < 4 || (text[0] != 'K' && text[0] != 'k') || (text[1] != 'L' && text[1] != 'l') ||
      text[2] != '-') {
    return std::nullopt;
  }
  std::string_view digits = text.substr(3);
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return id;
}

std::string CompressIdRanges(const std::vector<std::int64_t>& ids) {
  std::string out;
  std::size_t i = 0;
  while (i < ids.size()) {
    std::size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ids[i]);
    if (j > i) out += '-' + std::to_string(ids[j]);
    i = j + 1;
  }
  return out;
}

Registry::Registry(std::string data_dir, std::unique_ptr<store::Store> store,
                   crypto::SecretBytes master, std::string actor)
    : data_dir_(std::move(data_dir)),
      store_(std::move(store)),
      master_(std::move(master)),
      record_wrap_key_(crypto::DeriveKey(master_, crypto::Purpose::kRecordKeyWrap)),
      token_key_(crypto::DeriveKey(master_, crypto::Purpose::kToken)),
      audit_key_(crypto::DeriveKey(master_, crypto::Purpose::kAuditMac)),
      actor_(std::move(actor)),
      audit_(std::make_unique<store::AuditLog>(*store_, audit_key_)) {}

Registry::~Registry() {
  if (store_) store_->Checkpoint().IgnoreError();
}

Result<std::unique_ptr<Registry>> Registry::Create(const std::string& data_dir,
                                                   const KeySource& key,
                                                   const CreateOptions& options,
                                                   std::string actor) {
  KL_RETURN_IF_ERROR(crypto::Initialize());
  if (data_dir.empty()) return InvalidArgumentError("no data directory given (--data or KINLINK_DATA)");
  if (IsDatabaseUri(data_dir)) {
    // PostgreSQL: the schema must not exist yet in that database.
    crypto::SecretBytes master = crypto::SecretBytes::Random(crypto::kKeyBytes);
    KL_ASSIGN_OR_RETURN(crypto::WrappedKey wrapped, Wrap(master, key, options));
    Result<std::unique_ptr<store::Store>> db = OpenStoreAt(data_dir, store::OpenMode::kCreate);
    if (!db.ok()) return db.status().WithContext("the PostgreSQL registry");
    std::unique_ptr<Registry> reg(
        new Registry(data_dir, std::move(*db), std::move(master), std::move(actor)));
    KL_RETURN_IF_ERROR(reg->Initialize(wrapped, key.is_key_file()));
    return reg;
  }
  if (key.is_key_file() && IsInside(key.key_file(), data_dir)) {
    return InvalidArgumentError(
        "the key file must be kept outside the data directory, or a thief of the data "
        "directory gets the key with it");
  }
  std::error_code ec;
  if (!fs::exists(data_dir, ec)) {
    fs::create_directories(data_dir, ec);
    if (ec) return PermissionDeniedError("cannot create " + data_dir + ": " + ec.message());
    ::chmod(data_dir.c_str(), 0700);
  } else if (!fs::is_directory(data_dir, ec)) {
    return InvalidArgumentError(data_dir + " exists and is not a directory");
  }
  const std::string db_path = DbPath(data_dir);
  if (fs::exists(db_path, ec)) {
    return AlreadyExistsError("a registry already exists in " + data_dir);
  }

  // Wrap first (Argon2id can fail for lack of memory): nothing is created
  // on disk unless the key is ready.
  crypto::SecretBytes master = crypto::SecretBytes::Random(crypto::kKeyBytes);
  KL_ASSIGN_OR_RETURN(crypto::WrappedKey wrapped, Wrap(master, key, options));

  KL_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db,
                      store::OpenSqliteStore(db_path, store::OpenMode::kCreate));
  std::unique_ptr<Registry> reg(
      new Registry(data_dir, std::move(db), std::move(master), std::move(actor)));
  KL_RETURN_IF_ERROR(reg->Initialize(wrapped, key.is_key_file()));
  return reg;
}

Status Registry::Initialize(const crypto::WrappedKey& wrapped, bool key_file) {
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*store_));
  KL_RETURN_IF_ERROR(store_->SetMeta(kMetaMasterKey, wrapped.Serialize()));
  KL_RETURN_IF_ERROR(store_->SetMeta(kMetaCreatedAt, std::to_string(std::time(nullptr))));
  KL_RETURN_IF_ERROR(internal::SetNextRecordId(*store_, 1));
  KL_RETURN_IF_ERROR(store_->SetMeta(internal::kMetaIndexNext, "1"));
  KL_RETURN_IF_ERROR(audit_->Append(actor_, "registry.create", "registry",
                                    key_file ? R"({"key":"key-file"})" : R"({"key":"passphrase"})"));
  return txn.Commit();
}

Result<std::unique_ptr<Registry>> Registry::Open(const std::string& data_dir, const KeySource& key,
                                                 std::string actor) {
  KL_RETURN_IF_ERROR(crypto::Initialize());
  if (data_dir.empty()) return InvalidArgumentError("no data directory given (--data or KINLINK_DATA)");
  if (!IsDatabaseUri(data_dir)) {
    std::error_code ec;
    if (!fs::exists(DbPath(data_dir), ec)) {
      return NotFoundError("no registry in " + data_dir + " (create one with `kinlink init`)");
    }
  }
  KL_ASSIGN_OR_RETURN(std::unique_ptr<store::Store> db,
                      OpenStoreAt(data_dir, store::OpenMode::kExisting));
  KL_ASSIGN_OR_RETURN(std::optional<std::string> blob, db->GetMeta(kMetaMasterKey));
  if (!blob) return DataLossError("the registry has no wrapped master key");
  KL_ASSIGN_OR_RETURN(crypto::WrappedKey wrapped, crypto::WrappedKey::Parse(*blob));
  crypto::SecretBytes master;
  if (key.is_key_file()) {
    KL_ASSIGN_OR_RETURN(crypto::SecretBytes file_key, crypto::ReadKeyFile(key.key_file()));
    KL_ASSIGN_OR_RETURN(master, crypto::UnwrapWithKeyFile(wrapped, file_key));
  } else {
    KL_ASSIGN_OR_RETURN(master, crypto::UnwrapWithPassphrase(wrapped, key.passphrase()));
  }
  return std::unique_ptr<Registry>(
      new Registry(data_dir, std::move(db), std::move(master), std::move(actor)));
}

Status Registry::Rekey(const KeySource& new_key, const CreateOptions& options) {
  if (new_key.is_key_file() && !IsDatabaseUri(data_dir_) &&
      IsInside(new_key.key_file(), data_dir_)) {
    return InvalidArgumentError("the key file must be kept outside the data directory");
  }
  KL_ASSIGN_OR_RETURN(crypto::WrappedKey wrapped, Wrap(master_, new_key, options));
  {
    KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*store_));
    KL_RETURN_IF_ERROR(store_->SetMeta(kMetaMasterKey, wrapped.Serialize()));
    KL_RETURN_IF_ERROR(audit_->Append(
        actor_, "registry.rekey", "registry",
        new_key.is_key_file() ? R"({"key":"key-file"})" : R"({"key":"passphrase"})"));
    KL_RETURN_IF_ERROR(txn.Commit());
  }
  // The old wrap must not survive in the write-ahead log.
  return store_->Checkpoint();
}

Status Registry::Audit(std::string_view action, std::string_view target,
                       std::string_view detail) {
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*store_));
  KL_RETURN_IF_ERROR(audit_->AppendIdList(actor_, action, target, detail));
  return txn.Commit();
}

Result<store::AuditVerifyReport> Registry::VerifyAudit() {
  KL_ASSIGN_OR_RETURN(store::AuditVerifyReport report, audit_->Verify());
  // A broken log takes no further entries (AuditLog refuses to extend it),
  // so only a successful verification is recorded.
  if (report.ok) KL_RETURN_IF_ERROR(Audit("audit.verify", "audit-log", R"({"ok":true})"));
  return report;
}

Status Registry::ForEachAuditEntry(const std::function<Status(const store::AuditRow&)>& fn) {
  KL_RETURN_IF_ERROR(Audit("audit.read", "audit-log", "{}"));
  return store_->ForEachAudit(fn);
}

std::string Registry::SourceToken(record::Kind kind, std::string_view source_id) const {
  std::string value(1, static_cast<char>(kind));
  value.append(source_id);
  return crypto::Token(token_key_, "source-id/v1", value);
}

std::string Registry::StatusToken(record::PersonStatus status) const {
  return crypto::Token(token_key_, "status/v1", record::StatusName(status));
}

}  // namespace kinlink::engine
