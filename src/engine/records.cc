// Reading and erasing records: every decryption is audited first.
#include <algorithm>

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

}  // namespace kinlink::engine
