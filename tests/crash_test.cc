// Crash safety: SIGKILL `kinlink import` in the middle of a 200,000-row
// import; the registry must open, pass an integrity check, and hold either
// none or all of that import's rows.
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

TEST(CrashTest, KilledImportLeavesNoneOrAllRows) {
  TempDir dir;
  std::map<std::string, std::string> env = {{"KINLINK_DATA", dir / "registry"},
                                            {"KINLINK_KEY_FILE", dir / "kinlink.key"}};
  ASSERT_EQ(RunKinlink({"init"}, env).exit_code, 0);
  RunResult gen = RunKinlink({"generate", "--count", std::to_string(kRows), "--out", dir / "big.csv"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;

  // Start the import as a child process with the test's environment.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string bin = KINLINK_BINARY, a1 = "import", a2 = "--kind", a3 = "person",
              a4 = dir / "big.csv";
  char* argv[] = {bin.data(), a1.data(), a2.data(), a3.data(), a4.data(), nullptr};
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, bin.c_str(), nullptr, nullptr, argv, envp.data()), 0);

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

}  // namespace
}  // namespace kinlink::testing
