// Security acceptance through the real binary: no plaintext at rest, crypto-
// shredding, wrong passphrase, rekey, and a tamper-evident audit log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "tests/test_util.h"

namespace kinlink::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kHeader[] =
    "id,full_name,given_name,family_name,father_name,sex,birth_date,birth_place,phone,email,"
    "notes\n";

// Canary strings that occur nowhere else: each must never rest in plaintext.
const std::vector<std::string> kCanaries = {
    "Zqvexcanary",        "Wuxplorrow",         "كنارييزخم", "ظغطكناري",
    "Канарейкаюэ",        "Щъэюканар",          "ቐቘቡካናሪ",   "+999 8877 6655 4433",
    "canary.mail@example.invalid", "canary-note-7f3a9 about a separated family",
    "Qlmphbirthplace"};

std::string CanaryCsv() {
  return std::string(kHeader) +
         "C1,Zqvexcanary Wuxplorrow,Zqvexcanary,Wuxplorrow,Qlmphfather,m,1981-04-05,"
         "Qlmphbirthplace,+999 8877 6655 4433,canary.mail@example.invalid,"
         "canary-note-7f3a9 about a separated family\n"
         "C2,كنارييزخم ظغطكناري,كنارييزخم,ظغطكناري,,f,1990,,,,\n"
         "C3,Канарейкаюэ Щъэюканар,Канарейкаюэ,Щъэюканар,,m,1975-12,,,,\n"
         "C4,ቐቘቡካናሪ,ቐቘቡካናሪ,,,f,,,,,\n";
}

bool IsNonAsciiCanary(const std::string& s) {
  for (unsigned char c : s) {
    if (c >= 0x80) return true;
  }
  return false;
}

class CliSecurityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    data_ = dir_ / "registry";
    env_ = {{"KINLINK_DATA", data_}, {"KINLINK_KEY_FILE", dir_ / "kinlink.key"}};
    RunResult init = RunKinlink({"init"}, env_);
    ASSERT_EQ(init.exit_code, 0) << init.err;
    WriteFile(dir_ / "canaries.csv", CanaryCsv());
    RunResult imp = RunKinlink({"import", "--kind", "person", dir_ / "canaries.csv"}, env_);
    ASSERT_EQ(imp.exit_code, 0) << imp.err;
  }

  // Every canary, in UTF-8 and (for non-Latin scripts) UTF-16 LE and BE.
  void ExpectNoCanaryUnder(const std::string& dir) {
    for (const std::string& canary : kCanaries) {
      EXPECT_THAT(FilesContaining(dir, canary), IsEmpty()) << canary;
      if (IsNonAsciiCanary(canary)) {
        EXPECT_THAT(FilesContaining(dir, Utf16Le(canary)), IsEmpty()) << canary;
        EXPECT_THAT(FilesContaining(dir, Utf16Be(canary)), IsEmpty()) << canary;
      }
    }
  }

  TempDir dir_;
  std::string data_;
  std::map<std::string, std::string> env_;
};

TEST_F(CliSecurityTest, NoPlaintextAtRestAfterImportAndReads) {
  // Reads, exports and audit activity must not leave plaintext behind either.
  ASSERT_EQ(RunKinlink({"show", "C1"}, env_).exit_code, 0);
  ASSERT_EQ(RunKinlink({"list"}, env_).exit_code, 0);
  RunResult exp = RunKinlink({"export", "--out", dir_ / "export.csv"}, env_);
  ASSERT_EQ(exp.exit_code, 0) << exp.err;
  // The canaries are really there to find: the export holds them.
  EXPECT_THAT(ReadFile(dir_ / "export.csv"), HasSubstr("Zqvexcanary"));
  EXPECT_THAT(ReadFile(dir_ / "export.csv"), HasSubstr("كنارييزخم"));
  ExpectNoCanaryUnder(data_);
  // The data directory holds the database and SQLite's own files only.
  for (const auto& entry : fs::directory_iterator(data_)) {
    EXPECT_THAT(entry.path().filename().string(), ::testing::StartsWith("registry.db"));
  }
}

