#include "exporters/json/json_writer.h"

#include <cmath>

#include <gtest/gtest.h>

namespace portwarden::exporters::json {
namespace {

TEST(JsonWriterTest, NestsWithCommas) {
  JsonWriter out;
  out.BeginObject()
      .Field("a", 1)
      .Key("list")
      .BeginArray()
      .String("x\"y")
      .Number(0.1)
      .Bool(false)
      .Null()
      .EndArray()
      .Key("empty")
      .BeginObject()
      .EndObject()
      .Field("nan", std::nan(""))
      .EndObject();
  EXPECT_EQ(out.str(), R"({"a":1,"list":["x\"y",0.1,false,null],"empty":{},"nan":null})");
}

TEST(JsonWriterTest, EscapesControlCharacters) {
  JsonWriter out;
  out.String(std::string("a\x01\n", 3));
  EXPECT_EQ(out.str(), "\"a\\u0001\\n\"");
}

// Short plain keys and strings take the one-append path, long or escaped ones the general
// one: both give the same document, commas and all.
TEST(JsonWriterTest, ShortLongAndEscapedTextInOneDocument) {
  const std::string long_text(300, 'x');
  const std::string long_key(200, 'k');
  JsonWriter out;
  out.BeginArray()
      .BeginObject()
      .Field("short", "plain")
      .Field(long_key, long_text)
      .Field("tab\tkey", "q\"uote")
      .Field("n", std::int64_t{-9223372036854775807 - 1})
      .Field("t", true)
      .Key("z")
      .Null()
      .EndObject()
      .Int(7)
      .Bool(true)
      .BeginArray()
      .EndArray()
      .Null()
      .EndArray();
  EXPECT_EQ(out.str(), R"([{"short":"plain",")" + long_key + R"(":")" + long_text +
                           R"(","tab\tkey":"q\"uote","n":-9223372036854775808,"t":true,)"
                           R"("z":null},7,true,[],null])");
}

}  // namespace
}  // namespace portwarden::exporters::json
