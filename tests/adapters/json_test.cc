// Tests of the adapters' JSON reader (lib/adapters/internal/json.h).
#include "lib/adapters/internal/json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace retcon {
namespace adapters_internal {
namespace {

using ::testing::HasSubstr;

std::string ErrorOf(absl::string_view text) {
  absl::StatusOr<JsonDocument> doc = JsonDocument::Parse(text);
  if (doc.ok()) return "OK";
  EXPECT_EQ(doc.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(doc.status().message());
}

TEST(JsonTest, KeepsNumbersAsTheirText) {
  absl::StatusOr<JsonDocument> doc =
      JsonDocument::Parse(R"({"a": 12.50, "b": -0.1e-7, "c": 0, "d": 1E+2})");
  ASSERT_TRUE(doc.ok()) << doc.status();
  const JsonValue& root = doc->root();
  EXPECT_EQ(root.Find("a")->type(), JsonType::kNumber);
  EXPECT_EQ(root.Find("a")->text(), "12.50");
  EXPECT_EQ(root.Find("b")->text(), "-0.1e-7");
  EXPECT_EQ(root.Find("c")->text(), "0");
  EXPECT_EQ(root.Find("d")->text(), "1E+2");
  EXPECT_EQ(root.Find("e"), nullptr);
}

TEST(JsonTest, ReadsEveryType) {
  absl::StatusOr<JsonDocument> doc = JsonDocument::Parse(
      " {\"t\":true,\"f\":false,\"n\":null,\"s\":\"x\",\"a\":[1,[],{}],"
      "\"o\":{\"k\":\"v\"}} \n");
  ASSERT_TRUE(doc.ok()) << doc.status();
  const JsonValue& root = doc->root();
  ASSERT_TRUE(root.is_object());
  EXPECT_EQ(root.size(), 6u);
  EXPECT_EQ(root.key(0), "t");
  EXPECT_TRUE(root.Find("t")->bool_value());
  EXPECT_EQ(root.Find("f")->type(), JsonType::kBool);
  EXPECT_FALSE(root.Find("f")->bool_value());
  EXPECT_TRUE(root.Find("n")->is_null());
  EXPECT_EQ(root.Find("s")->text(), "x");
  const JsonValue& a = *root.Find("a");
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a.element(1).type(), JsonType::kArray);
  EXPECT_EQ(a.element(2).type(), JsonType::kObject);
  EXPECT_EQ(root.Find("o")->Find("k")->text(), "v");
  EXPECT_EQ(root.Find("o")->offset(), 56u);
}

TEST(JsonTest, DecodesEscapesAndSurrogatePairs) {
  absl::StatusOr<JsonDocument> doc = JsonDocument::Parse(
      R"(["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u20AC", "\ud83d\ude00", "caf\u00e9 ok", "plain £"])");
  ASSERT_TRUE(doc.ok()) << doc.status();
  const JsonValue& root = doc->root();
  EXPECT_EQ(root.element(0).text(), "a\"b\\c/d\b\f\n\r\t");
  EXPECT_EQ(root.element(1).text(), "\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(root.element(2).text(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(root.element(3).text(), "caf\xC3\xA9 ok");
  EXPECT_EQ(root.element(4).text(), "plain \xC2\xA3");
}

TEST(JsonTest, DocumentMovesWithItsDecodedStrings) {
  absl::StatusOr<JsonDocument> doc = JsonDocument::Parse(R"(["\u00e9"])");
  ASSERT_TRUE(doc.ok());
  JsonDocument moved = std::move(*doc);
  EXPECT_EQ(moved.root().element(0).text(), "\xC3\xA9");
}

TEST(JsonTest, SyntaxErrorsNameOffsetAndPath) {
  EXPECT_EQ(ErrorOf(R"({"a": 1 "b": 2})"),
            "a: not valid JSON at offset 8: expected ',' or '}'");
  EXPECT_EQ(ErrorOf(R"({"items": [{"x": 1}, {"y": tru}]})"),
            "items[1].y: not valid JSON at offset 27: expected a value "
            "(object, array, string, number, true, false or null)");
  EXPECT_EQ(ErrorOf(""),
            "$: not valid JSON at offset 0: unexpected end of input, expected "
            "a value");
  EXPECT_EQ(ErrorOf("[1,2"),
            "$[1]: not valid JSON at offset 4: unexpected end of input, "
            "expected ',' or ']'");
  EXPECT_EQ(ErrorOf(R"({"a": 1,)"),
            "$: not valid JSON at offset 8: unexpected end of input, expected "
            "a key");
  EXPECT_EQ(ErrorOf(R"({"a": [1,)"),
            "a[1]: not valid JSON at offset 9: unexpected end of input, "
            "expected a value");
  EXPECT_EQ(ErrorOf("{} x"),
            "$: not valid JSON at offset 3: unexpected text after the JSON "
            "value");
}

TEST(JsonTest, RejectsWhatStrictJsonForbids) {
  EXPECT_THAT(ErrorOf("[1,]"), HasSubstr("expected a value"));
  EXPECT_THAT(ErrorOf(R"({"a":1,})"), HasSubstr("expected a string key"));
  EXPECT_THAT(ErrorOf("[01]"), HasSubstr("leading zeros"));
  EXPECT_THAT(ErrorOf("[1.]"), HasSubstr("expected a digit after '.'"));
  EXPECT_THAT(ErrorOf("[.5]"), HasSubstr("expected a value"));
  EXPECT_THAT(ErrorOf("[1e]"), HasSubstr("exponent"));
  EXPECT_THAT(ErrorOf("[-]"), HasSubstr("after '-'"));
  EXPECT_THAT(ErrorOf("[NaN]"), HasSubstr("expected a value"));
  EXPECT_THAT(ErrorOf("// c\n[]"), HasSubstr("expected a value"));
  EXPECT_THAT(ErrorOf("['a']"), HasSubstr("expected a value"));
  EXPECT_THAT(ErrorOf("{a:1}"), HasSubstr("expected a string key"));
  EXPECT_THAT(ErrorOf("[\"a\tb\"]"), HasSubstr("control character"));
  EXPECT_THAT(ErrorOf(R"(["\x"])"), HasSubstr("invalid escape"));
  EXPECT_THAT(ErrorOf(R"(["\u12G4"])"), HasSubstr("four hex digits"));
  EXPECT_THAT(ErrorOf(R"(["abc)"), HasSubstr("unterminated string"));
  EXPECT_THAT(ErrorOf(R"({"a":1,"a":2})"),
              HasSubstr("offset 7: duplicate key \"a\""));
}

TEST(JsonTest, RejectsUnpairedSurrogates) {
  EXPECT_THAT(ErrorOf(R"(["\ud83d"])"), HasSubstr("unpaired high surrogate"));
  EXPECT_THAT(ErrorOf(R"(["\ud83dx"])"), HasSubstr("unpaired high surrogate"));
  EXPECT_THAT(ErrorOf(R"(["\ud83d\u0041"])"),
              HasSubstr("unpaired high surrogate"));
  EXPECT_THAT(ErrorOf(R"(["\ude00"])"), HasSubstr("unpaired low surrogate"));
}

TEST(JsonTest, RejectsInvalidUtf8) {
  EXPECT_THAT(ErrorOf("[\"\xC3\"]"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(ErrorOf("[\"\xC0\xAF\"]"),
              HasSubstr("invalid UTF-8"));  // Overlong.
  EXPECT_THAT(ErrorOf("[\"\xED\xA0\x80\"]"),
              HasSubstr("invalid UTF-8"));  // Surrogate.
  EXPECT_THAT(ErrorOf("[\"\xF4\x90\x80\x80\"]"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(ErrorOf("[\"\xFF\"]"), HasSubstr("invalid UTF-8"));
  EXPECT_EQ(ErrorOf("[\"\xF0\x9F\x98\x80\"]"), "OK");
}

TEST(JsonTest, SkipsAByteOrderMark) {
  absl::StatusOr<JsonDocument> doc =
      JsonDocument::Parse("\xEF\xBB\xBF {\"a\": 1}");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(doc->root().Find("a")->text(), "1");
  EXPECT_THAT(ErrorOf("\xEF\xBB {}"), HasSubstr("offset 0"));
}

TEST(JsonTest, LimitsDepth) {
  std::string ok = std::string(JsonDocument::kMaxDepth, '[') +
                   std::string(JsonDocument::kMaxDepth, ']');
  EXPECT_EQ(ErrorOf(ok), "OK");
  std::string deep = std::string(JsonDocument::kMaxDepth + 1, '[') +
                     std::string(JsonDocument::kMaxDepth + 1, ']');
  EXPECT_THAT(ErrorOf(deep), HasSubstr("nested deeper than 64 levels"));
  // Far deeper input fails the same way, without exhausting the stack.
  EXPECT_THAT(ErrorOf(std::string(1000000, '[')), HasSubstr("nested deeper"));
}

TEST(JsonTest, FindsDuplicatesInLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 100; ++i) text += "\"k" + std::to_string(i) + "\":1,";
  EXPECT_EQ(ErrorOf(text + "\"z\":1}"), "OK");
  EXPECT_THAT(ErrorOf(text + "\"k50\":2}"), HasSubstr("duplicate key \"k50\""));
}

}  // namespace
}  // namespace adapters_internal
}  // namespace retcon
