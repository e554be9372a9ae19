#include "engine/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kinlink::engine {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class TempDir {
 public:
  TempDir() {
    std::string base = fs::temp_directory_path().string() + "/kinlink-engine-XXXXXX";
    path_ = ::mkdtemp(base.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

CreateOptions FastKdf() {
  CreateOptions options;
  options.kdf = crypto::KdfParams{1, 8 * 1024 * 1024};  // tests only: fast Argon2id
  return options;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto reg = Registry::Create(dir_ / "data", KeySource::KeyFile(dir_ / "key"), {}, "test");
    ASSERT_TRUE(reg.ok()) << reg.status().ToString();
    reg_ = std::move(*reg);
  }
  ImportSummary Import(const std::string& csv, record::Kind kind = record::Kind::kPerson) {
    Write(dir_ / "in.csv", csv);
    ImportRequest request;
    request.path = dir_ / "in.csv";
    request.kind = kind;
    auto s = reg_->Import(request, nullptr);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : ImportSummary{};
  }
  TempDir dir_;
  std::unique_ptr<Registry> reg_;
};

TEST_F(RegistryTest, ImportAssignsConsecutiveIdsAndShowDecrypts) {
  ImportSummary s = Import("id,full_name,sex\nA,محمد الحسن,m\nB,Ahmad Alhasan,m\n");
  EXPECT_EQ(s.accepted, 2);
  EXPECT_EQ(s.first_id, 1);
  EXPECT_EQ(s.last_id, 2);
  auto view = reg_->Show("B", std::nullopt);
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  EXPECT_EQ(view->registry_id, 2);
  EXPECT_EQ(view->record.Get(record::Field::kFullName), "Ahmad Alhasan");
  EXPECT_EQ(reg_->Show("KL-1", std::nullopt)->record.Get(record::Field::kFullName), "محمد الحسن");
  // Ids keep counting across imports.
  EXPECT_EQ(Import("id,full_name\nC,Olena\n").first_id, 3);
}

TEST_F(RegistryTest, SameSourceIdInBothKindsNeedsAKind) {
  Import("id,full_name\nX,Person One\n", record::Kind::kPerson);
  Import("id,full_name\nX,Request One\n", record::Kind::kRequest);
  auto ambiguous = reg_->Show("X", std::nullopt);
  EXPECT_EQ(ambiguous.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(reg_->Show("X", record::Kind::kRequest)->record.Get(record::Field::kFullName),
            "Request One");
}

TEST_F(RegistryTest, DefaultStatusFillsEmptyStatus) {
  Write(dir_ / "h.csv", "id,full_name,status\nA,One,\nB,Two,detained\n");
  ImportRequest request;
  request.path = dir_ / "h.csv";
  request.default_status = record::PersonStatus::kInHospital;
  ASSERT_TRUE(reg_->Import(request, nullptr).ok());
  ListFilter hospital;
  hospital.status = record::PersonStatus::kInHospital;
  EXPECT_EQ(reg_->RecordCount(hospital), 1);
  EXPECT_EQ(reg_->Show("A", std::nullopt)->record.Get(record::Field::kStatus), "in_hospital");
}

TEST_F(RegistryTest, EraseMakesRecordUnreadableAndIsNotReversible) {
  Import("id,full_name\nA,One\nB,Two\n");
  ASSERT_TRUE(reg_->Erase("A", std::nullopt).ok());
  auto gone = reg_->Show("KL-1", std::nullopt);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  // The source id is shredded with the record: it no longer resolves.
  EXPECT_EQ(reg_->Show("A", std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reg_->Erase("KL-1", std::nullopt).code(), StatusCode::kNotFound);
  EXPECT_TRUE(reg_->Show("B", std::nullopt).ok());
  std::ostringstream out;
  EXPECT_EQ(*reg_->Export({}, out), 1);
}

TEST_F(RegistryTest, RekeyToPassphraseAndBack) {
  Import("id,full_name\nA,One\n");
  ASSERT_TRUE(reg_->Rekey(KeySource::Passphrase("correct horse"), FastKdf()).ok());
  reg_.reset();
  EXPECT_EQ(Registry::Open(dir_ / "data", KeySource::KeyFile(dir_ / "key"), "t").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Registry::Open(dir_ / "data", KeySource::Passphrase("wrong"), "t").status().code(),
            StatusCode::kUnauthenticated);
  auto reopened = Registry::Open(dir_ / "data", KeySource::Passphrase("correct horse"), "t");
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->Show("A", std::nullopt)->record.Get(record::Field::kFullName), "One");
  auto verify = (*reopened)->VerifyAudit();
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->ok) << verify->problem;
}

TEST_F(RegistryTest, ReadsAreAuditedBeforeDecryption) {
  Import("id,full_name\nA,One\nB,Two\nC,Three\n");
  ASSERT_TRUE(reg_->Show("B", std::nullopt).ok());
  ASSERT_TRUE(reg_->List({}, [](const RecordView&) { return OkStatus(); }).ok());
  std::vector<std::string> actions, targets;
  ASSERT_TRUE(reg_->ForEachAuditEntry([&](const store::AuditRow& row) {
                    actions.push_back(row.action);
                    targets.push_back(row.target);
                    return OkStatus();
                  }).ok());
  // The import's records are then decrypted in memory for the matching
  // index, which is audited too.
  EXPECT_THAT(actions, ::testing::ElementsAre("registry.create", "import", "index",
                                              "record.read", "record.list", "audit.read"));
  EXPECT_EQ(targets[2], "1-3");
  EXPECT_EQ(targets[3], "KL-2");
  EXPECT_EQ(targets[4], "1-3");
}

TEST_F(RegistryTest, FileLevelErrorStoresNothing) {
  Write(dir_ / "e.csv", "");
  ImportRequest request;
  request.path = dir_ / "e.csv";
  auto s = reg_->Import(request, nullptr);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reg_->RecordCount({}), 0);
}

TEST(RegistryIdTest, FormatAndParse) {
  EXPECT_EQ(FormatRegistryId(17), "KL-17");
  EXPECT_EQ(ParseRegistryId("KL-17"), 17);
  EXPECT_EQ(ParseRegistryId("kl-5"), 5);
  EXPECT_EQ(ParseRegistryId("KL-"), std::nullopt);
  EXPECT_EQ(ParseRegistryId("KL-0"), std::nullopt);
  EXPECT_EQ(ParseRegistryId("KL-12x"), std::nullopt);
  EXPECT_EQ(ParseRegistryId("17"), std::nullopt);
}

TEST(RegistryIdTest, CompressIdRanges) {
  EXPECT_EQ(CompressIdRanges({}), "");
  EXPECT_EQ(CompressIdRanges({4}), "4");
  EXPECT_EQ(CompressIdRanges({1, 2, 3, 4, 5, 9, 12, 13}), "1-5,9,12-13");
}

}  // namespace
}  // namespace kinlink::engine
