// The /proc parsers behind Runtime::stats and Runtime::top (pure: texts in, fields out).
#include <gtest/gtest.h>
#include <unistd.h>

#include "runtime/sys/procfs.hpp"

namespace stack::runtime::sys {
namespace {

TEST(ProcStat, ParsesTheFieldsTopShows) {
  // comm with a space and a ')' : only the last ')' ends it.
  std::string line =
      "4242 (my prog) x) S 17 4242 4242 0 -1 4194560 120 0 0 0 250 75 0 0 20 0 1 0 98765 "
      "12345678 1536 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  auto st = parse_proc_stat(line);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->pid, 4242);
  EXPECT_EQ(st->comm, "my prog) x");
  EXPECT_EQ(st->state, 'S');
  EXPECT_EQ(st->ppid, 17);
  EXPECT_EQ(st->utime_ticks, 250u);
  EXPECT_EQ(st->stime_ticks, 75u);
  EXPECT_EQ(st->start_ticks, 98765u);
  EXPECT_EQ(st->rss_pages, 1536u);
}

TEST(ProcStat, RefusesTruncatedLines) {
  EXPECT_FALSE(parse_proc_stat(""));
  EXPECT_FALSE(parse_proc_stat("12 (sh) S 1 2 3"));
  EXPECT_FALSE(parse_proc_stat("x (sh) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22"));
}

TEST(ProcStat, ReadsThisProcess) {
  auto st = read_proc_stat(::getpid());
  ASSERT_TRUE(st) << st.error().message();
  EXPECT_EQ(st->pid, ::getpid());
  EXPECT_EQ(st->ppid, ::getppid());
  EXPECT_EQ(st->state, 'R');
  EXPECT_GT(st->rss_pages, 0u);
  auto uid = read_proc_uid(::getpid());
  ASSERT_TRUE(uid);
  EXPECT_EQ(*uid, ::getuid());
}

TEST(ProcStat, AGoneProcessIsNotFound) {
  auto st = read_proc_stat(0x3ffffff0);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code(), util::Errc::not_found);
}

TEST(ProcStatus, RealUid) {
  EXPECT_EQ(parse_status_uid("Name:\tsh\nUid:\t1000\t1001\t1002\t1003\nGid:\t5\n"), 1000u);
  EXPECT_EQ(parse_status_uid("Uid:\t0\t0\t0\t0\n"), 0u);
  EXPECT_FALSE(parse_status_uid("Name:\tsh\n"));
}

TEST(ProcCmdline, JoinsArguments) {
  EXPECT_EQ(parse_cmdline(std::string("/bin/sh\0-c\0echo hi\0", 20)), "/bin/sh -c echo hi");
  EXPECT_EQ(parse_cmdline(""), "");
}

TEST(NetDev, SumsEveryInterfaceButLo) {
  const char* text =
      "Inter-|   Receive                                                |  Transmit\n"
      " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
      "    lo:  999999     100    0    0    0     0          0         0   999999     100    0    0    0     0       0          0\n"
      "  eth0:    1500      10    0    0    0     0          0         0      700       7    0    0    0     0       0          0\n"
      "  eth1:     500       5    0    0    0     0          0         0      300       3    0    0    0     0       0          0\n";
  auto c = parse_net_dev(text);
  ASSERT_TRUE(c);
  EXPECT_EQ(std::make_pair(c->rx_bytes, c->tx_bytes), std::make_pair(2000ul, 1000ul));
}

TEST(NetDev, OnlyLoIsZeroAndGarbageIsRefused) {
  const char* only_lo =
      "Inter-|   Receive\n face |bytes\n"
      "    lo:  5 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0\n";
  auto c = parse_net_dev(only_lo);
  ASSERT_TRUE(c);
  EXPECT_EQ(std::make_pair(c->rx_bytes, c->tx_bytes), std::make_pair(0ul, 0ul));
  EXPECT_FALSE(parse_net_dev("h1\nh2\n  eth0 1 2 3\n"));
}

}  // namespace
}  // namespace stack::runtime::sys
