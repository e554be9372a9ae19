#include "tools/kinlink/commands.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/Version.hpp>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <toml++/toml.h>
#include <unicode/uvernum.h>

#include "engine/registry.h"
#include "formats/csv.h"
#include "server/server.h"
#include "synth/synth.h"
#include "tools/kinlink/cli.h"
#include "tools/kinlink/terminal.h"

namespace kinlink::cli {

namespace {

using json = nlohmann::json;
using engine::Registry;

std::string Actor() {
  const passwd* pw = ::getpwuid(::geteuid());
  return "cli:" + (pw != nullptr ? std::string(pw->pw_name) : std::to_string(::geteuid()));
}

Result<engine::KeySource> ResolveKey(const std::string& key_file, const std::string& pass_file,
                                     const char* env_name, bool creating) {
  if (!key_file.empty()) return engine::KeySource::KeyFile(key_file);
  if (!pass_file.empty()) {
    KL_ASSIGN_OR_RETURN(crypto::SecretBytes secret, ReadPassphraseFile(pass_file));
    return engine::KeySource::Passphrase(secret.view());
  }
  if (const char* env = std::getenv(env_name); env != nullptr && *env != '\0') {
    return engine::KeySource::Passphrase(env);
  }
  KL_ASSIGN_OR_RETURN(crypto::SecretBytes secret,
                      PromptPassphrase(creating ? "New passphrase: " : "Passphrase: ", creating));
  return engine::KeySource::Passphrase(secret.view());
}

std::optional<record::Kind> KindOf(const Options& o) {
  if (o.kind.empty()) return std::nullopt;
  Result<record::Kind> k = record::ParseKind(o.kind);
  return k.ok() ? std::optional<record::Kind>(*k) : std::nullopt;
}

std::string DateOf(std::int64_t unix_seconds) {
  std::time_t t = unix_seconds;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string DisplayName(const record::Record& r) {
  if (r.Has(record::Field::kFullName)) return r.Get(record::Field::kFullName);
  std::string name = r.Get(record::Field::kGivenName);
  if (r.Has(record::Field::kFamilyName)) {
    if (!name.empty()) name += ' ';
    name += r.Get(record::Field::kFamilyName);
  }
  return name;
}

json RecordJson(const engine::RecordView& v) {
  json fields = json::object();
  for (const record::FieldInfo& info : record::FieldCatalogue()) {
    if (v.record.Has(info.field)) fields[std::string(info.name)] = v.record.Get(info.field);
  }
  return {{"registry_id", engine::FormatRegistryId(v.registry_id)},
          {"kind", std::string(record::KindName(v.record.kind()))},
          {"registered", DateOf(v.created_at)},
          {"version", v.version},
          {"fields", fields}};
}


}  // namespace

Result<std::unique_ptr<std::ofstream>> CreatePrivateFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return PermissionDeniedError("cannot create " + path);
  ::fchmod(fd, 0600);
  ::close(fd);
  auto out = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*out) return PermissionDeniedError("cannot write " + path);
  return out;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "kinlink: %s\nRun with --help for more information.\n", message.c_str());
  return kExitUsage;
}

Result<engine::KeySource> OpenKey(const Options& o) {
  return ResolveKey(o.key_file, o.passphrase_file, "KINLINK_PASSPHRASE", false);
}

std::string CliActor() { return Actor(); }

Result<std::unique_ptr<Registry>> OpenRegistry(const Options& o) {
  KL_ASSIGN_OR_RETURN(engine::KeySource key, OpenKey(o));
  Result<std::unique_ptr<Registry>> reg = Registry::Open(o.data, key, Actor());
  if (!reg.ok() && reg.status().code() == StatusCode::kUnauthenticated) {
    return reg.status().WithContext("cannot open the registry in " + o.data);
  }
  return reg;
}

// Prints an error on stderr (and as JSON on stdout with --json); returns
// the exit code for it.
int Fail(const Options& o, const Status& status) {
  std::fprintf(stderr, "kinlink: %s\n", status.message().c_str());
  if (o.json) {
    json j = {{"error", {{"code", std::string(StatusCodeName(status.code()))},
                         {"message", status.message()}}}};
    std::cout << j.dump() << "\n";
  }
  return ExitCodeFor(status);
}

int CmdInit(const Options& o) {
  Result<engine::KeySource> key =
      ResolveKey(o.key_file, o.passphrase_file, "KINLINK_PASSPHRASE", true);
  if (!key.ok()) return Fail(o, key.status());
  engine::CreateOptions options;
  if (o.kdf == "sensitive") options.kdf = crypto::KdfParams::Sensitive();
  Result<std::unique_ptr<Registry>> reg = Registry::Create(o.data, *key, options, Actor());
  if (!reg.ok()) return Fail(o, reg.status());
  const std::string method = key->is_key_file() ? "key file" : "passphrase (Argon2id " + o.kdf + ")";
  if (o.json) {
    std::cout << json{{"data", o.data}, {"key", method}}.dump() << "\n";
  } else {
    std::printf("Created a registry in %s; its master key is wrapped by the %s.\n", o.data.c_str(),
                method.c_str());
  }
  return kExitOk;
}

