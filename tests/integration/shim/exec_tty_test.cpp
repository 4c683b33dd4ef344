// ROOT: exec with a terminal. The test plays the user's terminal: a pty of its own whose slave is
// the controlling terminal of a forked "CLI" process that runs exec_interactive on it. Inside the
// container `tty` names a /dev/pts path, typed input reaches the process, the window size follows
// the user's terminal (SIGWINCH included), the exit code comes through, the user's terminal is put
// back out of raw mode. Also with a pipe instead of a terminal as input, and the errors.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "integration/shim/shim_fixture.hpp"
#include "runtime/interactive.hpp"

namespace stack::runtime::shim::testing {
namespace {

using namespace std::chrono_literals;

// Reads fd into out until needle appears (true) or the deadline passes or fd ends (false).
bool read_until(int fd, std::string& out, const std::string& needle, std::chrono::seconds limit = 20s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (out.find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return false;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

void type(int fd, const std::string& text) {
  ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

void set_size(int fd, unsigned short rows, unsigned short cols) {
  winsize ws{};
  ws.ws_row = rows;
  ws.ws_col = cols;
  ASSERT_EQ(::ioctl(fd, TIOCSWINSZ, &ws), 0);
}

ExecConfig shell() {
  ExecConfig e;
  e.args = {"/bin/sh"};
  e.env = {"PATH=/bin", "TERM=xterm", "PS1=$ "};
  return e;
}

TEST_F(ShimTest, ExecWithATerminalIsInteractive) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, {"/bin/sleep", "1000"})));
  int master = -1;
  int slave = -1;
  ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  set_size(master, 40, 100);
  pid_t cli = ::fork();
  ASSERT_GE(cli, 0);
  if (cli == 0) {
    // The CLI: its terminal is the test's slave, as a shell's would be.
    ::close(master);
    if (::setsid() < 0 || ::ioctl(slave, TIOCSCTTY, 0) < 0) ::_exit(201);
    auto code = exec_interactive(runtime_, id, shell(), slave, slave);
    if (!code) {
      std::string line = code.error().message() + "\n";
      (void)!::write(slave, line.data(), line.size());
      ::_exit(200);
    }
    ::_exit(*code);
  }
  ::close(slave);
  std::string out;
  type(master, "tty; stty size\n");
  EXPECT_TRUE(read_until(master, out, "40 100")) << out;
  EXPECT_NE(out.find("/dev/pts/0"), std::string::npos) << out;
  EXPECT_EQ(out.find("not a tty"), std::string::npos) << out;

  type(master, "read x; echo got-$x\n");
  type(master, "hello\n");
  EXPECT_TRUE(read_until(master, out, "got-hello")) << out;

  // Resizing the user's terminal signals the CLI (SIGWINCH), which passes the size on.
  set_size(master, 50, 120);
  type(master, "stty size\n");
  EXPECT_TRUE(read_until(master, out, "50 120")) << out;

  type(master, "exit 3\n");
  read_until(master, out, "never", 10s);  // to the end: the CLI exits and closes the terminal
  int status = 0;
  ASSERT_EQ(::waitpid(cli, &status, 0), cli);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3) << out;
  termios t{};
  ASSERT_EQ(::tcgetattr(master, &t), 0);
  EXPECT_TRUE(t.c_lflag & ICANON) << "the user's terminal was left in raw mode";
  EXPECT_TRUE(t.c_lflag & ECHO);
  ::close(master);
}

TEST_F(ShimTest, ExecWithATerminalTakesInputFromAPipe) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, {"/bin/sleep", "1000"})));
  int in[2];
  int out[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  // A script ends with exit: the EOF character sent at the end of the pipe is lost when the shell
  // switches its terminal out of canonical mode after the input arrived (n_tty drops it then).
  type(in[1], "tty\necho pid-$((40+2))\nexit 5\n");
  ::close(in[1]);
  ExecConfig e = shell();
  e.user = "nobody";
  auto code = exec_interactive(runtime_, id, e, in[0], out[1]);
  ::close(in[0]);
  ::close(out[1]);
  ASSERT_TRUE(code) << code.error().message();
  EXPECT_EQ(*code, 5);
  std::string text;
  read_until(out[0], text, "never", 5s);
  ::close(out[0]);
  EXPECT_NE(text.find("/dev/pts/"), std::string::npos) << text;
  EXPECT_NE(text.find("pid-42"), std::string::npos) << text;
}

TEST_F(ShimTest, ExecWithATerminalReportsErrors) {
  std::string id = new_id();
  ASSERT_TRUE(runtime_.create(id, config(id, {"/bin/sleep", "1000"})));
  ExecConfig e = shell();
  e.args = {"/nope"};
  e.tty = true;
  auto p = runtime_.exec_terminal(id, e);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message(), "exec \"/nope\": No such file or directory");
  e.args = {"/bin/true"};
  e.user = "ghost";
  p = runtime_.exec_terminal(id, e);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message().find("ghost"), std::string::npos) << p.error().message();
  e.tty = false;
  p = runtime_.exec_terminal(id, e);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code(), util::Errc::invalid_argument);
}

}  // namespace
}  // namespace stack::runtime::shim::testing
