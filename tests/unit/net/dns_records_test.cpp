#include "net/dns/records.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "net/dns/resolv_conf.hpp"
#include "net/dns/upstream.hpp"
#include "support/addresses.hpp"
#include "support/rootfs.hpp"

namespace stack::net::dns {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

using ::stack::test::ip;

class DnsRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(temp_.path().empty());
  }
  test::TempDir temp_{"stack-dns-test"};
  fs::path dir_ = temp_.path();
};

TEST(DnsRecords, RoundTripsWithCanonicalNames) {
  Records in = {{"Web", {ip("10.1.0.2")}}, {"demo-web-1.", {ip("10.1.0.2"), ip("10.1.0.3")}}};
  auto out = decode_records(encode_records(in));
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(*out, (Records{{"web", {ip("10.1.0.2")}}, {"demo-web-1", {ip("10.1.0.2"), ip("10.1.0.3")}}}));
}

TEST(DnsRecords, RejectsBadFiles) {
  EXPECT_FALSE(decode_records("not json"));
  EXPECT_FALSE(decode_records("[]"));
  EXPECT_FALSE(decode_records(R"({"names": []})"));
  EXPECT_FALSE(decode_records(R"({"names": {"web": "10.1.0.2"}})"));
  auto bad = decode_records(R"({"names": {"web": ["10.1.0.300"]}})");
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message(), HasSubstr("10.1.0.300"));
}

TEST_F(DnsRecordsTest, FileIsReReadWhenItChangesAndKeptWhenBad) {
  const fs::path file = records_file(dir_, "demo_default");
  EXPECT_EQ(file, dir_ / "run" / "dns" / "demo_default.records.json");
  fs::create_directories(file.parent_path());
  RecordsFile records(file);
  EXPECT_TRUE(records.current().empty());  // no file yet
  ASSERT_TRUE(write_dns_records(file, {{"web", {ip("10.1.0.2")}}}));
  EXPECT_EQ(records.current().at("web").v4, std::vector<Ipv4>{ip("10.1.0.2")});
  ASSERT_TRUE(write_dns_records(file, {{"web", {ip("10.1.0.7")}}, {"db", {ip("10.1.0.8")}}}));
  EXPECT_EQ(records.current().at("web").v4, std::vector<Ipv4>{ip("10.1.0.7")});  // a new inode
  EXPECT_EQ(records.current().size(), 2u);
  std::ofstream(file) << "{broken";
  EXPECT_EQ(records.current().size(), 2u);  // the last good records stay
  EXPECT_TRUE(records.last_error());
  fs::remove(file);
  EXPECT_TRUE(records.current().empty());
}

TEST(DnsResolvConf, ReadsIpv4NameserversInOrder) {
  const char* text =
      "# comment\nsearch example.org\nnameserver 10.0.0.53\nnameserver ::1\n"
      "nameserver   192.168.1.1  # trailing\n;nameserver 9.9.9.9\nnameserver 10.1.0.1\nnameserver bad\n";
  EXPECT_EQ(parse_nameservers(text), (std::vector<Ipv4>{ip("10.0.0.53"), ip("192.168.1.1"), ip("10.1.0.1")}));
  EXPECT_EQ(parse_nameservers(text, ip("10.1.0.1")), (std::vector<Ipv4>{ip("10.0.0.53"), ip("192.168.1.1")}));
}

TEST(DnsUpstream, ParsesAddressAndPort) {
  EXPECT_EQ(*parse_upstream("127.0.0.1:5353"), (Upstream{ip("127.0.0.1"), 5353}));
  EXPECT_EQ(*parse_upstream("10.0.0.1"), (Upstream{ip("10.0.0.1"), 53}));
  EXPECT_FALSE(parse_upstream("10.0.0.1:0"));
  EXPECT_FALSE(parse_upstream("10.0.0.1:70000"));
  EXPECT_FALSE(parse_upstream("10.0.0.1:x"));
  EXPECT_FALSE(parse_upstream("name:53"));
  EXPECT_EQ(format_upstream({ip("127.0.0.1"), 5353}), "127.0.0.1:5353");
}

}  // namespace
}  // namespace stack::net::dns
