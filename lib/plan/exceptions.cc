// Exceptions: default owners and severities per code, the routing decision
// that may override them, and the records added to the plan; and the pieces
// of their messages the planner's files share (Detail, ListOf, Units,
// DescribeUnknownComponent).
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/internal/status_macros.h"
#include "lib/plan/internal/enum_names.h"
#include "lib/plan/internal/plan_context.h"

namespace retcon {
namespace plan_internal {
namespace {

struct Default {
  v1::Owner owner;
  v1::Severity severity;
};

// Who acts on each code unless the case or the routing decision says
// otherwise (docs/operations/exceptions.md).
Default DefaultFor(v1::ExceptionCode code) {
  switch (code) {
    case v1::EXCEPTION_CODE_REFUND_VARIANCE:
    case v1::EXCEPTION_CODE_OVER_REFUND:
    case v1::EXCEPTION_CODE_REFUND_OUTSIDE_PLATFORM:
    case v1::EXCEPTION_CODE_REPLAY_CONFLICT:
      return {v1::OWNER_FINANCE, v1::SEVERITY_BLOCKING};
    case v1::EXCEPTION_CODE_SKU_MISMATCH:
    case v1::EXCEPTION_CODE_NO_DEPOT_MAPPING:
    case v1::EXCEPTION_CODE_UNKNOWN_BUNDLE:
      return {v1::OWNER_OPERATIONS, v1::SEVERITY_BLOCKING};
    case v1::EXCEPTION_CODE_INCOMPLETE_EXCHANGE:
      return {v1::OWNER_CUSTOMER_SERVICE, v1::SEVERITY_BLOCKING};
    case v1::EXCEPTION_CODE_DUPLICATE_SIGNAL:
      return {v1::OWNER_OPERATIONS, v1::SEVERITY_INFO};
    case v1::EXCEPTION_CODE_STOCK_NOT_POSTED:
      return {v1::OWNER_OPERATIONS, v1::SEVERITY_WARNING};
    default:
      return {v1::OWNER_FINANCE, v1::SEVERITY_BLOCKING};
  }
}

// Applies the `exception_routing` decision, if any, to `owner`/`severity`.
absl::Status Route(const PlanContext& ctx, const Issue& issue, v1::Owner* owner,
                   v1::Severity* severity) {
  const DecisionRef& ref = ctx.config.routing;
  if (ref.index < 0) return absl::OkStatus();
  auto& fact = *ctx.Scratch<v1::ExceptionFact>();
  fact.set_code(issue.code);
  FillCommonFacts(ctx, fact.mutable_source(), fact.mutable_currency_code(),
                  fact.mutable_country_code(), fact.mutable_channel());
  fact.set_amount_minor(issue.amount_minor < 0 ? -issue.amount_minor
                                               : issue.amount_minor);
  fact.set_severity(*severity);
  const v1::Value* outputs[2];
  RETCON_RETURN_IF_ERROR(Decide(ctx, ref, fact, outputs));
  v1::Owner routed_owner;
  if (outputs[0] != nullptr &&
      ParseEnum(outputs[0]->enum_value(), &routed_owner)) {
    *owner = routed_owner;
  }
  v1::Severity routed_severity;
  if (outputs[1] != nullptr &&
      ParseEnum(outputs[1]->enum_value(), &routed_severity)) {
    *severity = routed_severity;
  }
  return absl::OkStatus();
}

}  // namespace

v1::ExceptionDetail Detail(std::string field, std::string expected,
                           std::string actual) {
  v1::ExceptionDetail d;
  d.set_field(std::move(field));
  d.set_expected(std::move(expected));
  d.set_actual(std::move(actual));
  return d;
}

std::string ListOf(const std::vector<std::string>& names) {
  if (names.size() <= 1) return names.empty() ? "" : names[0];
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "),
                      " and ", names.back());
}

std::string Units(int64_t n) {
  return absl::StrCat(n, n == 1 ? " unit" : " units");
}

UnknownComponent DescribeUnknownComponent(const PlanContext& ctx,
                                          int order_line,
                                          absl::string_view component) {
  const v1::SalesOrderLine& sold = ctx.order.lines(order_line);
  const PaidLine& paid = ctx.figures.lines[order_line];
  const std::string line =
      absl::StrCat("order line '", sold.line_id(), "' (", sold.sku(), ")");
  UnknownComponent out;
  std::vector<std::string> names;
  if (paid.component_begin != paid.component_end) {
    for (int c = paid.component_begin; c < paid.component_end; ++c) {
      names.push_back(std::string(ctx.figures.components[c].sku));
    }
    out.reason = absl::StrCat(component, " is not one of the components of ",
                              line, ": ", ListOf(names));
    out.action =
        "Check what came back; if the bundle's make-up is wrong, correct it "
        "in the catalog (or the order), then plan the return again.";
    return out;
  }
  const v1::SalesOrderLine& listed =
      ctx.original != nullptr ? ctx.original->lines(order_line) : sold;
  bool named = false;
  for (const v1::BundleComponent& c : listed.components()) {
    names.push_back(c.sku());
    named = named || c.sku() == component;
  }
  out.split_unknown = named;
  if (named) {
    out.reason = absl::StrCat(
        "the order lists ", component, " as a component of ", line,
        " without its share of the price, and the catalog does not define "
        "that bundle");
    out.action =
        "Add the bundle to the catalog (components and weights), then plan "
        "the return again.";
  } else if (!names.empty()) {
    out.reason = absl::StrCat("the order lists ", ListOf(names), ", not ",
                              component, ", as the components of ", line);
    out.action =
        "Check what came back; if the bundle's make-up is wrong, add the "
        "bundle to the catalog (components and weights), then plan the "
        "return again.";
  } else {
    out.reason = absl::StrCat(
        line,
        " is not a bundle: neither the order nor the catalog gives it "
        "components");
    out.action =
        "Check what came back; if the line is a bundle, add it to the "
        "catalog (components and weights), then plan the return again.";
  }
  return out;
}

absl::StatusOr<bool> RaiseIssues(PlanContext& ctx, std::vector<Issue>& issues,
                                 absl::string_view key) {
  bool blocking = false;
  for (Issue& issue : issues) {
    Default d = DefaultFor(issue.code);
    v1::Owner owner =
        issue.owner != v1::OWNER_UNSPECIFIED ? issue.owner : d.owner;
    v1::Severity severity = issue.severity != v1::SEVERITY_UNSPECIFIED
                                ? issue.severity
                                : d.severity;
    RETCON_RETURN_IF_ERROR(Route(ctx, issue, &owner, &severity));
    v1::Exception* e = ctx.plan.add_exceptions();
    e->set_code(issue.code);
    e->set_owner(owner);
    e->set_severity(severity);
    e->set_message(std::move(issue.message));
    for (v1::ExceptionDetail& detail : issue.details) {
      *e->add_details() = std::move(detail);
    }
    if (severity == v1::SEVERITY_BLOCKING && !key.empty()) {
      e->add_parked_keys(std::string(key));
    }
    e->set_source(ctx.ret.source());
    e->set_return_id(ctx.ret.return_id());
    e->set_order_id(ctx.order.order_id());
    blocking = blocking || severity == v1::SEVERITY_BLOCKING;
  }
  return blocking;
}

}  // namespace plan_internal
}  // namespace retcon
