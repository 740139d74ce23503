// The README's embedding example (readme_example.cc).
#ifndef RETCON_EXAMPLES_CONSUMER_README_EXAMPLE_H_
#define RETCON_EXAMPLES_CONSUMER_README_EXAMPLE_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"
#include "retcon/v1/plan.pb.h"
#include "retcon/v1/return.pb.h"

// Parses and compiles `rules_text`, plans `ret` and records the postings in
// `history`.
absl::StatusOr<retcon::v1::PostingPlan> PlanReturn(
    absl::string_view rules_text, const retcon::v1::Catalog& catalog,
    const retcon::v1::SalesOrder& order, const retcon::v1::ReturnRequest& ret,
    retcon::v1::OrderHistory& history);

#endif  // RETCON_EXAMPLES_CONSUMER_README_EXAMPLE_H_
