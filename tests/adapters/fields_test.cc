// Tests of the adapters' tolerant field readers
// (lib/adapters/internal/fields.h).
#include "lib/adapters/internal/fields.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace retcon {
namespace adapters_internal {
namespace {

std::string Shift(absl::string_view number, int shift) {
  absl::StatusOr<std::string> out = ShiftDecimal(number, shift);
  return out.ok() ? *out : std::string(out.status().message());
}

TEST(FieldsTest, ShiftsDecimalTextExactly) {
  EXPECT_EQ(Shift("0.2", 2), "20");
  EXPECT_EQ(Shift("0.175", 2), "17.5");
  EXPECT_EQ(Shift("0.0825", 2), "8.25");
  EXPECT_EQ(Shift("0.00000001", 2), "0.000001");
  EXPECT_EQ(Shift("100", 2), "10000");
  EXPECT_EQ(Shift("007.50", 0), "7.5");
  EXPECT_EQ(Shift("1.50e-3", 2), "0.15");
  EXPECT_EQ(Shift("2E+1", 0), "20");
  EXPECT_EQ(Shift("-0.0", 2), "0");
  EXPECT_EQ(Shift("-1.25", 1), "-12.5");
  EXPECT_EQ(Shift("1e40", 0), std::string("1") + std::string(40, '0'));
  EXPECT_EQ(Shift("1e41", 0), "\"1e41\" has an exponent beyond +/-40");
  EXPECT_EQ(Shift("1.", 0), "\"1.\" is not a decimal number");
  EXPECT_EQ(Shift(".", 0), "\".\" is not a decimal number");
  EXPECT_EQ(Shift("1e", 0), "\"1e\" is not a decimal number");
  EXPECT_EQ(Shift("1e+-2", 0), "\"1e+-2\" is not a decimal number");
  EXPECT_EQ(Shift("twenty", 2), "\"twenty\" is not a decimal number");
}

TEST(FieldsTest, PathsSpellOutAsJsonPaths) {
  const Path root;
  EXPECT_EQ(root.ToString(), "$");
  const Path items = root.Key("items");
  const Path second = items.Index(2);
  EXPECT_EQ(second.Key("paidPrice").Key("amount").ToString(),
            "items[2].paidPrice.amount");
  EXPECT_EQ(root.Index(0).Key("id").ToString(), "$[0].id");
}

absl::StatusOr<bool> Bool(absl::string_view json) {
  absl::StatusOr<JsonDocument> doc = JsonDocument::Parse(json);
  EXPECT_TRUE(doc.ok());
  return ReadBool(doc->root(), Path());
}

TEST(FieldsTest, ReadsLooseBooleans) {
  for (const char* yes :
       {"true", "1", "\"true\"", "\"TRUE\"", "\"1\"", "\" 1 \""}) {
    EXPECT_TRUE(*Bool(yes)) << yes;
  }
  for (const char* no : {"false", "0", "\"false\"", "\"False\"", "\"0\""}) {
    EXPECT_FALSE(*Bool(no)) << no;
  }
  for (const char* bad : {"2", "1.0", "\"yes\"", "\"\"", "[]", "{}"}) {
    EXPECT_FALSE(Bool(bad).ok()) << bad;
  }
}

int64_t Seconds(absl::string_view json) {
  absl::StatusOr<JsonDocument> doc = JsonDocument::Parse(json);
  EXPECT_TRUE(doc.ok());
  absl::StatusOr<google::protobuf::Timestamp> t =
      ReadTimestamp(doc->root(), Path());
  EXPECT_TRUE(t.ok()) << json << ": " << t.status();
  return t.ok() ? t->seconds() : -1;
}

TEST(FieldsTest, ReadsIsoTimes) {
  constexpr int64_t k = 1742464800;  // 2025-03-20T10:00:00Z
  EXPECT_EQ(Seconds(R"("2025-03-20T10:00:00Z")"), k);
  EXPECT_EQ(Seconds(R"("2025-03-20T10:00:00.000Z")"), k);
  EXPECT_EQ(Seconds(R"("2025-03-20T11:00:00+01:00")"), k);
  EXPECT_EQ(Seconds(R"("2025-03-20T11:00:00+0100")"), k);
  EXPECT_EQ(Seconds(R"("2025-03-20T10:00:00")"), k);
  EXPECT_EQ(Seconds(R"("2025-03-20 10:00:00")"), k);
  EXPECT_EQ(Seconds(R"("2025-03-20")"), k - 36000);
  absl::StatusOr<JsonDocument> doc = JsonDocument::Parse(R"("20/03/2025")");
  EXPECT_FALSE(ReadTimestamp(doc->root(), Path()).ok());
}

}  // namespace
}  // namespace adapters_internal
}  // namespace retcon
