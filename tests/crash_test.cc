// Crash safety: SIGKILL `kinlink import` in the middle of a 200,000-row
// import; the registry must open, pass an integrity check, and hold either
// none or all of that import's rows. And SIGKILL during the matching index
// that follows the import's commit: every row stays, and the next command
// that needs the index completes it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/test_util.h"

extern char** environ;

namespace kinlink::testing {
namespace {

constexpr int kRows = 200000;

long FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<long>(st.st_size) : 0;
}

// Starts `kinlink import --kind person CSV` as a child with the test's
// environment plus `env`.
pid_t StartImport(const std::map<std::string, std::string>& env, const std::string& csv) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string bin = KINLINK_BINARY, a1 = "import", a2 = "--kind", a3 = "person", a4 = csv;
  char* argv[] = {bin.data(), a1.data(), a2.data(), a3.data(), a4.data(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, bin.c_str(), nullptr, nullptr, argv, envp.data()) != 0) return -1;
  return pid;
}

std::string Query(const std::string& db, const std::string& sql) {
  std::string out;
  EXPECT_EQ(Sqlite3Shell(db, sql, &out), 0) << sql;
  return out;
}

TEST(CrashTest, KilledImportLeavesNoneOrAllRows) {
  TempDir dir;
  std::map<std::string, std::string> env = {{"KINLINK_DATA", dir / "registry"},
                                            {"KINLINK_KEY_FILE", dir / "kinlink.key"}};
  ASSERT_EQ(RunKinlink({"init"}, env).exit_code, 0);
  RunResult gen = RunKinlink({"generate", "--count", std::to_string(kRows), "--out", dir / "big.csv"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  const pid_t pid = StartImport(env, dir / "big.csv");
  ASSERT_GT(pid, 0);

  // Wait until the import has written a good part of its transaction to the
  // write-ahead log (the whole import needs about ten times this), then
  // kill it without warning.
  const std::string wal = dir / "registry/registry.db-wal";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int status = 0;
  bool exited = false;
  while (FileSize(wal) < 8L * 1024 * 1024 && std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_FALSE(exited) << "the import ended before it could be killed";
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  // The registry opens, is consistent, and holds none of the rows.
  RunResult list = RunKinlink({"list", "--json"}, env);
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(nlohmann::json::parse(list.out)["count"], 0);
  std::string integrity;
  ASSERT_EQ(Sqlite3Shell(dir / "registry/registry.db", "PRAGMA integrity_check;", &integrity), 0);
  EXPECT_EQ(integrity, "ok\n");
  std::string rows;
  ASSERT_EQ(Sqlite3Shell(dir / "registry/registry.db", "SELECT count(*) FROM records;", &rows), 0);
  EXPECT_EQ(rows, "0\n");
  RunResult verify = RunKinlink({"audit", "verify"}, env);
  EXPECT_EQ(verify.exit_code, 0) << verify.err;

  // After the crashes a full import still works and is complete.
  RunResult full = RunKinlink({"import", "--kind", "person", dir / "big.csv", "--json"}, env);
  ASSERT_EQ(full.exit_code, 0) << full.err;
  EXPECT_EQ(nlohmann::json::parse(full.out)["accepted"], kRows);
  std::string count;
  ASSERT_EQ(Sqlite3Shell(dir / "registry/registry.db", "SELECT count(*) FROM records;", &count), 0);
  EXPECT_EQ(std::stoi(count), kRows);
}

TEST(CrashTest, KilledIndexingKeepsTheRowsAndResumes) {
  constexpr int kIndexRows = 60000;
  TempDir dir;
  std::map<std::string, std::string> env = {{"KINLINK_DATA", dir / "registry"},
                                            {"KINLINK_KEY_FILE", dir / "kinlink.key"}};
  ASSERT_EQ(RunKinlink({"init"}, env).exit_code, 0);
  RunResult gen =
      RunKinlink({"generate", "--count", std::to_string(kIndexRows), "--out", dir / "p.csv"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string db = dir / "registry/registry.db";

  // Kill as soon as the first index batch has committed (encodings are
  // written only after the records' own transaction).
  const pid_t pid = StartImport(env, dir / "p.csv");
  ASSERT_GT(pid, 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int status = 0;
  bool exited = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      exited = true;
      break;
    }
    std::string n;
    if (Sqlite3Shell(db, "SELECT count(*) FROM encodings;", &n) == 0 && !n.empty() &&
        std::stoi(n) > 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(exited) << "the import ended before it could be killed";
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);

  EXPECT_EQ(Query(db, "PRAGMA integrity_check;"), "ok\n");
  EXPECT_EQ(std::stoi(Query(db, "SELECT count(*) FROM records;")), kIndexRows);
  const int indexed = std::stoi(Query(db, "SELECT count(*) FROM encodings;"));
  EXPECT_GT(indexed, 0);
  EXPECT_LT(indexed, kIndexRows);
  EXPECT_EQ(RunKinlink({"audit", "verify"}, env).exit_code, 0);

  // The review queue needs the index: it completes it first.
  RunResult matches = RunKinlink({"matches", "--json"}, env);
  EXPECT_EQ(matches.exit_code, 0) << matches.err;
  EXPECT_EQ(std::stoi(Query(db, "SELECT count(*) FROM encodings;")), kIndexRows);
  EXPECT_EQ(Query(db, "SELECT value FROM meta WHERE key = 'index_next';"),
            std::to_string(kIndexRows + 1) + "\n");
  EXPECT_EQ(RunKinlink({"audit", "verify"}, env).exit_code, 0);
}

}  // namespace
}  // namespace kinlink::testing
