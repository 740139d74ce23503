// The planner's golden scenarios: one directory per scenario under
// tests/testdata/plan (see its README.md). Each step's return is planned
// against the history the earlier steps' plans recorded (Planner::RecordPlan),
// and the plan is compared with the step's expected file.
//
// UPDATE_EXPECTED=1 (re)writes the expected files instead of comparing them.
// Review every rewritten file against the hand-worked figures in README.md
// before committing it.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "retcon/planner.h"
#include "retcon/rules.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/facts.pb.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/plan.pb.h"
#include "retcon/v1/return.pb.h"

namespace retcon {
namespace {

namespace fs = std::filesystem;

const fs::path& TestdataDir() {
  static const fs::path kDir(RETCON_PLAN_TESTDATA);
  return kDir;
}

bool UpdateExpected() {
  const char* value = std::getenv("UPDATE_EXPECTED");
  return value != nullptr && std::string(value) == "1";
}

// Scenario directories: every subdirectory holding an order.textproto, by
// name. Their names are the test names, so they must be [A-Za-z0-9_].
std::vector<std::string> ScenarioNames() {
  std::vector<std::string> names;
  std::error_code error;
  for (const fs::directory_entry& entry :
       fs::directory_iterator(TestdataDir(), error)) {
    if (entry.is_directory() && fs::exists(entry.path() / "order.textproto")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool ReadFile(const fs::path& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return true;
}

// Parses `path` as text format into `message`; fails the test otherwise.
bool ParseFile(const fs::path& path, google::protobuf::Message* message) {
  std::string text;
  if (!ReadFile(path, &text)) {
    ADD_FAILURE() << "cannot read " << path;
    return false;
  }
  if (!google::protobuf::TextFormat::ParseFromString(text, message)) {
    ADD_FAILURE() << "cannot parse " << path << " as "
                  << message->GetDescriptor()->full_name();
    return false;
  }
  return true;
}

// The scenario's own file if it has one, else the shared one.
fs::path ScenarioOrShared(const fs::path& dir, const std::string& name) {
  return fs::exists(dir / name) ? dir / name : TestdataDir() / name;
}

std::unique_ptr<const Planner> MakePlanner(const fs::path& dir) {
  // With a static libretcon, the fact types are in the generated pool only
  // if their code is linked.
  v1::ReturnItemFact::descriptor();
  v1::RefundFact::descriptor();
  v1::ExchangeFact::descriptor();
  v1::ExceptionFact::descriptor();

  const fs::path rules_path = ScenarioOrShared(dir, "rules.textproto");
  std::string text;
  if (!ReadFile(rules_path, &text)) {
    ADD_FAILURE() << "cannot read " << rules_path;
    return nullptr;
  }
  absl::StatusOr<ParsedRuleSet> parsed =
      ParseRuleSetText(text, rules_path.filename().string());
  if (!parsed.ok()) {
    ADD_FAILURE() << parsed.status();
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<const CompiledRuleSet>> rules =
      CompileRuleSet(*parsed, CompileOptions{});
  if (!rules.ok()) {
    ADD_FAILURE() << rules.status();
    return nullptr;
  }
  v1::Catalog catalog;
  if (!ParseFile(ScenarioOrShared(dir, "catalog.textproto"), &catalog)) {
    return nullptr;
  }
  absl::StatusOr<std::unique_ptr<const Planner>> planner =
      Planner::Create(std::shared_ptr<const CompiledRuleSet>(std::move(*rules)),
                      std::move(catalog), PlannerOptions{});
  if (!planner.ok()) {
    ADD_FAILURE() << planner.status();
    return nullptr;
  }
  return std::move(*planner);
}

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::string ToText(const google::protobuf::Message& message) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(message, &text);
  return text;
}

// gross = net + tax and tax = sum of taxes on every line and on the totals;
// the totals are the sums of the lines.
void CheckCreditNoteArithmetic(const v1::CreditNote& note,
                               const std::string& where) {
  int64_t gross = 0, net = 0, tax = 0;
  for (int i = 0; i < note.lines_size(); ++i) {
    const v1::RefundLine& line = note.lines(i);
    int64_t taxes = 0;
    for (const v1::TaxAmount& t : line.taxes())
      taxes += t.amount().minor_units();
    EXPECT_EQ(line.gross().minor_units(),
              line.net().minor_units() + line.tax().minor_units())
        << where << ".lines[" << i << "]: gross != net + tax";
    EXPECT_EQ(line.tax().minor_units(), taxes)
        << where << ".lines[" << i << "]: tax != sum of taxes";
    gross += line.gross().minor_units();
    net += line.net().minor_units();
    tax += line.tax().minor_units();
  }
  int64_t summary = 0;
  for (const v1::TaxAmount& t : note.tax_summary()) {
    summary += t.amount().minor_units();
  }
  EXPECT_EQ(note.total_gross().minor_units(), gross) << where;
  EXPECT_EQ(note.total_net().minor_units(), net) << where;
  EXPECT_EQ(note.total_tax().minor_units(), tax) << where;
  EXPECT_EQ(note.total_tax().minor_units(), summary) << where;
}

void CheckArithmetic(const v1::PostingPlan& plan, const std::string& step) {
  for (int i = 0; i < plan.credit_notes_size(); ++i) {
    CheckCreditNoteArithmetic(plan.credit_notes(i),
                              absl::StrCat(step, " credit_notes[", i, "]"));
  }
  for (int i = 0; i < plan.parked_credit_notes_size(); ++i) {
    CheckCreditNoteArithmetic(
        plan.parked_credit_notes(i),
        absl::StrCat(step, " parked_credit_notes[", i, "]"));
  }
}

// Compares `actual` with the expected file, or writes it under
// UPDATE_EXPECTED=1.
void CompareOrUpdate(const v1::PostingPlan& actual, const fs::path& path) {
  if (UpdateExpected()) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << "# retcon.v1.PostingPlan. Written by UPDATE_EXPECTED=1, then "
           "checked by hand\n# against README.md.\n"
        << ToText(actual);
    EXPECT_TRUE(out.good()) << "cannot write " << path;
    return;
  }
  v1::PostingPlan expected;
  if (!ParseFile(path, &expected)) return;
  google::protobuf::util::MessageDifferencer differencer;
  std::string differences;
  differencer.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differencer.Compare(expected, actual))
      << path.filename().string() << " differs (expected -> actual):\n"
      << differences << "\nActual plan:\n"
      << ToText(actual);
}

// Step 1 reads return.textproto and expected.textproto; step N > 1 reads
// return.N.textproto and expected.N.textproto.
std::string StepFile(const std::string& stem, int step) {
  return step == 1 ? absl::StrCat(stem, ".textproto")
                   : absl::StrCat(stem, ".", step, ".textproto");
}

class PlanGoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(PlanGoldenTest, PlansMatchExpected) {
  const fs::path dir = TestdataDir() / GetParam();
  std::unique_ptr<const Planner> planner = MakePlanner(dir);
  ASSERT_NE(planner, nullptr);

  v1::SalesOrder order;
  ASSERT_TRUE(ParseFile(dir / "order.textproto", &order));
  v1::OrderHistory history;
  if (fs::exists(dir / "history.textproto")) {
    ASSERT_TRUE(ParseFile(dir / "history.textproto", &history));
  }

  int steps = 0;
  for (int step = 1; fs::exists(dir / StepFile("return", step)); ++step) {
    SCOPED_TRACE(absl::StrCat(GetParam(), " step ", step));
    const std::string step_name = absl::StrCat("step ", step);
    v1::ReturnRequest ret;
    ASSERT_TRUE(ParseFile(dir / StepFile("return", step), &ret));

    absl::StatusOr<v1::PostingPlan> plan = planner->Plan(order, ret, history);
    ASSERT_TRUE(plan.ok()) << plan.status();
    absl::StatusOr<v1::PostingPlan> again = planner->Plan(order, ret, history);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(DeterministicBytes(*plan), DeterministicBytes(*again))
        << "two plans of the same inputs differ";

    CheckArithmetic(*plan, step_name);
    CompareOrUpdate(*plan, dir / StepFile("expected", step));

    const absl::Status recorded = planner->RecordPlan(order, *plan, &history);
    ASSERT_TRUE(recorded.ok()) << recorded;
    ++steps;
  }
  EXPECT_GT(steps, 0) << "no return.textproto in " << dir;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, PlanGoldenTest,
                         ::testing::ValuesIn(ScenarioNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(PlanGoldenDataTest, HasScenarios) {
  EXPECT_FALSE(ScenarioNames().empty());
}

}  // namespace
}  // namespace retcon
