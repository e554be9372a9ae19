// Helpers for integration tests: run the kinlink binary, make temporary
// directories, read files, search every byte under a directory.
#ifndef KINLINK_TESTS_TEST_UTIL_H_
#define KINLINK_TESTS_TEST_UTIL_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace kinlink::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `kinlink ARGS...` with these extra environment variables (and
// KINLINK_PASSPHRASE etc. removed unless given). No shell is involved.
RunResult RunKinlink(const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env = {},
                     const std::string& stdin_text = "");

// A kinlink process in the background (`kinlink serve` or `kinlink hub`):
// stdin /dev/null, stdout and stderr to files, the environment as
// RunKinlink gives it. Stopped with SIGTERM at destruction.
class KinlinkProcess {
 public:
  KinlinkProcess() = default;
  ~KinlinkProcess();
  KinlinkProcess(const KinlinkProcess&) = delete;
  KinlinkProcess& operator=(const KinlinkProcess&) = delete;
  // Starts `kinlink ARGS` and waits (up to 30 s) for its stdout to say
  // "<serving> is serving on URL" ("Kinlink", "Kinlink hub"). false when it
  // exits or does not say so.
  bool Start(const std::vector<std::string>& args, const std::string& out_path,
             const std::string& err_path, std::string_view serving,
             const std::map<std::string, std::string>& env = {});
  // SIGTERM, then waits; its exit code (128 + signal when killed), or -1
  // when it was not running.
  int Stop();
  const std::string& url() const { return url_; }
  int port() const { return port_; }
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int port_ = 0;
  std::string url_;
  std::string out_path_;
};

// A fresh directory under the test temp dir, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& data);

// Every regular file under `dir` (recursively) whose bytes contain `needle`.
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle);

// UTF-16 (little- and big-endian) encodings of a UTF-8 string.
std::string Utf16Le(const std::string& utf8);
std::string Utf16Be(const std::string& utf8);

// Runs `sqlite3 DB SQL` (the sqlite3 shell); returns its exit code.
int Sqlite3Shell(const std::string& db, const std::string& sql, std::string* output = nullptr);

// Parses a CSV file into rows (test helper, through formats::CsvReader).
std::vector<std::vector<std::string>> ParseCsvFile(const std::string& path);

}  // namespace kinlink::testing

#endif  // KINLINK_TESTS_TEST_UTIL_H_
