// `kinlink search` and `kinlink matches`: matching inside the registry.
// The search terms are personal data: they are never printed back, logged
// or written to the registry (the engine audits only result ids and counts).
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "engine/registry.h"
#include "tools/kinlink/cli.h"
#include "tools/kinlink/commands.h"
#include "tools/kinlink/terminal.h"

namespace kinlink::cli {

namespace {

using json = nlohmann::ordered_json;

std::string Today() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

json ExplanationToJson(const score::Explanation& e) {
  return json::parse(engine::ExplanationJson(e));
}

// The waterfall, one line per field with evidence.
void PrintWaterfall(const score::Explanation& e) {
  std::printf("      prior %+.2f", e.prior_weight);
  for (const score::FieldContribution& c : e.fields) {
    if (c.missing) continue;
    std::printf("  %s:%s %+.2f", c.field.c_str(), c.level_label.c_str(), c.weight);
  }
  std::printf("  = %+.2f\n", e.total_weight);
}

}  // namespace

int CmdSearch(const Options& o) {
  engine::SearchQuery query;
  query.record = record::Record(record::Kind::kRequest);
  if (!o.kind.empty()) {
    Result<record::Kind> k = record::ParseKind(o.kind);
    if (!k.ok()) return Usage("--kind must be request or person");
    query.kind = *k;
  }
  record::Record& r = query.record;
  if (!o.name.empty()) r.Set(record::Field::kFullName, o.name);
  if (!o.given.empty()) r.Set(record::Field::kGivenName, o.given);
  if (!o.family.empty()) r.Set(record::Field::kFamilyName, o.family);
  if (!o.father.empty()) r.Set(record::Field::kFatherName, o.father);
  if (o.name.empty() && o.given.empty() && o.family.empty()) {
    return Usage("give a name to search for (--name, --given or --family)");
  }
  if (!o.born.empty()) {
    if (!record::PartialDate::Parse(o.born).ok()) {
      return Usage("--born must be YYYY, YYYY-MM or YYYY-MM-DD");
    }
    r.Set(record::Field::kBirthDate, o.born);
  }
  if (!o.age.empty()) {
    if (!record::AgeRange::Parse(o.age).ok()) return Usage("--age must be N or N-M");
    r.Set(record::Field::kAge, o.age);
    r.Set(record::Field::kAgeAsOf, Today());
  }
  if (!o.sex.empty()) r.Set(record::Field::kSex, o.sex);
  if (!o.place.empty()) {
    r.Set(record::Field::kBirthPlace, o.place);
    r.Set(record::Field::kLocality, o.place);
  }
  query.top = o.top > 0 ? o.top : 10;

  Result<std::unique_ptr<engine::Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  Result<std::vector<engine::SearchHit>> hits = (*reg)->Search(query);
  if (!hits.ok()) return Fail(o, hits.status());
  if (o.json) {
    json out = json::array();
    for (const engine::SearchHit& h : *hits) {
      out.push_back({{"registry_id", engine::FormatRegistryId(h.registry_id)},
                     {"kind", std::string(record::KindName(h.kind))},
                     {"id", h.source_id},
                     {"name", h.name},
                     {"probability", h.probability},
                     {"weight", h.weight},
                     {"explanation", ExplanationToJson(h.explanation)}});
    }
    std::cout << json{{"results", std::move(out)}}.dump() << "\n";
    return kExitOk;
  }
  if (hits->empty()) {
    std::printf("No candidates.\n");
    return kExitOk;
  }
  int rank = 0;
  for (const engine::SearchHit& h : *hits) {
    std::printf("%2d. %-8s %-8s %-10s p=%.3f  w=%+.2f  %s\n", ++rank,
                engine::FormatRegistryId(h.registry_id).c_str(),
                std::string(record::KindName(h.kind)).c_str(), h.source_id.c_str(), h.probability,
                h.weight, h.name.c_str());
    PrintWaterfall(h.explanation);
  }
  return kExitOk;
}

int CmdMatches(const Options& o) {
  std::optional<store::MatchStatus> status;
  if (!o.status.empty()) {
    status = engine::ParseMatchStatus(o.status);
    if (!status) return Usage("--status must be potential, confirmed or rejected");
  }
  Result<std::unique_ptr<engine::Registry>> reg = OpenRegistry(o);
  if (!reg.ok()) return Fail(o, reg.status());
  json out = json::array();
  std::int64_t n = 0;
  // A side held by a partner organisation (a partner match) has id 0.
  auto side_json = [](std::int64_t id, const std::string& source_id, const std::string& name,
                      const store::MatchRow& m) -> json {
    if (id == 0) return {{"partner", m.partner}};
    return {{"registry_id", engine::FormatRegistryId(id)}, {"id", source_id}, {"name", name}};
  };
  auto side_text = [](std::int64_t id, const std::string& source_id, const std::string& name,
                      const store::MatchRow& m) -> std::string {
    if (id == 0) return "held by partner " + m.partner + " (pair " + m.partner_ref + ")";
    return engine::FormatRegistryId(id) + " " + source_id + " " + name;
  };
  Status walked = (*reg)->Matches(status, [&](const engine::MatchView& v) {
    ++n;
    const store::MatchRow& m = v.match;
    if (o.json) {
      json j = {{"match_id", m.id},
                {"status", std::string(engine::MatchStatusName(m.status))},
                {"request", side_json(m.request_id, v.request_source_id, v.request_name, m)},
                {"person", side_json(m.person_id, v.person_source_id, v.person_name, m)},
                {"probability", m.probability},
                {"weight", m.weight},
                {"explanation", json::parse(m.explanation, nullptr, false)}};
      if (m.is_partner()) j["partner"] = {{"organisation", m.partner}, {"pair_ref", m.partner_ref}};
      out.push_back(std::move(j));
      return OkStatus();
    }
    std::printf("#%lld %-9s p=%.3f  %s  <->  %s\n", static_cast<long long>(m.id),
                std::string(engine::MatchStatusName(m.status)).c_str(), m.probability,
                side_text(m.request_id, v.request_source_id, v.request_name, m).c_str(),
                side_text(m.person_id, v.person_source_id, v.person_name, m).c_str());
    return OkStatus();
  });
  if (!walked.ok()) return Fail(o, walked);
  if (o.json) {
    std::cout << json{{"matches", std::move(out)}}.dump() << "\n";
  } else if (n == 0) {
    std::printf("No matches.\n");
  }
  return kExitOk;
}

}  // namespace kinlink::cli
