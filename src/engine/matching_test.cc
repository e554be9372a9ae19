// Matching inside a registry: potential matches at import, search, the
// review queue, erase, and what reaches the disk and the audit log.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "engine/registry.h"
#include "store/sqlite_store.h"

namespace kinlink::engine {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string base = fs::temp_directory_path().string() + "/kinlink-match-XXXXXX";
    path_ = ::mkdtemp(base.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class MatchingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto reg = Registry::Create(dir_ / "data", KeySource::KeyFile(dir_ / "key"), {}, "test");
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::move(*reg);
  }

  ImportSummary ImportFile(const std::string& path, record::Kind kind) {
    ImportRequest request;
    request.path = path;
    request.kind = kind;
    request.rejects_path = dir_ / "rejects.csv";
    auto s = reg_->Import(request, nullptr);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : ImportSummary{};
  }

  void ImportDemo() {
    const std::string demo = std::string(KL_SOURCE_DIR) + "/data/demo/";
    ImportFile(demo + "persons.csv", record::Kind::kPerson);
    ImportFile(demo + "requests.csv", record::Kind::kRequest);
  }

  std::vector<MatchView> AllMatches() {
    std::vector<MatchView> out;
    Status s = reg_->Matches(std::nullopt, [&](const MatchView& v) {
      out.push_back(v);
      return OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return out;
  }

  std::vector<store::AuditRow> AuditRows() {
    std::vector<store::AuditRow> rows;
    EXPECT_TRUE(reg_->ForEachAuditEntry([&](const store::AuditRow& r) {
                      rows.push_back(r);
                      return OkStatus();
                    }).ok());
    return rows;
  }

  TempDir dir_;
  std::unique_ptr<Registry> reg_;
};

TEST_F(MatchingTest, ImportStoresPotentialMatchesForTruePairs) {
  ImportDemo();
  std::vector<MatchView> matches = AllMatches();
  ASSERT_FALSE(matches.empty());
  std::set<std::pair<std::string, std::string>> pairs;
  for (const MatchView& m : matches) {
    EXPECT_GE(m.match.probability, kStoredMatchThreshold);
    EXPECT_EQ(m.match.status, store::MatchStatus::kPotential);
    EXPECT_EQ(m.match.explanation.find("Kovalenko"), std::string::npos);
    EXPECT_NE(m.match.explanation.find("\"field\""), std::string::npos);
    pairs.emplace(m.request_source_id, m.person_source_id);
  }
  // Cross-script true pairs of the demo files.
  EXPECT_TRUE(pairs.count({"R-002", "H-004"}));  // Oleksandr Kovalenko / Олександр Коваленко
  EXPECT_TRUE(pairs.count({"R-004", "H-003"}));  // فاطمة يوسف / Fatima Yusuf
  EXPECT_TRUE(pairs.count({"R-003", "H-006"}));  // Selam Tesfaye / ሰላም ተስፋዬ
  for (std::size_t i = 1; i < matches.size(); ++i) {
    EXPECT_GE(matches[i - 1].match.probability, matches[i].match.probability);
  }
  // The index entries of the audit log count them, without content: the
  // persons' batch found nothing (no requests yet), the requests' found them.
  std::vector<std::string> index_details;
  for (const store::AuditRow& r : AuditRows()) {
    if (r.action == "index") index_details.push_back(r.detail);
  }
  ASSERT_EQ(index_details.size(), 2u);
  EXPECT_NE(index_details[0].find("\"potential_matches\":0}"), std::string::npos)
      << index_details[0];
  EXPECT_EQ(index_details[1].find("\"potential_matches\":0}"), std::string::npos)
      << index_details[1];
  EXPECT_EQ(index_details[1].find("Kovalenko"), std::string::npos);
}

// Indexing commits after the import: when it is cut short, the records
// are kept and the next search (or import, or review queue) indexes them.
TEST_F(MatchingTest, InterruptedIndexingResumesAtTheNextSearch) {
  ImportSummary persons = ImportFile(std::string(KL_SOURCE_DIR) + "/data/demo/persons.csv",
                                     record::Kind::kPerson);
  ASSERT_GT(persons.accepted, 0);
  EXPECT_EQ(persons.indexed, persons.accepted);
  EXPECT_TRUE(persons.index_status.ok());
  ASSERT_EQ(*reg_->PendingIndexCount(), 0);
  std::vector<MatchView> none = AllMatches();
  EXPECT_TRUE(none.empty());

  // Roll the index back as a kill after the import's commit leaves it.
  reg_.reset();
  {
    auto db = store::OpenSqliteStore(dir_ / "data" + "/" + std::string(kRegistryFileName),
                                     store::OpenMode::kExisting);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    ASSERT_TRUE((*db)->SetMeta("index_next", std::to_string(persons.first_id)).ok());
  }
  auto reopened = Registry::Open(dir_ / "data", KeySource::KeyFile(dir_ / "key"), "test");
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  reg_ = std::move(*reopened);
  EXPECT_EQ(*reg_->PendingIndexCount(), persons.accepted);

  SearchQuery q;
  q.record.Set(record::Field::kFullName, "Fatima Yusuf");
  Result<std::vector<SearchHit>> hits = reg_->Search(q);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].source_id, "H-003");
  EXPECT_EQ(*reg_->PendingIndexCount(), 0);
  int index_entries = 0;
  for (const store::AuditRow& r : AuditRows()) index_entries += r.action == "index";
  EXPECT_EQ(index_entries, 2);  // the import's, then the search's catch-up
}

