// Import: a CSV into the registry as one transaction.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <unordered_map>

#include "common/limits.h"
#include "engine/internal/codec.h"
#include "engine/registry.h"
#include "formats/csv.h"

namespace kinlink::engine {

namespace {

// Writes rejected rows (positions and reasons, never values) to a CSV file
// created at the first reject; used only with a path.
class RejectsFile {
 public:
  explicit RejectsFile(std::string path) : path_(std::move(path)) {}
  ~RejectsFile() {
    if (!kept_ && out_.is_open()) {
      out_.close();
      std::remove(path_.c_str());
    }
  }

  Status Add(const formats::RowIssue& issue) {
    if (!out_.is_open()) {
      out_.open(path_, std::ios::binary | std::ios::trunc);
      if (!out_) return PermissionDeniedError("cannot write the rejects file " + path_);
      writer_ = std::make_unique<formats::CsvWriter>(out_);
      const std::string header[] = {"line", "column", "column_name", "reason"};
      writer_->WriteRow(header);
    }
    const std::string row[] = {std::to_string(issue.line), std::to_string(issue.column),
                               issue.column_name, issue.reason};
    writer_->WriteRow(row);
    return OkStatus();
  }

  // Keeps the file (after a successful import). "" when nothing was written.
  Result<std::string> Keep() {
    if (!out_.is_open()) return std::string();
    out_.flush();
    if (!out_) return InternalError("writing the rejects file " + path_ + " failed");
    kept_ = true;
    return path_;
  }

