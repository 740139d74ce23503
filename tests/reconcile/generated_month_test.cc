// A generated month with injected faults of known counts: the report finds
// exactly those, and nothing on the clean part.
#include <map>
#include <string>

#include "gtest/gtest.h"
#include "retcon/reconcile.h"
#include "tests/reconcile/month_generator.h"

namespace retcon {
namespace {

using testing::GenerateMonth;
using testing::Month;
using testing::MonthConfig;

v1::ReconcileReport ReconcileMonth(const Month& month) {
  ReconcileOptions options;
  options.as_of = month.as_of;
  absl::StatusOr<v1::ReconcileReport> report =
      Reconcile(month.returns, month.erp, month.gateway, options);
  EXPECT_TRUE(report.ok()) << report.status();
  return report.ok() ? *report : v1::ReconcileReport();
}

MonthConfig Faulty(uint64_t seed) {
  MonthConfig c;
  c.seed = seed;
  c.returns = 20000;
  c.missing_credit_notes = 17;
  c.credit_notes_without_return = 11;
  c.amount_disagreements = 13;
  c.missing_stock_movements = 19;
  c.stock_movements_without_return = 7;
  c.duplicate_postings = 23;
  c.sku_mismatches = 5;
  c.currency_mismatches = 3;
  c.gateway_refunds_without_return = 9;
  c.credit_notes_for_failed_refunds = 6;
  return c;
}

TEST(GeneratedMonthTest, CleanMonthHasNoGaps) {
  MonthConfig config;
  config.returns = 20000;
  const Month month = GenerateMonth(config);
  const v1::ReconcileReport report = ReconcileMonth(month);
  EXPECT_EQ(report.gaps_size(), 0)
      << (report.gaps_size() > 0 ? report.gaps(0).DebugString() : "");
  // Keys, references and fuzzy matching all took part.
  EXPECT_GT(report.summary().matched_by_key(), 0);
  EXPECT_GT(report.summary().matched_by_reference(), 0);
  EXPECT_GT(report.summary().matched_fuzzy(), 0);
}

TEST(GeneratedMonthTest, FindsExactlyTheInjectedFaults) {
  for (uint64_t seed : {1u, 2u, 20261130u}) {
    const Month month = GenerateMonth(Faulty(seed));
    const v1::ReconcileReport report = ReconcileMonth(month);
    std::map<v1::GapType, int64_t> found;
    for (const v1::Gap& gap : report.gaps()) {
      ++found[gap.type()];
      const bool names_fault =
          month.faulty_ids.count(gap.return_id()) > 0 ||
          month.faulty_ids.count(gap.erp_document_id()) > 0 ||
          month.faulty_ids.count(gap.gateway_refund_id()) > 0;
      EXPECT_TRUE(names_fault)
          << "seed " << seed << ": gap on clean data " << gap.DebugString();
    }
    EXPECT_EQ(found, month.expected_gaps) << "seed " << seed;
    EXPECT_EQ(report.summary().gaps(), report.gaps_size());
  }
}

TEST(GeneratedMonthTest, GeneratorAndReportAreDeterministic) {
  const Month a = GenerateMonth(Faulty(7));
  const Month b = GenerateMonth(Faulty(7));
  ASSERT_EQ(a.erp.size(), b.erp.size());
  for (size_t i = 0; i < a.erp.size(); ++i) {
    ASSERT_EQ(a.erp[i].SerializeAsString(), b.erp[i].SerializeAsString()) << i;
  }
  EXPECT_EQ(ReportGapsCsv(ReconcileMonth(a)), ReportGapsCsv(ReconcileMonth(b)));
}

}  // namespace
}  // namespace retcon
