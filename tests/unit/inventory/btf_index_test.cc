// BtfIndex on a hand-built BTF file (anonymous members, dotted paths, errors) and
// ReadSockLayout on the running kernel's BTF when it has one.
#include "agent/inventory/btf_index.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "agent/inventory/connection_programs.h"
#include "tests/lib/privilege.h"
#include "tests/unit/inventory/btf_builder.h"

namespace portwarden::inventory {
namespace {

std::string TempPath(const char* name) {
  return (std::filesystem::temp_directory_path() /
          (std::string(name) + "-" + std::to_string(::getpid())))
      .string();
}

// sock_common { u16 skc_family; union { u32 skc_portpair; struct { u16 skc_dport; u16
// skc_num; }; }; }, net { u64 pad; ns_common ns; } with ns_common { u16 a; u16 inum; }.
std::string SockLikeBtf() {
  BtfBuilder b;
  b.Type(b.Name("u16"), BTF_KIND_INT, 0, 2);  // 1
  b.Word(16);
  b.Type(0, BTF_KIND_STRUCT, 2, 4);  // 2: anonymous struct
  b.Member(b.Name("skc_dport"), 1, 0);
  b.Member(b.Name("skc_num"), 1, 16);
  b.Type(0, BTF_KIND_UNION, 2, 4);  // 3: anonymous union
  b.Member(b.Name("skc_portpair"), 1, 0);
  b.Member(0, 2, 0);
  b.Type(b.Name("sock_common"), BTF_KIND_STRUCT, 2, 8);  // 4
  b.Member(b.Name("skc_family"), 1, 0);
  b.Member(0, 3, 32);
  b.Type(b.Name("ns_common"), BTF_KIND_STRUCT, 2, 4);  // 5
  b.Member(b.Name("a"), 1, 0);
  b.Member(b.Name("inum"), 1, 16);
  b.Type(b.Name("net"), BTF_KIND_STRUCT, 2, 12);  // 6
  b.Member(b.Name("pad"), 1, 0);
  b.Member(b.Name("ns"), 5, 64);
  b.Type(b.Name("bpf_iter_tcp"), BTF_KIND_FUNC, 0, 0);             // 7
  b.Type(b.Name("btf_trace_x"), BTF_KIND_TYPEDEF, 0, 1);           // 8
  b.Type(b.Name("flags"), BTF_KIND_STRUCT, 1, 4, /*kflag=*/true);  // 9: a bit field
  b.Member(b.Name("bit"), 1, (1U << 24) | 3);
  return b.Write(TempPath("pw-btf-index"));
}

TEST(BtfIndexTest, FindsMembersThroughAnonymousMembersAndPaths) {
  const std::string path = SockLikeBtf();
  auto btf = BtfIndex::Load(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(btf) << btf.error().message;
  EXPECT_EQ(btf->MemberOffset("sock_common", "skc_family").value_or(99), 0U);
  EXPECT_EQ(btf->MemberOffset("sock_common", "skc_num").value_or(99), 6U);
  EXPECT_EQ(btf->MemberOffset("sock_common", "skc_portpair").value_or(99), 4U);
  EXPECT_EQ(btf->MemberOffset("net", "ns.inum").value_or(99), 10U);
  EXPECT_EQ(btf->FindType(BTF_KIND_FUNC, "bpf_iter_tcp"), 7U);
  EXPECT_EQ(btf->FindType(BTF_KIND_TYPEDEF, "btf_trace_x"), 8U);
  EXPECT_EQ(btf->FindType(BTF_KIND_FUNC, "btf_trace_x"), 0U);
}

TEST(BtfIndexTest, ErrorsNameWhatIsMissing) {
  const std::string path = SockLikeBtf();
  auto btf = BtfIndex::Load(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(btf);
  const auto no_struct = btf->MemberOffset("sock", "sk_protocol");
  ASSERT_FALSE(no_struct);
  EXPECT_NE(no_struct.error().message.find("no struct sock"), std::string::npos);
  const auto no_member = btf->MemberOffset("net", "ns.missing");
  ASSERT_FALSE(no_member);
  EXPECT_NE(no_member.error().message.find("net.ns.missing"), std::string::npos);
  EXPECT_FALSE(btf->MemberOffset("flags", "bit")) << "a bit field has no byte offset";
  EXPECT_FALSE(ReadSockLayout(*btf)) << "no tracepoint in this BTF";
}

TEST(BtfIndexTest, RejectsWhatIsNotBtf) {
  EXPECT_FALSE(BtfIndex::Parse({'n', 'o', 't', ' ', 'b', 't', 'f'}, "junk"));
  EXPECT_FALSE(BtfIndex::Load("/nonexistent/vmlinux"));
}

TEST(BtfIndexTest, RunningKernelHasTheTrackerLayout) {
  if (!std::filesystem::exists("/sys/kernel/btf/vmlinux")) {
    PORTWARDEN_SKIP_UNPRIVILEGED("no /sys/kernel/btf/vmlinux");
  }
  auto btf = BtfIndex::Load("/sys/kernel/btf/vmlinux");
  ASSERT_TRUE(btf) << btf.error().message;
  const auto layout = ReadSockLayout(*btf);
  ASSERT_TRUE(layout) << layout.error().message;
  EXPECT_NE(layout->set_state_btf_id, 0U);
  EXPECT_NE(layout->iter_tcp_btf_id, 0U);
  // struct sock_common: the IPv4 address pair first, then the port pair, then the family.
  EXPECT_EQ(layout->daddr, 0);
  EXPECT_EQ(layout->rcv_saddr, 4);
  EXPECT_EQ(layout->num, 14);
  EXPECT_EQ(layout->family, 16);
  EXPECT_GT(layout->v6_daddr, layout->family);
  EXPECT_EQ(layout->iter_sk_common, 8);  // after the iterator's meta pointer
}

}  // namespace
}  // namespace portwarden::inventory
