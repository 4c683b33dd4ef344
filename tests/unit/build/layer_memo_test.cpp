// The memo of a COPY's layer digest: found only for the same step and sources with the same
// identities and times, written only for sources that have settled and did not change meanwhile.
#include "build/layer_memo.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "build/content_memo.hpp"
#include "support/rootfs.hpp"

namespace stack::build {
namespace {

namespace fs = std::filesystem;

CopyItem item_of(const fs::path& p, const std::string& dest) {
  CopyItem it;
  it.dest = dest;
  it.source.host_path = p.string();
  EXPECT_EQ(::lstat(p.c_str(), &it.source.st), 0);
  return it;
}

const std::string kLayer = "sha256:" + std::string(64, 'a');

TEST(LayerMemo, TheSignatureCoversEachSourcesIdentityModeOwnerAndTimes) {
  test::TempDir tmp("stack-layer-memo");
  ASSERT_TRUE(test::write_text(tmp.path() + "/a", "a"));
  std::vector<CopyItem> items{item_of(tmp.path() + "/a", "a")};
  const std::string sig = LayerMemo::signature(items);
  EXPECT_EQ(LayerMemo::signature(items), sig);
  for (auto change : {+[](CopyItem& i) { i.source.st.st_ino += 1; }, +[](CopyItem& i) { i.source.st.st_size += 1; },
                      +[](CopyItem& i) { i.source.st.st_mtim.tv_nsec ^= 1; },
                      +[](CopyItem& i) { i.source.st.st_ctim.tv_nsec ^= 1; },
                      +[](CopyItem& i) { i.source.st.st_mode ^= 0100; }, +[](CopyItem& i) { i.source.st.st_uid += 1; },
                      +[](CopyItem& i) { i.source.host_path += "x"; }}) {
    std::vector<CopyItem> other = items;
    change(other[0]);
    EXPECT_NE(LayerMemo::signature(other), sig);
  }
}

TEST(LayerMemo, ALayerIsRememberedForSettledSourcesAndFoundOnlyWhileTheyStayTheSame) {
  test::TempDir tmp("stack-layer-memo");
  const std::string file = tmp.path() + "/big.bin";
  ASSERT_TRUE(test::write_text(file, "one"));
  LayerMemo memo(tmp.path() + "/memo");
  std::vector<CopyItem> items{item_of(file, "app/big.bin")};
  memo.remember("parent", "step", items, kLayer);  // too fresh: a write could still hide
  EXPECT_FALSE(memo.remembered("parent", "step", items));

  ::sleep(ContentMemo::kSettleSeconds + 1);
  memo.remember("parent", "step", items, kLayer);
  EXPECT_EQ(memo.remembered("parent", "step", items), kLayer);
  EXPECT_FALSE(memo.remembered("other parent", "step", items));
  EXPECT_FALSE(memo.remembered("parent", "other step", items));
  std::vector<CopyItem> elsewhere = items;
  elsewhere[0].dest = "other/big.bin";
  EXPECT_FALSE(memo.remembered("parent", "step", elsewhere));

  ASSERT_TRUE(test::write_text(file, "two"));  // a new ctime: the entry no longer matches
  std::vector<CopyItem> now{item_of(file, "app/big.bin")};
  EXPECT_FALSE(memo.remembered("parent", "step", now));
  memo.remember("parent", "step", now, "sha256:" + std::string(64, 'b'));  // fresh: not written
  EXPECT_EQ(memo.remembered("parent", "step", items), kLayer);
  // Sources that changed after they were listed are not remembered, whatever their age.
  ::sleep(ContentMemo::kSettleSeconds + 1);
  memo.remember("parent", "step", items, kLayer);
  EXPECT_FALSE(memo.remembered("parent", "step", now));
  EXPECT_EQ(memo.remembered("parent", "step", items), kLayer);
  memo.remember("parent", "step", now, "sha256:" + std::string(64, 'b'));  // replaces the step's entry
  EXPECT_EQ(memo.remembered("parent", "step", now), "sha256:" + std::string(64, 'b'));
  EXPECT_FALSE(memo.remembered("parent", "step", items));
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.path() + "/memo")) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST(LayerMemo, AnEntryThatIsTornOrNotADigestIsNotUsed) {
  test::TempDir tmp("stack-layer-memo");
  ASSERT_TRUE(test::write_text(tmp.path() + "/a", "a"));
  LayerMemo memo(tmp.path() + "/memo");
  std::vector<CopyItem> items{item_of(tmp.path() + "/a", "a")};
  fs::create_directories(tmp.path() + "/memo");
  const std::string head = "v1 " + LayerMemo::signature(items) + " ";
  const std::string path = memo.entry_path("p", "s", items);
  ASSERT_TRUE(test::write_text(path, head + kLayer + "\n"));
  EXPECT_EQ(memo.remembered("p", "s", items), kLayer);
  ASSERT_TRUE(test::write_text(path, head + kLayer.substr(0, 40)));
  EXPECT_FALSE(memo.remembered("p", "s", items));
  ASSERT_TRUE(test::write_text(path, head + "sha256:" + std::string(64, 'X') + "\n"));
  EXPECT_FALSE(memo.remembered("p", "s", items));
  EXPECT_FALSE(LayerMemo().remembered("p", "s", items));
}

}  // namespace
}  // namespace stack::build
