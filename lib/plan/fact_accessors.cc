// The planner's four fact types read by the rules engine through their
// generated accessors (retcon/field_accessors.h) rather than reflection.
// Every field is listed; planner_test checks that none is missing, so a
// field added to facts.proto without an accessor fails a test (it would
// still be read correctly, by reflection).
#include <cstdio>
#include <cstdlib>

#include "lib/plan/internal/plan_context.h"
#include "retcon/field_accessors.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {
namespace {

// An accessor the engine refuses is a programming error here: stop at once
// rather than plan with a slower, untested path.
void Check(const absl::Status& status) {
  if (status.ok()) return;
  std::fprintf(stderr, "retcon: %s\n", std::string(status.message()).c_str());
  std::abort();
}

// The fields every planner fact has (FillCommonFacts fills them).
template <typename F>
FieldAccessors WithCommonFields() {
  FieldAccessors a = FieldAccessors::For<F>();
  Check(a.Add<&F::source>(F::kSourceFieldNumber));
  Check(a.Add<&F::currency_code>(F::kCurrencyCodeFieldNumber));
  Check(a.Add<&F::country_code>(F::kCountryCodeFieldNumber));
  Check(a.Add<&F::channel>(F::kChannelFieldNumber));
  return a;
}

FieldAccessors ItemAccessors() {
  using F = v1::ReturnItemFact;
  FieldAccessors a = WithCommonFields<F>();
  Check(a.Add<&F::reason_code>(F::kReasonCodeFieldNumber));
  Check(a.Add<&F::condition>(F::kConditionFieldNumber));
  Check(
      a.Add<&F::restockable, &F::has_restockable>(F::kRestockableFieldNumber));
  Check(a.Add<&F::returned, &F::has_returned>(F::kReturnedFieldNumber));
  Check(a.Add<&F::return_location>(F::kReturnLocationFieldNumber));
  Check(a.Add<&F::order_type>(F::kOrderTypeFieldNumber));
  Check(a.Add<&F::sku>(F::kSkuFieldNumber));
  Check(a.Add<&F::platform_sku>(F::kPlatformSkuFieldNumber));
  Check(a.Add<&F::resolution>(F::kResolutionFieldNumber));
  Check(a.Add<&F::unit_paid_minor>(F::kUnitPaidMinorFieldNumber));
  Check(a.Add<&F::order_paid_minor>(F::kOrderPaidMinorFieldNumber));
  Check(a.Add<&F::days_since_order, &F::has_days_since_order>(
      F::kDaysSinceOrderFieldNumber));
  Check(a.Add<&F::is_bundle_component>(F::kIsBundleComponentFieldNumber));
  Check(a.Add<&F::out_of_policy>(F::kOutOfPolicyFieldNumber));
  Check(a.Add<&F::quantity>(F::kQuantityFieldNumber));
  return a;
}

FieldAccessors RefundAccessors() {
  using F = v1::RefundFact;
  FieldAccessors a = WithCommonFields<F>();
  Check(a.Add<&F::reason_code>(F::kReasonCodeFieldNumber));
  Check(a.Add<&F::method>(F::kMethodFieldNumber));
  Check(a.Add<&F::all_items_returned>(F::kAllItemsReturnedFieldNumber));
  Check(a.Add<&F::out_of_policy>(F::kOutOfPolicyFieldNumber));
  Check(a.Add<&F::days_since_order, &F::has_days_since_order>(
      F::kDaysSinceOrderFieldNumber));
  Check(a.Add<&F::refunded_minor, &F::has_refunded_minor>(
      F::kRefundedMinorFieldNumber));
  Check(a.Add<&F::computed_minor>(F::kComputedMinorFieldNumber));
  return a;
}

FieldAccessors ExchangeAccessors() {
  using F = v1::ExchangeFact;
  FieldAccessors a = WithCommonFields<F>();
  Check(a.Add<&F::order_type>(F::kOrderTypeFieldNumber));
  Check(a.Add<&F::reason_code>(F::kReasonCodeFieldNumber));
  Check(a.Add<&F::price_difference_minor>(F::kPriceDifferenceMinorFieldNumber));
  return a;
}

FieldAccessors ExceptionAccessors() {
  using F = v1::ExceptionFact;
  FieldAccessors a = WithCommonFields<F>();
  Check(a.Add<&F::code>(F::kCodeFieldNumber));
  Check(a.Add<&F::amount_minor>(F::kAmountMinorFieldNumber));
  Check(a.Add<&F::severity>(F::kSeverityFieldNumber));
  return a;
}

}  // namespace

const FieldAccessors* FactAccessors(const google::protobuf::Descriptor* type) {
  static const FieldAccessors* const kAll[] = {
      new FieldAccessors(ItemAccessors()),
      new FieldAccessors(RefundAccessors()),
      new FieldAccessors(ExchangeAccessors()),
      new FieldAccessors(ExceptionAccessors()),
  };
  for (const FieldAccessors* a : kAll) {
    if (a->type() == type) return a;
  }
  return nullptr;
}

}  // namespace plan_internal
}  // namespace retcon