TEST_F(CliSecurityTest, EraseDestroysTheKeyEverywhere) {
  const std::string db = data_ + "/registry.db";
  std::string before;
  ASSERT_EQ(Sqlite3Shell(db, "SELECT hex(wrapped_key) FROM records WHERE id=1;", &before), 0);
  ASSERT_GE(before.size(), 64u) << before;
  const std::string wrapped_hex = before.substr(0, before.find('\n'));
  std::string wrapped;
  for (std::size_t i = 0; i + 1 < wrapped_hex.size(); i += 2) {
    wrapped.push_back(static_cast<char>(std::stoi(wrapped_hex.substr(i, 2), nullptr, 16)));
  }
  ASSERT_THAT(FilesContaining(data_, wrapped), ::testing::Not(IsEmpty()));

  RunResult erase = RunKinlink({"erase", "C1"}, env_);
  ASSERT_EQ(erase.exit_code, 0) << erase.err;
  // Not in the database, its write-ahead log or its shared memory file.
  EXPECT_THAT(FilesContaining(data_, wrapped), IsEmpty());
  std::string row;
  ASSERT_EQ(Sqlite3Shell(db, "SELECT wrapped_key IS NULL, length(sealed) FROM records WHERE id=1;",
                         &row),
            0);
  EXPECT_EQ(row, "1|0\n");
  RunResult show = RunKinlink({"show", "KL-1"}, env_);
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_THAT(show.err, HasSubstr("erased"));
  // The other records are untouched.
  EXPECT_EQ(RunKinlink({"show", "C2"}, env_).exit_code, 0);
  ExpectNoCanaryUnder(data_);
}

TEST_F(CliSecurityTest, CiphertextMovedToAnotherRowDoesNotOpen) {
  const std::string db = data_ + "/registry.db";
  ASSERT_EQ(Sqlite3Shell(db,
                         "UPDATE records SET sealed=(SELECT sealed FROM records WHERE id=2), "
                         "wrapped_key=(SELECT wrapped_key FROM records WHERE id=2) WHERE id=1;"),
            0);
  RunResult show = RunKinlink({"show", "KL-1"}, env_);
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_THAT(show.err, HasSubstr("does not open"));
  EXPECT_EQ(RunKinlink({"show", "KL-2"}, env_).exit_code, 0);
}

// The audit log is tampered with the sqlite3 shell, as an intruder would.
class AuditTamperTest : public CliSecurityTest {
 protected:
  void SetUp() override {
    CliSecurityTest::SetUp();
    for (const char* id : {"C1", "C2", "C3"}) {
      ASSERT_EQ(RunKinlink({"show", id}, env_).exit_code, 0);
    }
    ASSERT_EQ(RunKinlink({"list"}, env_).exit_code, 0);
    db_ = data_ + "/registry.db";
  }
  RunResult Verify() { return RunKinlink({"audit", "verify"}, env_); }
  std::string db_;
};

TEST_F(AuditTamperTest, UntouchedLogVerifies) {
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("verified"));
  EXPECT_EQ(Verify().exit_code, 0);  // the verification's own entry chains too
}

TEST_F(AuditTamperTest, EditedEntryIsNamed) {
  ASSERT_EQ(Sqlite3Shell(db_, "UPDATE audit SET target='KL-9' WHERE seq=3;"), 0);
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("entry 3"));
}

TEST_F(AuditTamperTest, DeletedEntryIsNamed) {
  ASSERT_EQ(Sqlite3Shell(db_, "DELETE FROM audit WHERE seq=4;"), 0);
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("entry 4"));
}

TEST_F(AuditTamperTest, ReorderedEntriesAreNamed) {
  ASSERT_EQ(Sqlite3Shell(db_,
                         "UPDATE audit SET seq=-1 WHERE seq=2; UPDATE audit SET seq=2 WHERE seq=5; "
                         "UPDATE audit SET seq=5 WHERE seq=-1;"),
            0);
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("entry 2"));
}

TEST_F(AuditTamperTest, TruncatedLogIsDetected) {
  std::string last;
  ASSERT_EQ(Sqlite3Shell(db_, "SELECT max(seq) FROM audit;", &last), 0);
  const int n = std::stoi(last);
  ASSERT_GT(n, 4);
  ASSERT_EQ(Sqlite3Shell(db_, "DELETE FROM audit WHERE seq >= " + std::to_string(n - 1) + ";"), 0);
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("entry " + std::to_string(n - 1)));
}

