// Runs the real `stack` binary for CLI tests: its own working directory and environment, stdout
// and stderr captured through files (no pipes to drain, no deadlock on large output), exit code.
// No root needed; nothing outside the test's temporary directory is touched.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace stack::cli::testing {

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh temporary directory, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "stack-cli-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

// Runs STACK_BINARY with args in `cwd`, with exactly `env` as its environment (plus PATH), so
// that the developer's COMPOSE_* variables never leak into a test.
inline Run run_stack(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                     std::map<std::string, std::string> env = {}) {
  env.emplace("PATH", "/usr/bin:/bin");
  env.emplace("STACK_ROOT", (cwd / ".state").string());
  std::filesystem::path out_file = cwd / ".stdout";
  std::filesystem::path err_file = cwd / ".stderr";
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
  std::vector<char*> argv{const_cast<char*>(STACK_BINARY)};
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid == 0) {
    int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0 || err < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 || ::chdir(cwd.c_str()) != 0)
      ::_exit(127);
    ::execve(STACK_BINARY, argv.data(), envp.data());
    ::_exit(127);
  }
  Run run;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    run.exit_code = WEXITSTATUS(status);
  }
  run.out = read_all(out_file);
  run.err = read_all(err_file);
  return run;
}

}  // namespace stack::cli::testing
