// SPDX-License-Identifier: GPL-2.0
// The JSON writer: commas, nesting, line breaks, and escapes that keep any
// byte string valid JSON.
#include "json.h"

#include <gtest/gtest.h>

namespace {

using namespace atcp_tools;

TEST(Json, QuotesAndEscapes)
{
    EXPECT_EQ(json_quote("plain"), "\"plain\"");
    EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
    EXPECT_EQ(json_quote("t\tn\nr\r"), "\"t\\tn\\nr\\r\"");
    EXPECT_EQ(json_quote(std::string_view("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
    EXPECT_EQ(json_quote(std::string_view("nul\0x", 5)), "\"nul\\u0000x\"");
}

TEST(Json, KeepsUtf8AndReplacesWhatIsNot)
{
    EXPECT_EQ(json_quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
              "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    EXPECT_EQ(json_quote("\xff"), "\"\\ufffd\"");
    EXPECT_EQ(json_quote("\xc3"), "\"\\ufffd\"");                       // cut short
    EXPECT_EQ(json_quote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");            // overlong
    EXPECT_EQ(json_quote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\""); // a surrogate
    EXPECT_EQ(json_quote("a\xe2\x82z"), "\"a\\ufffd\\ufffdz\"");
}

TEST(Json, PlacesCommas)
{
    Json j;
    j.begin_object().key("a").number(1).key("b").begin_array().string("x").signed_number(-2);
    j.boolean(true).null().decimal("0.5").begin_object().end_object().end_array();
    j.key("c").begin_object().key("d").boolean(false).end_object().end_object();
    EXPECT_EQ(j.text(), R"({"a":1,"b":["x",-2,true,null,0.5,{}],"c":{"d":false}})");
}

TEST(Json, OneElementPerLine)
{
    Json j;
    j.begin_object().key("s").begin_array();
    for (int i = 0; i < 2; i++)
        j.newline().begin_object().key("i").number(i).end_object();
    j.newline().end_array().end_object();
    EXPECT_EQ(j.text(), "{\"s\":[\n{\"i\":0},\n{\"i\":1}\n]}");
}

TEST(Json, EmptyArrayWithLineBreak)
{
    Json j;
    j.begin_array().newline().end_array();
    EXPECT_EQ(j.text(), "[\n]");
}

} // namespace
