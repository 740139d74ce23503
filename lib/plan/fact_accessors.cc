// The planner's four fact types read by the rules engine through their
// generated accessors (retcon/field_accessors.h) rather than reflection.
// Every field is listed; planner_test checks that none is missing, so a
// field added to facts.proto without an accessor fails a test (it would
// still be read correctly, by reflection). Planner::Create builds them and
// fails (Internal) if the rules engine refuses one.
#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/plan_context.h"
#include "retcon/field_accessors.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {
namespace {

// The fields every planner fact has (FillCommonFacts fills them).
template <typename F>
absl::StatusOr<FieldAccessors> WithCommonFields() {
  FieldAccessors a = FieldAccessors::For<F>();
  RETCON_RETURN_IF_ERROR(a.Add<&F::source>(F::kSourceFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::currency_code>(F::kCurrencyCodeFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::country_code>(F::kCountryCodeFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::channel>(F::kChannelFieldNumber));
  return a;
}

absl::StatusOr<FieldAccessors> ItemAccessors() {
  using F = v1::ReturnItemFact;
  RETCON_ASSIGN_OR_RETURN(FieldAccessors a, WithCommonFields<F>());
  RETCON_RETURN_IF_ERROR(a.Add<&F::reason_code>(F::kReasonCodeFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::condition>(F::kConditionFieldNumber));
  RETCON_RETURN_IF_ERROR((
      a.Add<&F::restockable, &F::has_restockable>(F::kRestockableFieldNumber)));
  RETCON_RETURN_IF_ERROR(
      (a.Add<&F::returned, &F::has_returned>(F::kReturnedFieldNumber)));
  RETCON_RETURN_IF_ERROR(
      a.Add<&F::return_location>(F::kReturnLocationFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::order_type>(F::kOrderTypeFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::sku>(F::kSkuFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::platform_sku>(F::kPlatformSkuFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::resolution>(F::kResolutionFieldNumber));
  RETCON_RETURN_IF_ERROR(
      a.Add<&F::unit_paid_minor>(F::kUnitPaidMinorFieldNumber));
  RETCON_RETURN_IF_ERROR(
      a.Add<&F::order_paid_minor>(F::kOrderPaidMinorFieldNumber));
  RETCON_RETURN_IF_ERROR((a.Add<&F::days_since_order, &F::has_days_since_order>(
      F::kDaysSinceOrderFieldNumber)));
  RETCON_RETURN_IF_ERROR(
      a.Add<&F::is_bundle_component>(F::kIsBundleComponentFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::out_of_policy>(F::kOutOfPolicyFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::quantity>(F::kQuantityFieldNumber));
  return a;
}

absl::StatusOr<FieldAccessors> RefundAccessors() {
  using F = v1::RefundFact;
  RETCON_ASSIGN_OR_RETURN(FieldAccessors a, WithCommonFields<F>());
  RETCON_RETURN_IF_ERROR(a.Add<&F::reason_code>(F::kReasonCodeFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::method>(F::kMethodFieldNumber));
  RETCON_RETURN_IF_ERROR(
      a.Add<&F::all_items_returned>(F::kAllItemsReturnedFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::out_of_policy>(F::kOutOfPolicyFieldNumber));
  RETCON_RETURN_IF_ERROR((a.Add<&F::days_since_order, &F::has_days_since_order>(
      F::kDaysSinceOrderFieldNumber)));
  RETCON_RETURN_IF_ERROR((a.Add<&F::refunded_minor, &F::has_refunded_minor>(
      F::kRefundedMinorFieldNumber)));
  RETCON_RETURN_IF_ERROR(
      a.Add<&F::computed_minor>(F::kComputedMinorFieldNumber));
  return a;
}

absl::StatusOr<FieldAccessors> ExchangeAccessors() {
  using F = v1::ExchangeFact;
  RETCON_ASSIGN_OR_RETURN(FieldAccessors a, WithCommonFields<F>());
  RETCON_RETURN_IF_ERROR(a.Add<&F::order_type>(F::kOrderTypeFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::reason_code>(F::kReasonCodeFieldNumber));
  RETCON_RETURN_IF_ERROR(
      a.Add<&F::price_difference_minor>(F::kPriceDifferenceMinorFieldNumber));
  return a;
}

absl::StatusOr<FieldAccessors> ExceptionAccessors() {
  using F = v1::ExceptionFact;
  RETCON_ASSIGN_OR_RETURN(FieldAccessors a, WithCommonFields<F>());
  RETCON_RETURN_IF_ERROR(a.Add<&F::code>(F::kCodeFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::amount_minor>(F::kAmountMinorFieldNumber));
  RETCON_RETURN_IF_ERROR(a.Add<&F::severity>(F::kSeverityFieldNumber));
  return a;
}

}  // namespace

absl::StatusOr<FactAccessorSet> FactAccessorSet::Build() {
  FactAccessorSet set;
  for (auto build : {ItemAccessors, RefundAccessors, ExchangeAccessors,
                     ExceptionAccessors}) {
    absl::StatusOr<FieldAccessors> accessors = build();
    if (!accessors.ok()) {
      // A bug here, or a change to facts.proto: never the caller's input.
      return absl::InternalError(absl::StrCat("the planner's fact accessors: ",
                                              accessors.status().message()));
    }
    set.types_.push_back(*std::move(accessors));
  }
  return set;
}

absl::StatusOr<const FactAccessorSet*> FactAccessorSet::Shared() {
  // Probing every accessor takes a few hundred microseconds: once.
  static const absl::StatusOr<FactAccessorSet>* const kSet =
      new absl::StatusOr<FactAccessorSet>(Build());
  if (!kSet->ok()) return kSet->status();
  return &**kSet;
}

const FieldAccessors* FactAccessorSet::For(
    const google::protobuf::Descriptor* type) const {
  for (const FieldAccessors& a : types_) {
    if (a.type() == type) return &a;
  }
  return nullptr;
}

}  // namespace plan_internal
}  // namespace retcon