// Across scripts: "Mohamad Alhasan" meets "محمد الحسن" through the consonant
// skeletons of the names (mhmd, hsn) and of the place (Homs ~ حمص).
TEST_F(MatchingTest, ArabicPairIsAPotentialMatch) {
  ImportDemo();
  double p_h001 = -1;
  double p_h002 = -1;
  for (const MatchView& m : AllMatches()) {
    if (m.request_source_id == "R-001" && m.person_source_id == "H-001") p_h001 = m.match.probability;
    if (m.request_source_id == "R-001" && m.person_source_id == "H-002") p_h002 = m.match.probability;
  }
  EXPECT_GT(p_h001, 0.5);
  EXPECT_GT(p_h001, p_h002);
}

TEST_F(MatchingTest, SearchRanksTheTruePersonFirstAndAuditsNoQueryText) {
  ImportDemo();
  SearchQuery q;
  q.record.Set(record::Field::kFullName, "Mohamad Alhasan");
  q.record.Set(record::Field::kBirthDate, "1987");
  q.kind = record::Kind::kPerson;
  q.top = 5;
  Result<std::vector<SearchHit>> hits = reg_->Search(q);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].source_id, "H-001");
  EXPECT_EQ((*hits)[0].kind, record::Kind::kPerson);
  EXPECT_EQ((*hits)[0].name, "محمد الحسن");
  EXPECT_FALSE((*hits)[0].explanation.fields.empty());
  for (std::size_t i = 1; i < hits->size(); ++i) {
    EXPECT_GE((*hits)[i - 1].weight, (*hits)[i].weight);
    EXPECT_EQ((*hits)[i].kind, record::Kind::kPerson);
  }
  std::vector<store::AuditRow> audit = AuditRows();
  bool found = false;
  for (const store::AuditRow& r : audit) {
    if (r.action != "search") continue;
    found = true;
    EXPECT_EQ(r.detail, R"({"results":)" + std::to_string(hits->size()) + "}");
    for (const std::string* text : {&r.target, &r.detail}) {
      EXPECT_EQ(text->find("Mohamad"), std::string::npos);
      EXPECT_EQ(text->find("1987"), std::string::npos);
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(MatchingTest, SearchNeedsANameAndAValidTop) {
  ImportDemo();
  SearchQuery q;
  q.record.Set(record::Field::kBirthDate, "1987");
  EXPECT_EQ(reg_->Search(q).status().code(), StatusCode::kInvalidArgument);
  q.record.Set(record::Field::kFullName, "Mohamad Alhasan");
  q.top = 0;
  EXPECT_EQ(reg_->Search(q).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MatchingTest, SearchWithNoCandidatesIsEmpty) {
  SearchQuery q;
  q.record.Set(record::Field::kFullName, "Nobody Atall");
  Result<std::vector<SearchHit>> hits = reg_->Search(q);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_TRUE(hits->empty());
}

TEST_F(MatchingTest, EraseRemovesMatchesAndSearchHits) {
  ImportDemo();
  ASSERT_TRUE(reg_->Erase("H-001", record::Kind::kPerson).ok());
  for (const MatchView& m : AllMatches()) {
    EXPECT_NE(m.person_source_id, "H-001");
    EXPECT_NE(m.person_source_id, "");  // no match to an erased record remains
  }
  SearchQuery q;
  q.record.Set(record::Field::kFullName, "Mohamad Alhasan");
  q.kind = record::Kind::kPerson;
  Result<std::vector<SearchHit>> hits = reg_->Search(q);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  for (const SearchHit& h : *hits) EXPECT_NE(h.source_id, "H-001");
}

TEST_F(MatchingTest, NoCanaryPlaintextOnDisk) {
  const std::string canary = "Zqxwvanary";
  {
    std::ofstream out(dir_ / "canary.csv", std::ios::binary);
    out << "id,full_name,given_name,family_name,birth_date,birth_place,status\n"
        << "C-1," << canary << " Qurbelion," << canary << ",Qurbelion,1970-01-02,"
        << canary << "town,safe\n";
  }
  ImportFile(dir_ / "canary.csv", record::Kind::kPerson);
  SearchQuery q;
  q.record.Set(record::Field::kFullName, canary + " Qurbelion");
  Result<std::vector<SearchHit>> hits = reg_->Search(q);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].source_id, "C-1");
  reg_.reset();  // close: checkpoint
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "data")) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const std::string bytes = ReadAll(entry.path().string());
    EXPECT_EQ(bytes.find(canary), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("Qurbelion"), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find("qurbelion"), std::string::npos) << entry.path();
  }
  EXPECT_GE(files, 1);
}

}  // namespace
}  // namespace kinlink::engine
