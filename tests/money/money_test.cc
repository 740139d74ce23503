#include "retcon/money.h"

#include "gtest/gtest.h"

namespace retcon {
namespace {

TEST(MoneyTest, ParsesGbp) {
  absl::StatusOr<Money> m = Money::Parse("24.99", "GBP");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->minor_units(), 2499);
}

}  // namespace
}  // namespace retcon