int CmdImport(const Options& o) {
  engine::ImportRequest request;
  request.path = o.file;
  request.kind = *KindOf(o);
  request.rejects_path = o.rejects;
  request.office = o.office;
  request.retention_s = o.retention_days * 86400;
  if (!o.default_status.empty()) {
    Result<record::PersonStatus> s = record::ParseStatus(o.default_status);
    if (!s.ok()) return Usage("--status: " + s.status().message());
    if (request.kind != record::Kind::kPerson) return Usage("--status is for --kind person");
    request.default_status = *s;
  }
  std::optional<formats::Mapping> mapping;
  if (!o.map.empty()) {
    Result<formats::Mapping> m = formats::Mapping::LoadFile(o.map);
    if (!m.ok()) return Fail(o, m.status());
    mapping = std::move(*m);
    request.mapping = &*mapping;
  }
  Result<std::unique_ptr<Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  ProgressBar bar("import");
  std::optional<ProgressBar> index_bar;
  Result<engine::ImportSummary> s = (*reg)->Import(request, [&](const engine::ImportProgress& p) {
    if (!p.indexing) return bar.Update(p.bytes_done, p.bytes_total, p.rows);
    if (!index_bar) {
      bar.Finish();
      index_bar.emplace("index");
    }
    index_bar->Update(p.bytes_done, p.bytes_total, p.rows);
  });
  bar.Finish();
  if (index_bar) index_bar->Finish();
  if (!s.ok()) return Fail(o, s.status().WithContext(o.file + ": nothing was imported"));
  const double rate = s->seconds > 0 ? static_cast<double>(s->accepted) / s->seconds : 0;
  if (o.json) {
    json issues = json::array();
    for (const formats::RowIssue& i : s->issues) {
      issues.push_back({{"line", i.line}, {"column", i.column}, {"column_name", i.column_name},
                        {"reason", i.reason}});
    }
    json j = {{"import_id", s->import_id},   {"kind", o.kind},
              {"accepted", s->accepted},     {"rejected", s->rejected},
              {"warnings", s->warnings},     {"issues", issues},
              {"rejects_file", s->rejects_path}, {"seconds", s->seconds},
              {"records_per_second", rate},  {"store_seconds", s->store_seconds},
              {"index_seconds", s->index_seconds}, {"indexed", s->indexed},
              {"potential_matches", s->potential_matches}};
    if (!s->index_status.ok()) j["index_error"] = s->index_status.ToString();
    if (s->accepted > 0) {
      j["first_id"] = engine::FormatRegistryId(s->first_id);
      j["last_id"] = engine::FormatRegistryId(s->last_id);
    }
    std::cout << j.dump() << "\n";
  } else {
    for (const std::string& w : s->warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    for (const formats::RowIssue& i : s->issues) {
      std::fprintf(stderr, "rejected: %s\n", i.ToString().c_str());
    }
    std::printf("Imported %lld %s record(s)", static_cast<long long>(s->accepted), o.kind.c_str());
    if (s->accepted > 0) {
      std::printf(" as %s to %s", engine::FormatRegistryId(s->first_id).c_str(),
                  engine::FormatRegistryId(s->last_id).c_str());
    }
    std::printf(" in %.2f s (%.0f records/s); rejected %lld row(s).\n", s->seconds, rate,
                static_cast<long long>(s->rejected));
    std::printf("Stored in %.2f s; indexed %lld record(s) for matching in %.2f s; %lld potential "
                "match(es).\n",
                s->store_seconds, static_cast<long long>(s->indexed), s->index_seconds,
                static_cast<long long>(s->potential_matches));
    if (!s->rejects_path.empty()) {
      std::printf("Rejected rows are listed in %s.\n", s->rejects_path.c_str());
    }
  }
  if (!s->index_status.ok()) {
    // The records are stored; only the matching index is behind (with
    // --json the summary above carries index_error).
    const Status st = s->index_status.WithContext(
        "the records were stored, but indexing them for matching failed (the next import or "
        "search retries)");
    return o.json ? ExitCodeFor(st) : Fail(o, st);
  }
  return s->rejected > 0 ? kExitRejects : kExitOk;
}

int CmdShow(const Options& o) {
  Result<std::unique_ptr<Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  Result<engine::RecordView> v = (*reg)->Show(o.id, KindOf(o));
  if (!v.ok()) return Fail(o, v.status());
  if (o.json) {
    std::cout << RecordJson(*v).dump() << "\n";
    return kExitOk;
  }
  std::printf("%s  %s  registered %s\n", engine::FormatRegistryId(v->registry_id).c_str(),
              std::string(record::KindName(v->record.kind())).c_str(),
              DateOf(v->created_at).c_str());
  for (const record::FieldInfo& info : record::FieldCatalogue()) {
    if (!v->record.Has(info.field)) continue;
    std::printf("  %-18s %s\n", std::string(info.name).c_str(),
                v->record.Get(info.field).c_str());
  }
  return kExitOk;
}

int CmdList(const Options& o) {
  engine::ListFilter filter;
  filter.kind = KindOf(o);
  filter.limit = o.limit;
  if (!o.status.empty()) {
    Result<record::PersonStatus> s = record::ParseStatus(o.status);
    if (!s.ok()) return Usage("--status: " + s.status().message());
    filter.status = *s;
  }
  for (auto [text, bound, end] : {std::tuple{&o.since, &filter.registered_from, false},
                                  std::tuple{&o.until, &filter.registered_to, true}}) {
    if (text->empty()) continue;
    Result<record::PartialDate> d = record::PartialDate::Parse(*text);
    if (!d.ok()) return Usage("--since/--until: " + d.status().message());
    *bound = end ? d->LatestDay() * 86400 + 86399 : d->EarliestDay() * 86400;
  }
  Result<std::unique_ptr<Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  json rows = json::array();
  if (!o.json) {
    std::printf("%-10s %-8s %-12s %-11s %-14s %s\n", "ID", "KIND", "STATUS", "REGISTERED",
                "SOURCE_ID", "NAME");
  }
  std::int64_t n = 0;
  Status listed = (*reg)->List(filter, [&](const engine::RecordView& v) -> Status {
    ++n;
    if (o.json) {
      rows.push_back(RecordJson(v));
      return OkStatus();
    }
    const record::Record& r = v.record;
    std::printf("%-10s %-8s %-12s %-11s %-14s %s\n",
                engine::FormatRegistryId(v.registry_id).c_str(),
                std::string(record::KindName(r.kind())).c_str(),
                r.kind() == record::Kind::kPerson
                    ? (r.Has(record::Field::kStatus) ? r.Get(record::Field::kStatus).c_str()
                                                     : "unknown")
                    : "-",
                DateOf(v.created_at).c_str(), r.Get(record::Field::kId).c_str(),
                DisplayName(r).c_str());
    return OkStatus();
  });
  if (!listed.ok()) return Fail(o, listed);
  if (o.json) {
    std::cout << json{{"records", rows}, {"count", n}}.dump() << "\n";
  } else {
    std::printf("%lld record(s).\n", static_cast<long long>(n));
  }
  return kExitOk;
}

int CmdExport(const Options& o) {
  Result<std::unique_ptr<Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  engine::ExportOptions options;
  options.kind = KindOf(o);
  options.registry_ids = o.registry_ids;
  std::unique_ptr<std::ofstream> file;
  std::ostream* out = &std::cout;
  if (o.out != "-") {
    Result<std::unique_ptr<std::ofstream>> f = CreatePrivateFile(o.out);
    if (!f.ok()) return Fail(o, f.status());
    file = std::move(*f);
    out = file.get();
  }
  Result<std::int64_t> n = (*reg)->Export(options, *out);
  if (!n.ok()) return Fail(o, n.status());
  if (o.json && o.out != "-") {
    std::cout << json{{"exported", *n}, {"out", o.out}}.dump() << "\n";
  } else {
    std::fprintf(stderr, "Exported %lld record(s)%s%s.\n", static_cast<long long>(*n),
                 o.out == "-" ? "" : " to ", o.out == "-" ? "" : o.out.c_str());
  }
  return kExitOk;
}

int CmdErase(const Options& o) {
  if (!o.yes && StderrIsTerminal() &&
      !Confirm("Erase record " + o.id + " for good? It cannot be recovered.")) {
    std::fprintf(stderr, "Nothing erased.\n");
    return kExitError;
  }
  Result<std::unique_ptr<Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  Status erased = (*reg)->Erase(o.id, KindOf(o));
  if (!erased.ok()) return Fail(o, erased);
  if (o.json) {
    std::cout << json{{"erased", o.id}}.dump() << "\n";
  } else {
    std::printf("Erased %s: its key and ciphertext are destroyed.\n", o.id.c_str());
  }
  return kExitOk;
}

int CmdRekey(const Options& o) {
  Result<std::unique_ptr<Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  Result<engine::KeySource> new_key =
      ResolveKey(o.new_key_file, o.new_passphrase_file, "KINLINK_NEW_PASSPHRASE", true);
  if (!new_key.ok()) return Fail(o, new_key.status());
  engine::CreateOptions options;
  if (o.kdf == "sensitive") options.kdf = crypto::KdfParams::Sensitive();
  Status done = (*reg)->Rekey(*new_key, options);
  if (!done.ok()) return Fail(o, done);
  if (o.json) {
    std::cout << json{{"rekeyed", true}}.dump() << "\n";
  } else {
    std::printf("The registry's master key is now wrapped by the new %s; the old one no longer "
                "opens it.\n",
                new_key->is_key_file() ? "key file" : "passphrase");
  }
  return kExitOk;
}

int CmdAuditVerify(const Options& o) {
  Result<std::unique_ptr<Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  Result<store::AuditVerifyReport> r = (*reg)->VerifyAudit();
  if (!r.ok()) return Fail(o, r.status());
  if (o.json) {
    std::cout << json{{"ok", r->ok},
                      {"entries", r->entries},
                      {"first_bad_entry", r->first_bad_seq},
                      {"problem", r->problem}}
                     .dump()
              << "\n";
  } else if (r->ok) {
    std::printf("Audit log verified: %lld entries, chain and head intact.\n",
                static_cast<long long>(r->entries));
  } else {
    std::fprintf(stderr, "Audit log FAILED verification at entry %lld: %s\n",
                 static_cast<long long>(r->first_bad_seq), r->problem.c_str());
  }
  return r->ok ? kExitOk : kExitError;
}

int CmdAuditLog(const Options& o) {
  Result<std::unique_ptr<Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  Status s = (*reg)->ForEachAuditEntry([&](const store::AuditRow& row) -> Status {
    if (o.json) {
      std::cout << json{{"seq", row.seq},       {"time", row.time},
                        {"actor", row.actor},   {"action", row.action},
                        {"target", row.target}, {"detail", row.detail}}
                       .dump()
                << "\n";
    } else {
      std::time_t t = row.time;
      std::tm tm{};
      ::gmtime_r(&t, &tm);
      char when[32];
      std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
      std::printf("%6lld %s %-14s %-16s %-20s %s\n", static_cast<long long>(row.seq), when,
                  row.actor.c_str(), row.action.c_str(), row.target.c_str(), row.detail.c_str());
    }
    return OkStatus();
  });
  if (!s.ok()) return Fail(o, s);
  return kExitOk;
}

int CmdVersion(const Options& o) {
  const std::string version = KINLINK_VERSION;
  const std::string toml = std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) +
                           "." + std::to_string(TOML_LIB_PATCH);
  const std::string nl = std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                         std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                         std::to_string(NLOHMANN_JSON_VERSION_PATCH);
  json deps = {{"libsodium", sodium_version_string()},
               {"sqlite", sqlite3_libversion()},
               {"tomlplusplus", toml},
               {"cli11", CLI11_VERSION},
               {"nlohmann-json", nl},
               {"icu", U_ICU_VERSION},
               {"libpq", std::to_string(PQlibVersion() / 10000) + "." +
                             std::to_string(PQlibVersion() % 10000)},
               {"cpp-httplib", server::HttpLibraryVersion()},
               {"openssl", server::TlsLibraryVersion()},
               {"compiler", __VERSION__}};
  if (o.json) {
    json j = {{"kinlink", version}};
    if (o.deps) j["dependencies"] = deps;
    std::cout << j.dump() << "\n";
    return kExitOk;
  }
  std::printf("kinlink %s\n", version.c_str());
  if (o.deps) {
    std::printf("Libraries (Debian packages):\n");
    for (auto& [name, v] : deps.items()) {
      std::printf("  %-14s %s\n", name.c_str(), v.get<std::string>().c_str());
    }
  }
  return kExitOk;
}

int CmdGenerate(const Options& o) {
  synth::Options options;
  options.seed = o.seed;
  options.kind = KindOf(o).value_or(record::Kind::kPerson);
  synth::Generator gen(options);
  std::unique_ptr<std::ofstream> file;
  std::ostream* out = &std::cout;
  if (o.out != "-") {
    file = std::make_unique<std::ofstream>(o.out, std::ios::binary | std::ios::trunc);
    if (!*file) return Fail(o, PermissionDeniedError("cannot write " + o.out));
    out = file.get();
  }
  formats::RecordCsvWriter writer(*out, options.kind);
  ProgressBar bar("generate");
  for (std::int64_t i = 0; i < o.count; ++i) {
    writer.Write(gen.Next());
    if ((i & 4095) == 0) {
      const auto done = static_cast<std::uint64_t>(i);
      bar.Update(done, static_cast<std::uint64_t>(o.count), done);
    }
  }
  bar.Finish();
  out->flush();
  if (!*out) return Fail(o, InternalError("writing " + o.out + " failed"));
  return kExitOk;
}

}  // namespace kinlink::cli