TEST_F(AuditTamperTest, ForgedMacIsNamed) {
  ASSERT_EQ(Sqlite3Shell(db_, "UPDATE audit SET mac=randomblob(32) WHERE seq=6;"), 0);
  RunResult r = Verify();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("entry 6"));
}

// Passphrase registries (Argon2id at its default cost: a few seconds each).
class PassphraseTest : public ::testing::Test {
 protected:
  std::map<std::string, std::string> Env(const std::string& passphrase) {
    return {{"KINLINK_DATA", dir_ / "registry"}, {"KINLINK_PASSPHRASE", passphrase}};
  }
  TempDir dir_;
};

TEST_F(PassphraseTest, WrongPassphraseChangesNothingAndRekeySwitches) {
  ASSERT_EQ(RunKinlink({"init"}, Env("first passphrase")).exit_code, 0);
  WriteFile(dir_ / "p.csv", "id,full_name\nA1,Olena Shevchenko\n");
  ASSERT_EQ(RunKinlink({"import", "--kind", "person", dir_ / "p.csv"}, Env("first passphrase"))
                .exit_code,
            0);
  const std::string db = dir_ / "registry/registry.db";
  const std::string before = ReadFile(db);

  RunResult wrong = RunKinlink({"list"}, Env("not the passphrase"));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("wrong passphrase"));
  EXPECT_THAT(wrong.out, ::testing::Not(HasSubstr("Olena")));
  EXPECT_EQ(ReadFile(db), before) << "a failed open changed the registry";

  // The new passphrase from a file; the old one must stop working.
  WriteFile(dir_ / "new.pass", "second passphrase\n");
  RunResult rekey = RunKinlink({"rekey", "--new-passphrase-file", dir_ / "new.pass"},
                               Env("first passphrase"));
  ASSERT_EQ(rekey.exit_code, 0) << rekey.err;
  RunResult old_pass = RunKinlink({"show", "A1"}, Env("first passphrase"));
  EXPECT_EQ(old_pass.exit_code, 1);
  EXPECT_THAT(old_pass.err, HasSubstr("wrong passphrase"));
  RunResult new_pass = RunKinlink({"show", "A1"}, Env("second passphrase"));
  EXPECT_EQ(new_pass.exit_code, 0) << new_pass.err;
  EXPECT_THAT(new_pass.out, HasSubstr("Olena Shevchenko"));
  // The passphrase file works as well as the environment.
  RunResult from_file = RunKinlink({"show", "A1", "--passphrase-file", dir_ / "new.pass"},
                                   {{"KINLINK_DATA", dir_ / "registry"}});
  EXPECT_EQ(from_file.exit_code, 0) << from_file.err;
  // Without any passphrase and no terminal: a clear error, not a hang.
  RunResult none = RunKinlink({"show", "A1"}, {{"KINLINK_DATA", dir_ / "registry"}});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_THAT(none.err, HasSubstr("KINLINK_PASSPHRASE"));
}

TEST(KeyFileTest, KeyFileInsideDataDirIsRefusedAndWrongKeyFails) {
  TempDir dir;
  RunResult inside = RunKinlink(
      {"init"}, {{"KINLINK_DATA", dir / "reg"}, {"KINLINK_KEY_FILE", dir / "reg/key"}});
  EXPECT_EQ(inside.exit_code, 1);
  EXPECT_THAT(inside.err, HasSubstr("outside the data directory"));
  ASSERT_EQ(RunKinlink({"init"}, {{"KINLINK_DATA", dir / "reg"}, {"KINLINK_KEY_FILE", dir / "k1"}})
                .exit_code,
            0);
  // Another valid key file does not open it.
  ASSERT_EQ(RunKinlink({"init"}, {{"KINLINK_DATA", dir / "reg2"}, {"KINLINK_KEY_FILE", dir / "k2"}})
                .exit_code,
            0);
  RunResult wrong =
      RunKinlink({"list"}, {{"KINLINK_DATA", dir / "reg"}, {"KINLINK_KEY_FILE", dir / "k2"}});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("wrong key file"));
  // Init twice is refused.
  RunResult again =
      RunKinlink({"init"}, {{"KINLINK_DATA", dir / "reg"}, {"KINLINK_KEY_FILE", dir / "k1"}});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
}

}  // namespace
}  // namespace kinlink::testing
