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

}  // namespace
}  // namespace portwarden::exporters::json
