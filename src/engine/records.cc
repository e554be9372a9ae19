// Reading and erasing records: every decryption is audited first.
#include <algorithm>

#include <ctime>

#include "common/utf8.h"
#include "engine/internal/codec.h"
#include "engine/registry.h"
#include "formats/csv.h"

namespace kinlink::engine {

namespace {

store::RecordFilter ToStoreFilter(const ListFilter& filter) {
  store::RecordFilter f;
  if (filter.kind) f.kind = static_cast<std::uint8_t>(*filter.kind);
  f.created_from = filter.registered_from;
  f.created_to = filter.registered_to;
  return f;
}

std::string CountDetail(std::size_t n) { return R"({"records":)" + std::to_string(n) + "}"; }

}  // namespace

Result<std::int64_t> Registry::Resolve(std::string_view id, std::optional<record::Kind> kind) {
  if (id.empty()) return InvalidArgumentError("no record id given");
  std::vector<std::pair<std::int64_t, record::Kind>> found;
  for (record::Kind k : {record::Kind::kRequest, record::Kind::kPerson}) {
    if (kind && *kind != k) continue;
    KL_ASSIGN_OR_RETURN(std::vector<std::int64_t> ids,
                        store_->FindBySourceToken(SourceToken(k, id)));
    for (std::int64_t i : ids) found.emplace_back(i, k);
  }
  if (found.size() == 1) return found[0].first;
  if (found.size() > 1) {
    return FailedPreconditionError("the id is used by a request (" +
                                   FormatRegistryId(found[0].first) + ") and a person (" +
                                   FormatRegistryId(found[1].first) +
                                   "); give --kind or the registry id");
  }
  if (std::optional<std::int64_t> registry_id = ParseRegistryId(id)) {
    Result<store::RecordRow> row = store_->GetRecord(*registry_id);
    if (row.ok() && (!kind || row->kind == static_cast<std::uint8_t>(*kind))) return *registry_id;
  }
  return NotFoundError("no record with this id");
}

Result<record::Record> Registry::Decrypt(const store::RecordRow& row) {
  if (!row.wrapped_key) {
    return NotFoundError("record " + FormatRegistryId(row.id) + " was erased");
  }
  Status unwrapped = crypto::OpenSecretInto(record_wrap_key_, *row.wrapped_key,
                                            internal::DataKeyAd(row.id), data_key_);
  if (!unwrapped.ok()) {
    return unwrapped.WithContext("the data key of record " + FormatRegistryId(row.id) +
                                 " does not open (altered or moved)");
  }
  Result<std::string> payload =
      crypto::Open(data_key_, row.sealed, internal::RecordAd(row.id, row.version));
  if (!payload.ok()) {
    return payload.status().WithContext("record " + FormatRegistryId(row.id) +
                                        " does not open with its key (altered or moved)");
  }
  Result<record::Record> rec = record::Deserialize(*payload);
  crypto::Wipe(*payload);
  return rec;
}

Result<RecordView> Registry::Show(std::string_view id, std::optional<record::Kind> kind) {
  KL_ASSIGN_OR_RETURN(std::int64_t registry_id, Resolve(id, kind));
  KL_ASSIGN_OR_RETURN(store::RecordRow row, store_->GetRecord(registry_id));
  if (!row.wrapped_key) return NotFoundError("record " + FormatRegistryId(row.id) + " was erased");
  KL_RETURN_IF_ERROR(Audit("record.read", FormatRegistryId(registry_id), "{}"));
  RecordView view{row.id, row.created_at, row.updated_at, row.version, record::Record()};
  KL_ASSIGN_OR_RETURN(view.record, Decrypt(row));
  return view;
}

Result<std::vector<std::int64_t>> Registry::MatchingIds(const ListFilter& filter) {
  store::RecordFilter f = ToStoreFilter(filter);
  if (filter.status) f.status_token = StatusToken(*filter.status);
  std::vector<std::int64_t> ids;
  Status walked = store_->ForEachRecord(f, [&](const store::RecordRow& row) -> Status {
    if (filter.limit > 0 && static_cast<std::int64_t>(ids.size()) >= filter.limit) {
      return CancelledError("limit reached");  // stops the walk early
    }
    ids.push_back(row.id);
    return OkStatus();
  });
  if (!walked.ok() && walked.code() != StatusCode::kCancelled) return walked;
  return ids;
}

Status Registry::List(const ListFilter& filter,
                      const std::function<Status(const RecordView&)>& fn) {
  KL_ASSIGN_OR_RETURN(std::vector<std::int64_t> ids, MatchingIds(filter));
  KL_RETURN_IF_ERROR(Audit("record.list", CompressIdRanges(ids), CountDetail(ids.size())));
  for (std::int64_t id : ids) {
    KL_ASSIGN_OR_RETURN(store::RecordRow row, store_->GetRecord(id));
    if (!row.wrapped_key) continue;  // erased since the ids were taken
    RecordView view{row.id, row.created_at, row.updated_at, row.version, record::Record()};
    KL_ASSIGN_OR_RETURN(view.record, Decrypt(row));
    KL_RETURN_IF_ERROR(fn(view));
  }
  return OkStatus();
}

Result<std::int64_t> Registry::Export(const ExportOptions& options, std::ostream& out) {
  ListFilter filter;
  filter.kind = options.kind;
  KL_ASSIGN_OR_RETURN(std::vector<std::int64_t> ids, MatchingIds(filter));
  KL_RETURN_IF_ERROR(Audit("record.export", CompressIdRanges(ids), CountDetail(ids.size())));

  std::vector<record::Field> columns;
  if (options.kind) {
    columns = record::ColumnsFor(*options.kind);
  } else {
    for (const record::FieldInfo& info : record::FieldCatalogue()) columns.push_back(info.field);
  }
  formats::CsvWriter writer(out);
  std::vector<std::string> cells;
  if (options.registry_ids) cells.emplace_back("registry_id");
  for (record::Field f : columns) cells.emplace_back(record::FieldName(f));
  if (!options.kind) cells.emplace_back("kind");
  writer.WriteRow(cells);

  std::int64_t written = 0;
  for (std::int64_t id : ids) {
    KL_ASSIGN_OR_RETURN(store::RecordRow row, store_->GetRecord(id));
    if (!row.wrapped_key) continue;
    KL_ASSIGN_OR_RETURN(record::Record rec, Decrypt(row));
    cells.clear();
    if (options.registry_ids) cells.push_back(FormatRegistryId(id));
    for (record::Field f : columns) cells.push_back(rec.Get(f));
    if (!options.kind) cells.emplace_back(record::KindName(rec.kind()));
    writer.WriteRow(cells);
    for (std::string& c : cells) crypto::Wipe(c);
    ++written;
  }
  out.flush();
  if (!out) return InternalError("writing the export failed");
  return written;
}

Status Registry::Erase(std::string_view id, std::optional<record::Kind> kind) {
  KL_ASSIGN_OR_RETURN(std::int64_t registry_id, Resolve(id, kind));
  {
    KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*store_));
    KL_ASSIGN_OR_RETURN(store::RecordRow row, store_->GetRecord(registry_id));
    if (!row.wrapped_key) {
      return NotFoundError("record " + FormatRegistryId(registry_id) + " was already erased");
    }
    KL_RETURN_IF_ERROR(audit_->Append(actor_, "record.erase", FormatRegistryId(registry_id), "{}"));
    KL_RETURN_IF_ERROR(store_->ShredRecord(registry_id));
    KL_RETURN_IF_ERROR(txn.Commit());
  }
  // Old pages with the data key must leave the write-ahead log too.
  return store_->Checkpoint();
}