 private:
  std::string path_;
  std::ofstream out_;
  std::unique_ptr<formats::CsvWriter> writer_;
  bool kept_ = false;
};

}  // namespace

Result<ImportSummary> Registry::Import(const ImportRequest& request, const ProgressFn& progress) {
  const auto started = std::chrono::steady_clock::now();
  const bool in_memory = request.path.empty();
  std::unique_ptr<formats::RecordReader> reader;
  if (in_memory) {
    KL_ASSIGN_OR_RETURN(
        reader, formats::RecordReader::FromString(std::string(request.data), request.mapping,
                                                  request.kind, request.limits));
  } else {
    KL_ASSIGN_OR_RETURN(reader, formats::RecordReader::Open(request.path, request.mapping,
                                                            request.kind, request.limits));
  }
  ImportSummary summary;
  summary.warnings = reader->warnings();
  summary.columns = reader->columns();
  // An upload is never written anywhere, and a dry run writes nothing.
  const bool write_rejects = !in_memory && !request.dry_run;
  RejectsFile rejects(!write_rejects                 ? std::string()
                      : request.rejects_path.empty() ? request.path + ".rejects.csv"
                                                     : request.rejects_path);
  auto reject = [&](const formats::RowIssue& issue) -> Status {
    if (summary.issues.size() < limits::kMaxRejectsInSummary) summary.issues.push_back(issue);
    return write_rejects ? rejects.Add(issue) : OkStatus();
  };
  const std::string& actor = request.actor.empty() ? actor_ : request.actor;
  // Where a duplicate id is reported: the (first) column that fills id.
  formats::RowIssue id_issue;
  for (const formats::ColumnUse& c : summary.columns) {
    if (c.field == record::Field::kId) {
      id_issue.column = c.column;
      id_issue.column_name = c.name;
      break;
    }
  }

  const std::int64_t now = request.now > 0 ? request.now : std::time(nullptr);
  std::int64_t office_id = request.office_id;
  if (!request.office.empty() && !request.dry_run) {
    KL_ASSIGN_OR_RETURN(office_id, OfficeId(request.office, actor));
  }
  // A dry run only reads (its one audit entry is written at the end).
  std::optional<store::Transaction> txn;
  store::ImportRow import_row;
  std::int64_t first_id = 0;
  if (!request.dry_run) {
    KL_ASSIGN_OR_RETURN(store::Transaction begun, store::Transaction::Begin(*store_));
    txn.emplace(std::move(begun));
    import_row.started_at = now;
    import_row.kind = static_cast<std::uint8_t>(request.kind);
    KL_ASSIGN_OR_RETURN(summary.import_id, store_->InsertImport(import_row));
    KL_ASSIGN_OR_RETURN(first_id, internal::NextRecordId(*store_));
  }

  std::int64_t next_id = first_id;
  std::vector<std::uint64_t> line_of;  // line of the row given id first_id + i
  // Dry run: the source tokens of the rows it would accept, and their lines.
  std::unordered_map<std::string, std::uint64_t> checked_tokens;
  std::uint64_t rows_seen = 0;
  std::string payload;
  crypto::SecretBytes data_key(crypto::kKeyBytes);  // refilled for every record
  formats::ReadRow row;
  store::RecordRow stored;
  while (true) {
    KL_ASSIGN_OR_RETURN(bool more, reader->Next(&row));
    if (!more) break;
    ++rows_seen;
    if (progress && (rows_seen & 1023) == 0) {
      progress({reader->bytes_consumed(), reader->total_bytes(), rows_seen});
    }
    if (!row.issues.empty()) {
      for (const formats::RowIssue& issue : row.issues) KL_RETURN_IF_ERROR(reject(issue));
      ++summary.rejected;
      continue;
    }
    record::Record& rec = row.record;
    stored.source_token.clear();
    if (rec.Has(record::Field::kId)) {
      stored.source_token = SourceToken(request.kind, rec.Get(record::Field::kId));
    }
    if (request.dry_run) {
      // The duplicate checks the store's unique source token makes below.
      if (!stored.source_token.empty()) {
        formats::RowIssue issue = id_issue;
        issue.line = row.line;
        auto earlier = checked_tokens.find(stored.source_token);
        KL_ASSIGN_OR_RETURN(std::vector<std::int64_t> holders,
                            store_->FindBySourceToken(stored.source_token));
        if (earlier != checked_tokens.end()) {
          issue.reason = "duplicate id: the same id as line " + std::to_string(earlier->second);
        } else if (!holders.empty()) {
          issue.reason = "duplicate id: the registry already holds a " +
                         std::string(record::KindName(request.kind)) + " with this id (" +
                         FormatRegistryId(holders[0]) + ")";
        }
        if (!issue.reason.empty()) {
          KL_RETURN_IF_ERROR(reject(issue));
          ++summary.rejected;
          continue;
        }
        checked_tokens.emplace(stored.source_token, row.line);
      }
      ++summary.accepted;
      continue;
    }
    stored.id = next_id;
    stored.kind = static_cast<std::uint8_t>(request.kind);
    stored.version = 1;
    stored.created_at = stored.updated_at = now;
    stored.import_id = summary.import_id;
    stored.office_id = office_id;
    stored.review_at = request.retention_s > 0 ? now + request.retention_s : 0;
    stored.status_token.clear();
    if (request.kind == record::Kind::kPerson) {
      if (!rec.Has(record::Field::kStatus) && request.default_status) {
        rec.Set(record::Field::kStatus, std::string(record::StatusName(*request.default_status)));
      }
      Result<record::PersonStatus> status = record::ParseStatus(rec.Get(record::Field::kStatus));
      stored.status_token = StatusToken(status.ok() ? *status : record::PersonStatus::kUnknown);
    }
    crypto::FillRandom(data_key);
    payload = record::Serialize(rec);
    stored.sealed = crypto::Seal(data_key, payload, internal::RecordAd(stored.id, 1));
    crypto::Wipe(payload);
    stored.wrapped_key = crypto::Seal(record_wrap_key_, data_key.view(), internal::DataKeyAd(stored.id));

    Result<std::int64_t> inserted = store_->InsertRecord(stored);
    if (!inserted.ok()) {
      if (inserted.status().code() != StatusCode::kAlreadyExists) return inserted.status();
      formats::RowIssue issue = id_issue;
      issue.line = row.line;
      issue.reason = "duplicate id";
      KL_ASSIGN_OR_RETURN(std::vector<std::int64_t> holders,
                          store_->FindBySourceToken(stored.source_token));
      if (!holders.empty() && holders[0] >= first_id) {
        issue.reason = "duplicate id: the same id as line " +
                       std::to_string(line_of[static_cast<std::size_t>(holders[0] - first_id)]);
      } else if (!holders.empty()) {
        issue.reason = "duplicate id: the registry already holds a " +
                       std::string(record::KindName(request.kind)) + " with this id (" +
                       FormatRegistryId(holders[0]) + ")";
      }
      KL_RETURN_IF_ERROR(reject(issue));
      ++summary.rejected;
      continue;
    }
    line_of.push_back(row.line);
    ++next_id;
    ++summary.accepted;
  }
  if (progress) progress({reader->bytes_consumed(), reader->total_bytes(), rows_seen});
  summary.rows = static_cast<std::int64_t>(rows_seen);

  if (request.dry_run) {
    KL_ASSIGN_OR_RETURN(store::Transaction audit_txn, store::Transaction::Begin(*store_));
    KL_RETURN_IF_ERROR(audit_->Append(
        actor, "import.dry_run", "import:-",
        std::string(R"({"kind":")") + std::string(record::KindName(request.kind)) + R"(","rows":)" +
            std::to_string(summary.rows) + R"(,"accepted":)" + std::to_string(summary.accepted) +
            R"(,"rejected":)" + std::to_string(summary.rejected) + "}"));
    KL_RETURN_IF_ERROR(audit_txn.Commit());
    summary.seconds = summary.store_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
  }

  KL_RETURN_IF_ERROR(internal::SetNextRecordId(*store_, next_id));
  import_row.id = summary.import_id;
  import_row.finished_at = std::time(nullptr);
  import_row.accepted = summary.accepted;
  import_row.rejected = summary.rejected;
  KL_RETURN_IF_ERROR(store_->FinishImport(import_row));
  if (summary.accepted > 0) {
    summary.first_id = first_id;
    summary.last_id = next_id - 1;
  }
  const std::string detail =
      std::string(R"({"kind":")") + std::string(record::KindName(request.kind)) +
      R"(","accepted":)" + std::to_string(summary.accepted) + R"(,"rejected":)" +
      std::to_string(summary.rejected) + R"(,"records":")" +
      (summary.accepted > 0 ? std::to_string(first_id) + "-" + std::to_string(next_id - 1) : "") +
      R"("})";
  KL_RETURN_IF_ERROR(
      audit_->Append(actor, "import", "import:" + std::to_string(summary.import_id), detail));
  KL_RETURN_IF_ERROR(txn->Commit());
  KL_ASSIGN_OR_RETURN(summary.rejects_path, rejects.Keep());
  summary.store_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  // The records are stored; now the matching index. A failure here loses
  // nothing: the next import or search picks up where this stopped.
  Result<IndexSummary> indexed = IndexPending(progress);
  if (indexed.ok()) {
    summary.indexed = indexed->indexed;
    summary.potential_matches = indexed->potential_matches;
    summary.index_seconds = indexed->seconds;
  } else {
    summary.index_status = indexed.status();
  }
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace kinlink::engine
