#include "retcon/idempotency.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/plan/internal/content_fingerprint.h"

namespace retcon {
namespace {

using ::testing::MatchesRegex;

// RFC 9562, appendix A.
constexpr Uuid kNamespaceDns = {0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
constexpr Uuid kNamespaceUrl = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

constexpr uint32_t kSeed = 20240611;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Test-side inverse of FormatUuid; fails the test on a malformed string.
Uuid ParseUuid(absl::string_view text) {
  Uuid uuid{};
  EXPECT_EQ(text.size(), 36u) << text;
  size_t byte = 0;
  for (size_t i = 0; i + 1 < text.size() && byte < uuid.size();) {
    if (text[i] == '-') {
      ++i;
      continue;
    }
    const int hi = HexDigit(text[i]);
    const int lo = HexDigit(text[i + 1]);
    EXPECT_TRUE(hi >= 0 && lo >= 0) << text;
    uuid[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return uuid;
}

// Inverse of EncodeSegment; fails the test on anything EncodeSegment would
// not produce (lower-case hex, a stray '%', a reserved byte left raw).
std::string DecodeSegment(absl::string_view encoded) {
  std::string decoded;
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      decoded.push_back(encoded[i]);
      continue;
    }
    if (i + 2 >= encoded.size()) {
      ADD_FAILURE() << "truncated escape in " << encoded;
      return decoded;
    }
    const char hi = encoded[i + 1];
    const char lo = encoded[i + 2];
    EXPECT_FALSE(hi >= 'a' && hi <= 'f') << encoded;
    EXPECT_FALSE(lo >= 'a' && lo <= 'f') << encoded;
    decoded.push_back(static_cast<char>(HexDigit(hi) << 4 | HexDigit(lo)));
    i += 2;
  }
  return decoded;
}

std::string HexOf(absl::string_view bytes) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char c : bytes) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 0x0f]);
  }
  return hex;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | cp >> 6));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | cp >> 12));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | cp >> 18));
    out->push_back(static_cast<char>(0x80 | (cp >> 12 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp >> 6 & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Arbitrary bytes, printable ASCII or valid UTF-8, chosen at random.
std::string RandomName(std::mt19937& rng, size_t max_length) {
  std::uniform_int_distribution<size_t> length_dist(0, max_length);
  const size_t length = length_dist(rng);
  std::string name;
  switch (rng() % 3) {
    case 0:
      for (size_t i = 0; i < length; ++i) {
        name.push_back(static_cast<char>(rng() & 0xff));
      }
      break;
    case 1:
      for (size_t i = 0; i < length; ++i) {
        name.push_back(static_cast<char>(' ' + rng() % 95));
      }
      break;
    default:
      while (name.size() < length) {
        char32_t cp = rng() % 0x110000;
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 'x';  // No surrogates.
        if (rng() % 2 == 0) cp %= 0x800;  // Favour 1- and 2-byte forms.
        AppendUtf8(cp, &name);
      }
  }
  return name;
}

TEST(IdempotencyTest, NamespaceIsUuid5OfRetconUrn) {
  EXPECT_EQ(FormatUuid(Uuid5(kNamespaceUrl, "urn:retcon:v1")),
            kRetconNamespace);
  EXPECT_EQ(FormatUuid(RetconNamespace()), kRetconNamespace);
  EXPECT_EQ(&RetconNamespace(), &RetconNamespace());
}

TEST(IdempotencyTest, KnownVectors) {
  EXPECT_EQ(RetconUuid("retcon/v1/credit-note/returngo/RMA123/RF9"),
            "ab488005-dbdc-51b3-99f8-4b90070edf0b");
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "www.example.com").
  EXPECT_EQ(FormatUuid(Uuid5(kNamespaceDns, "www.example.com")),
            "2ed6657d-e927-568b-95e1-2665a8aea6a2");
  EXPECT_EQ(RetconUuid(""), "77b8e8be-8360-537c-acb5-01d7794473e8");
  EXPECT_EQ(RetconUuid("v1"), "039cac4d-c828-5650-bf8b-9ce249000b5a");
}

TEST(IdempotencyTest, NamesAtLengthBoundaries) {
  // Python: uuid.uuid5(ns, "k" * n). With the 16 namespace bytes, 39 and
  // 103 are the longest names that fit one and two SHA-1 blocks with their
  // padding, 48 fills one block exactly; 256 is a common stack-buffer size
  // an implementation might switch at.
  const struct {
    size_t length;
    const char* key;
  } kCases[] = {
      {39, "e67e6c96-8581-5c8d-8220-b83b82694354"},
      {40, "e36e5592-693f-5f74-ac5a-189ddeec95e8"},
      {47, "6806b393-7aee-58ff-a49d-e3c3dca992f7"},
      {48, "e79c7ebd-f236-54e1-bf73-9b2f1028a791"},
      {103, "de89a6b8-bad4-58a1-b21b-02631350f231"},
      {104, "57a344a0-725c-5566-98af-1e2e5e0b2457"},
      {240, "59685f0c-9bac-575e-a9ee-4108c1bc49d7"},
      {255, "459fdb03-ec5e-5a72-834e-28f53a1cc800"},
      {256, "dfd799e7-2c63-519c-96fc-d3ed9a153555"},
      {257, "24ce97f1-9b4e-5451-904d-27f2d62e046e"},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(RetconUuid(std::string(c.length, 'k')), c.key) << c.length;
  }
}

TEST(IdempotencyTest, LongNamesMatchPython) {
  std::string digits;
  for (int i = 0; i < 1000; ++i) digits += "0123456789";
  // Python: uuid.uuid5(ns, "0123456789" * 1000).
  EXPECT_EQ(RetconUuid(digits), "6553ffce-2478-5f1b-8b27-ce75d8fac00b");

  std::string bytes;
  for (int i = 0; i < 10000; ++i) bytes.push_back(static_cast<char>(i % 256));
  // Python: hashlib.sha1(ns.bytes + bytes(i % 256 for i in range(10000)))
  // with version and variant set by hand.
  EXPECT_EQ(RetconUuid(bytes), "a3394ae1-0778-504d-8d25-c1d36af1727b");
}

TEST(IdempotencyTest, VersionAndVariantBits) {
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  std::mt19937 rng(kSeed);
  for (int i = 0; i < 2000; ++i) {
    const std::string name = RandomName(rng, 300);
    const Uuid uuid = Uuid5(RetconNamespace(), name);
    ASSERT_EQ(uuid[6] >> 4, 5) << HexOf(name);
    ASSERT_EQ(uuid[8] >> 6, 2) << HexOf(name);
    const std::string text = FormatUuid(uuid);
    ASSERT_EQ(text[14], '5');
    ASSERT_THAT(std::string(1, text[19]), MatchesRegex("[89ab]"));
  }
}

TEST(IdempotencyTest, FormatUuidRoundTrips) {
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  std::mt19937 rng(kSeed);
  for (int i = 0; i < 1000; ++i) {
    Uuid uuid;
    for (uint8_t& b : uuid) b = static_cast<uint8_t>(rng());
    const std::string text = FormatUuid(uuid);
    ASSERT_THAT(text, MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                                   "[0-9a-f]{4}-[0-9a-f]{12}"));
    ASSERT_EQ(ParseUuid(text), uuid) << text;
  }
  EXPECT_EQ(FormatUuid(Uuid{}), "00000000-0000-0000-0000-000000000000");
  Uuid ones;
  ones.fill(0xff);
  EXPECT_EQ(FormatUuid(ones), "ffffffff-ffff-ffff-ffff-ffffffffffff");
}

TEST(IdempotencyTest, EncodeSegmentEveryByte) {
  constexpr absl::string_view kUnreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string all;
  for (int b = 0; b < 256; ++b) {
    const std::string byte(1, static_cast<char>(b));
    all += byte;
    const std::string encoded = EncodeSegment(byte);
    if (kUnreserved.find(byte[0]) != absl::string_view::npos) {
      EXPECT_EQ(encoded, byte) << b;
    } else {
      EXPECT_EQ(encoded, absl::StrCat("%", std::string(1, kHex[b >> 4]),
                                      std::string(1, kHex[b & 0xf])))
          << b;
    }
    EXPECT_EQ(DecodeSegment(encoded), byte) << b;
  }
  const std::string encoded_all = EncodeSegment(all);
  EXPECT_EQ(encoded_all.size(), kUnreserved.size() + 3 * (256 - 66));
  EXPECT_EQ(DecodeSegment(encoded_all), all);
  EXPECT_EQ(encoded_all.find_first_of("/|= "), std::string::npos);
}

TEST(IdempotencyTest, EncodeSegmentExamples) {
  EXPECT_EQ(EncodeSegment(""), "");
  EXPECT_EQ(EncodeSegment("RMA/2024/17"), "RMA%2F2024%2F17");
  EXPECT_EQ(EncodeSegment("RMA 55"), "RMA%2055");
  EXPECT_EQ(EncodeSegment("a|b=c%"), "a%7Cb%3Dc%25");
  EXPECT_EQ(EncodeSegment("TÉE"), "T%C3%89E");
  EXPECT_EQ(EncodeSegment("re_3Nx.9~a-B"), "re_3Nx.9~a-B");
}

TEST(IdempotencyTest, EncodeSegmentRoundTripsRandomBytes) {
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  std::mt19937 rng(kSeed);
  for (int i = 0; i < 1000; ++i) {
    const std::string name = RandomName(rng, 100);
    ASSERT_EQ(DecodeSegment(EncodeSegment(name)), name) << HexOf(name);
  }
}

struct IdentityVector {
  const char* kind;
  std::vector<absl::string_view> segments;
  const char* identity;
  const char* key;  // Python: uuid.uuid5(ns, identity).
};

// The same table is in docs/integration/idempotency.md.
const std::vector<IdentityVector>& IdentityVectors() {
  static const auto* const kVectors = new std::vector<IdentityVector>{
      {"credit-note",
       {"returngo", "RMA123", "RF9"},
       "retcon/v1/credit-note/returngo/RMA123/RF9",
       "ab488005-dbdc-51b3-99f8-4b90070edf0b"},
      {"credit-note",
       {"returngo", "RMA/2024/17", "RF9"},
       "retcon/v1/credit-note/returngo/RMA%2F2024%2F17/RF9",
       "6affb51b-0e95-5915-b0d1-9f567908ebaf"},
      {"credit-note",
       {"aftership", "RMA 55", "re_3Nx.9~a"},
       "retcon/v1/credit-note/aftership/RMA%2055/re_3Nx.9~a",
       "ff664d06-a91e-5423-a552-69dd653609bb"},
      {"credit-note-final",
       {"returngo", "RMA123"},
       "retcon/v1/credit-note-final/returngo/RMA123",
       "777645e6-b640-5219-bccd-568171b478bb"},
      {"credit-note-final",
       {"shopify", "#1001-R1"},
       "retcon/v1/credit-note-final/shopify/%231001-R1",
       "08213edd-1d27-5e5b-b3ff-4abc435b3db2"},
      {"stock-movement",
       {"returngo", "RMA123", "L1", ""},
       "retcon/v1/stock-movement/returngo/RMA123/L1/",
       "b777cb4d-72e6-5e98-a62b-6e784d6ab680"},
      {"stock-movement",
       {"returngo", "RMA123", "L2", "TÉE-ROUGE-M"},
       "retcon/v1/stock-movement/returngo/RMA123/L2/T%C3%89E-ROUGE-M",
       "e8c9c4da-d765-51ff-bab0-dfc7b9c3c353"},
      {"stock-movement",
       {"loop", "R-9", "L|1", "SKU%41"},
       "retcon/v1/stock-movement/loop/R-9/L%7C1/SKU%2541",
       "f784f167-94b7-57a7-905c-20a966921473"},
      {"stock-movement",
       {"returngo", "RMA123", "L3", "寿司-01"},
       "retcon/v1/stock-movement/returngo/RMA123/L3/%E5%AF%BF%E5%8F%B8-01",
       "ba72b197-ff68-5964-a4db-f2dd6a29c7cf"},
      {"exchange-order",
       {"returngo", "RMA123"},
       "retcon/v1/exchange-order/returngo/RMA123",
       "4350fa0d-d3e0-5bae-836b-c449b8822fa5"},
      {"exchange-order",
       {"shopify", "gid://shopify/Return/42"},
       "retcon/v1/exchange-order/shopify/gid%3A%2F%2Fshopify%2FReturn%2F42",
       "433a52c0-9990-517d-be6e-6f20c97622d8"},
  };
  return *kVectors;
}

TEST(IdempotencyTest, CanonicalIdentityVectors) {
  for (const IdentityVector& v : IdentityVectors()) {
    const std::string identity = CanonicalIdentity(v.kind, v.segments);
    EXPECT_EQ(identity, v.identity);
    EXPECT_EQ(RetconUuid(identity), v.key) << identity;
  }
}

TEST(IdempotencyTest, CanonicalIdentityShapes) {
  EXPECT_EQ(CanonicalIdentity("exchange-order", {}),
            "retcon/v1/exchange-order");
  EXPECT_EQ(CanonicalIdentity("k", {""}), "retcon/v1/k/");
  EXPECT_EQ(CanonicalIdentity("k", {"", ""}), "retcon/v1/k//");
  EXPECT_EQ(CanonicalIdentity("k", {"a", "", "b"}), "retcon/v1/k/a//b");
  // Segments that would collide if '/' were not encoded stay apart.
  EXPECT_NE(CanonicalIdentity("k", {"a/b", "c"}),
            CanonicalIdentity("k", {"a", "b/c"}));
  EXPECT_NE(CanonicalIdentity("k", {"a", ""}), CanonicalIdentity("k", {"a"}));
  EXPECT_NE(CanonicalIdentity("k", {"", "a"}),
            CanonicalIdentity("k", {"a", ""}));
  // A literal "%2F" and an encoded '/' stay apart too.
  EXPECT_NE(CanonicalIdentity("k", {"%2F"}), CanonicalIdentity("k", {"/"}));
  EXPECT_EQ(CanonicalIdentity("k", {"%2F"}), "retcon/v1/k/%252F");
}

TEST(IdempotencyTest, ContentStringText) {
  ContentString content;
  EXPECT_EQ(content.text(), "v1");
  content.Add("currency", "EUR")
      .Add("amount_minor", int64_t{-12345})
      .Add("sku", "TÉE/M")
      .Add("min", std::numeric_limits<int64_t>::min())
      .Add("memo", "a|b=c% d")
      .Add("empty", "");
  EXPECT_EQ(content.text(),
            "v1|currency=EUR|amount_minor=-12345|sku=T%C3%89E%2FM"
            "|min=-9223372036854775808|memo=a%7Cb%3Dc%25%20d|empty=");
  // Python: uuid.uuid5(ns, content.text()).
  EXPECT_EQ(content.Fingerprint(), "af097014-c6d2-57d0-85ff-de8f0a09b4d9");
  EXPECT_EQ(ContentString().Fingerprint(), RetconUuid("v1"));
}

// Short fields and identities are encoded on the stack, long ones in the
// string: both give EncodeSegment's text, on either side of the switch.
TEST(IdempotencyTest, ShortAndLongFieldsEncodeAlike) {
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  std::mt19937 rng(kSeed);
  for (int i = 0; i < 2000; ++i) {
    const std::string a = RandomName(rng, 200);
    const std::string b = RandomName(rng, 200);
    EXPECT_EQ(CanonicalIdentity("kind", {a, b}),
              absl::StrCat("retcon/v1/kind/", EncodeSegment(a), "/",
                           EncodeSegment(b)))
        << HexOf(a) << " " << HexOf(b);
    ContentString content;
    content.Add("a", a).Add("b", b);
    EXPECT_EQ(content.text(),
              absl::StrCat("v1|a=", EncodeSegment(a), "|b=", EncodeSegment(b)))
        << HexOf(a) << " " << HexOf(b);
  }
}

TEST(IdempotencyTest, ContentStringIntegers) {
  ContentString content;
  content.Add("zero", int64_t{0})
      .Add("max", std::numeric_limits<int64_t>::max())
      .Add("neg", int64_t{-1});
  EXPECT_EQ(content.text(), "v1|zero=0|max=9223372036854775807|neg=-1");
}

// The planner hashes content as it is added, through a fixed buffer: the
// fingerprint is ContentString's, whether a field fits the buffer, fills it
// or is longer than it.
TEST(IdempotencyTest, ContentFingerprintIsContentStringFingerprint) {
  EXPECT_EQ(FormatUuid(plan_internal::ContentFingerprint().Finish()),
            ContentString().Fingerprint());
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  std::mt19937 rng(kSeed);
  for (int i = 0; i < 500; ++i) {
    ContentString text;
    plan_internal::ContentFingerprint streamed;
    const size_t fields = rng() % 12;
    for (size_t f = 0; f < fields; ++f) {
      const std::string name = absl::StrCat("f", f);
      if (rng() % 4 == 0) {
        const int64_t value = static_cast<int64_t>(rng()) - (1 << 30);
        text.Add(name, value);
        streamed.Add(name, value);
      } else {
        const std::string value = RandomName(rng, rng() % 8 == 0 ? 1200 : 60);
        text.Add(name, value);
        streamed.Add(name, value);
      }
    }
    EXPECT_EQ(FormatUuid(streamed.Finish()), text.Fingerprint())
        << HexOf(text.text());
  }
}

TEST(IdempotencyTest, ThreadsAgree) {
  const std::string expected = IdentityVectors()[0].key;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (RetconUuid(IdentityVectors()[0].identity) != expected) {
          ++mismatches[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(mismatches, ::testing::Each(0));
}

// For each hex-encoded name in argv[1], writes to argv[2] the UUIDv5 computed
// from hashlib (any bytes) and, for valid UTF-8, from uuid.uuid5 ("-" if not).
constexpr char kPythonUuid5[] = R"py(
import hashlib, sys, uuid
ns = uuid.UUID("6985cd8b-929e-5a0a-8e80-8bf1433643e6")
with open(sys.argv[1]) as names, open(sys.argv[2], "w") as out:
    for line in names:
        raw = bytes.fromhex(line.strip())
        d = bytearray(hashlib.sha1(ns.bytes + raw).digest()[:16])
        d[6] = (d[6] & 0x0F) | 0x50
        d[8] = (d[8] & 0x3F) | 0x80
        try:
            direct = str(uuid.uuid5(ns, raw.decode("utf-8")))
        except UnicodeDecodeError:
            direct = "-"
        out.write("%s %s\n" % (uuid.UUID(bytes=bytes(d)), direct))
)py";

TEST(IdempotencyTest, MatchesPython) {
  if (std::system("command -v python3 >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 is not on PATH; cross-check skipped";
  }
  SCOPED_TRACE(absl::StrCat("seed ", kSeed));
  std::mt19937 rng(kSeed);
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i) names.push_back(RandomName(rng, 300));
  for (int i = 0; i < 5; ++i) names.push_back(RandomName(rng, 5000));
  // Every length across the first SHA-1 blocks.
  for (size_t n = 0; n <= 140; ++n) names.push_back(std::string(n, 'n'));
  for (const IdentityVector& v : IdentityVectors()) {
    names.push_back(v.identity);
  }

  const std::string dir = ::testing::TempDir();
  const std::string in_path = dir + "retcon_idempotency_names.txt";
  const std::string out_path = dir + "retcon_idempotency_uuids.txt";
  {
    std::ofstream in(in_path);
    for (const std::string& name : names) in << HexOf(name) << "\n";
    ASSERT_TRUE(in.good()) << in_path;
  }
  const std::string command = absl::StrCat("python3 -c '", kPythonUuid5, "' '",
                                           in_path, "' '", out_path, "'");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  std::ifstream out(out_path);
  int utf8_names = 0;
  for (const std::string& name : names) {
    std::string from_hashlib, from_uuid5;
    ASSERT_TRUE(out >> from_hashlib >> from_uuid5) << "short output";
    const std::string ours = RetconUuid(name);
    EXPECT_EQ(ours, from_hashlib) << HexOf(name);
    if (from_uuid5 != "-") {
      ++utf8_names;
      EXPECT_EQ(ours, from_uuid5) << HexOf(name);
    }
  }
  EXPECT_GT(utf8_names, 200);  // uuid.uuid5 itself was exercised.
  std::remove(in_path.c_str());
  std::remove(out_path.c_str());
}

}  // namespace
}  // namespace retcon