std::int64_t Registry::RecordCount(const ListFilter& filter) {
  store::RecordFilter f = ToStoreFilter(filter);
  if (filter.status) f.status_token = StatusToken(*filter.status);
  Result<std::int64_t> n = store_->CountRecords(f);
  return n.ok() ? *n : 0;
}

Result<std::int64_t> Registry::OfficeId(std::string_view name, std::string_view actor) {
  if (name.empty() || name.size() > 128 || !IsValidUtf8(name)) {
    return InvalidArgumentError("an office name must be 1 to 128 bytes of UTF-8");
  }
  KL_ASSIGN_OR_RETURN(std::optional<store::OfficeRow> office, store_->FindOffice(name));
  if (office) return office->id;
  store::OfficeRow row;
  row.name = std::string(name);
  row.created_at = std::time(nullptr);
  KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*store_));
  KL_ASSIGN_OR_RETURN(std::int64_t id, store_->InsertOffice(row));
  KL_RETURN_IF_ERROR(audit_->Append(std::string(actor), "office.add",
                                    "office:" + std::to_string(id), "{}"));
  KL_RETURN_IF_ERROR(txn.Commit());
  return id;
}

Result<std::int64_t> Registry::RegisterRecord(record::Kind kind, record::Record rec,
                                              std::int64_t office_id, std::int64_t review_at,
                                              std::string_view actor) {
  rec.set_kind(kind);
  std::vector<record::FieldError> errors = record::Validate(rec, record::ValidationContext{});
  if (!errors.empty()) {
    std::string message = "the record is not valid:";
    for (const record::FieldError& e : errors) {
      message += " ";
      message += record::FieldName(e.field);
      message += ": ";
      message += e.reason;
      message += ";";
    }
    message.pop_back();
    return InvalidArgumentError(message);
  }
  const std::int64_t now = std::time(nullptr);
  store::RecordRow stored;
  stored.kind = static_cast<std::uint8_t>(kind);
  stored.version = 1;
  stored.created_at = stored.updated_at = now;
  stored.office_id = office_id;
  stored.review_at = review_at;
  if (rec.Has(record::Field::kId)) stored.source_token = SourceToken(kind, rec.Get(record::Field::kId));
  if (kind == record::Kind::kPerson) {
    Result<record::PersonStatus> status = record::ParseStatus(rec.Get(record::Field::kStatus));
    stored.status_token = StatusToken(status.ok() ? *status : record::PersonStatus::kUnknown);
  }
  std::int64_t id = 0;
  {
    KL_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(*store_));
    KL_ASSIGN_OR_RETURN(id, internal::NextRecordId(*store_));
    stored.id = id;
    crypto::SecretBytes data_key(crypto::kKeyBytes);
    crypto::FillRandom(data_key);
    std::string payload = record::Serialize(rec);
    stored.sealed = crypto::Seal(data_key, payload, internal::RecordAd(id, 1));
    crypto::Wipe(payload);
    stored.wrapped_key = crypto::Seal(record_wrap_key_, data_key.view(), internal::DataKeyAd(id));
    Result<std::int64_t> inserted = store_->InsertRecord(stored);
    if (!inserted.ok()) {
      if (inserted.status().code() == StatusCode::kAlreadyExists) {
        return AlreadyExistsError("a " + std::string(record::KindName(kind)) +
                                  " with this id is already registered");
      }
      return inserted.status();
    }
    KL_RETURN_IF_ERROR(internal::SetNextRecordId(*store_, id + 1));
    KL_RETURN_IF_ERROR(audit_->Append(std::string(actor), "record.create", FormatRegistryId(id),
                                      std::string(R"({"kind":")") +
                                          std::string(record::KindName(kind)) + "\"}"));
    KL_RETURN_IF_ERROR(txn.Commit());
  }
  KL_RETURN_IF_ERROR(IndexPending(nullptr).status());
  return id;
}

}  // namespace kinlink::engine
