#include "examples/retcon/apportion_command.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "examples/retcon/command_line.h"
#include "examples/retcon/documents.h"
#include "examples/retcon/refund_report.h"
#include "examples/retcon/return_spec.h"
#include "retcon/apportion.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/history.pb.h"
#include "retcon/v1/order.pb.h"

namespace retcon {
namespace cli {

const char kApportionHelp[] =
    R"(Usage: retcon apportion --order FILE --return LINE:QTY[,LINE:QTY...] [flags]

The reference calculator: what returning some units of a sales order refunds,
recomputed from the order itself (gross, discount, net and tax per rate, per
returned line and in total), continued from what was already credited.

Flags:
  --order FILE        The original sales order (retcon.v1.SalesOrder). Required.
  --return SPEC       What is returned, as comma-separated LINE:QTY items.
                      LINE is a line_id of the order. On a bundle line,
                      LINE/COMPONENT_SKU:QTY returns QTY units of one component
                      and LINE:QTY returns QTY whole bundles. Required.
  --then SPEC         A further refund, computed after the ones before it as a
                      host would after posting them (repeatable, in order).
                      E.g. --return L1:1 --then L1:3 --then L1:2.
  --history FILE      What was already credited for the order
                      (retcon.v1.OrderHistory). Default: nothing.
  --history-out FILE  Write the history after these refunds to FILE (it may be
                      the --history file). Written only when every refund
                      succeeded.
  --catalog FILE      Bundle definitions (retcon.v1.Catalog), for bundle lines
                      whose component weights the order does not state.
  --shipping          Also refund what remains unrefunded of the order's
                      shipping lines (in every refund of a --then sequence;
                      after the first there is nothing left).
  --rounding MODE     half-away (default; half away from zero, as HMRC allows
                      for VAT) or half-even (banker's rounding).
  --json              Print each refund as one retcon.v1.CreditNote JSON object
                      per line (proto field names; amounts in minor units)
                      instead of the table.
  -h, --help          Show this help.

Files are JSON in the protobuf JSON mapping (field names as in the .proto, or
lowerCamelCase; int64 as numbers or strings; unknown fields are errors) or
protobuf text format when named *.textproto, *.txtpb, *.pbtxt or *.prototxt.

Table columns, in the order's currency and decimals: qty units credited;
gross the refund including tax; discount the discount those units had (for
information, already taken off gross); net = gross - tax; one tax column per
rate. Bundle components show as LINE/COMPONENT_SKU.

Exit codes:
  0  the refund(s) were computed
  1  a file could not be read or parsed, or the library rejected the input;
     the message names the file (or flag) and the field path, e.g.
     order.json: order.lines[2].quantity: must be between 1 and 10000000, got 0
  2  usage error: unknown flag, missing or malformed flag value

Example:
  retcon apportion --order examples/data/order_1005_six_units.json \
      --return L1:1 --then L1:3 --then L1:2
)";

namespace {

constexpr FlagSpec kFlags[] = {
    {"order", FlagKind::kValue},       {"return", FlagKind::kValue},
    {"then", FlagKind::kRepeated},     {"history", FlagKind::kValue},
    {"history-out", FlagKind::kValue}, {"catalog", FlagKind::kValue},
    {"shipping", FlagKind::kSwitch},   {"rounding", FlagKind::kValue},
    {"json", FlagKind::kSwitch},       {"help", FlagKind::kSwitch},
};

// One refund of a sequence, as given on the command line.
struct RefundStep {
  std::string flag;  // "--return" or "--then".
  std::string spec;  // "L1:1,L2:2".
  std::vector<ReturnQuantity> returns;
};

// Everything the flags asked for.
struct ApportionRequest {
  std::string order_path;
  std::string history_path;
  std::string history_out_path;
  std::string catalog_path;
  std::vector<RefundStep> steps;
  bool include_shipping = false;
  RoundingMode rounding = RoundingMode::kHalfAwayFromZero;
  bool json = false;
};

// The documents the request names.
struct ApportionInputs {
  v1::SalesOrder order;
  v1::OrderHistory history;
  v1::Catalog catalog;
};

absl::StatusOr<RoundingMode> ParseRounding(absl::string_view mode) {
  if (mode == "half-away") return RoundingMode::kHalfAwayFromZero;
  if (mode == "half-even") return RoundingMode::kHalfEven;
  return absl::InvalidArgumentError(absl::StrCat(
      "--rounding must be half-away or half-even, got '", mode, "'"));
}

absl::StatusOr<RefundStep> ParseStep(std::string flag, std::string spec) {
  absl::StatusOr<std::vector<ReturnQuantity>> returns = ParseReturnSpec(spec);
  if (!returns.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", returns.status().message()));
  }
  return RefundStep{std::move(flag), std::move(spec), *std::move(returns)};
}

// Usage errors (exit 2) are InvalidArgument here.
absl::StatusOr<ApportionRequest> ReadRequest(const ParsedFlags& flags) {
  ApportionRequest request;
  for (absl::string_view required : {"order", "return"}) {
    if (!flags.Has(required)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", required, " is required"));
    }
  }
  request.order_path = flags.Value("order");
  request.history_path = flags.Value("history");
  request.history_out_path = flags.Value("history-out");
  request.catalog_path = flags.Value("catalog");
  request.include_shipping = flags.Has("shipping");
  request.json = flags.Has("json");
  if (flags.Has("rounding")) {
    absl::StatusOr<RoundingMode> mode = ParseRounding(flags.Value("rounding"));
    if (!mode.ok()) return mode.status();
    request.rounding = *mode;
  }
  absl::StatusOr<RefundStep> first =
      ParseStep("--return", flags.Value("return"));
  if (!first.ok()) return first.status();
  request.steps.push_back(*std::move(first));
  for (const std::string& spec : flags.Values("then")) {
    absl::StatusOr<RefundStep> step = ParseStep("--then", spec);
    if (!step.ok()) return step.status();
    request.steps.push_back(*std::move(step));
  }
  return request;
}

absl::StatusOr<ApportionInputs> ReadInputs(const ApportionRequest& request) {
  ApportionInputs inputs;
  absl::Status status =
      ReadDocument(request.order_path, "order", &inputs.order);
  if (status.ok() && !request.history_path.empty()) {
    status = ReadDocument(request.history_path, "history", &inputs.history);
  }
  if (status.ok() && !request.catalog_path.empty()) {
    status = ReadDocument(request.catalog_path, "catalog", &inputs.catalog);
  }
  if (!status.ok()) return status;
  return inputs;
}

// True when the field path at the start of `message` is under `root`:
// "order.lines[0]: ..." is under "order", "order_total: ..." is not.
bool PathUnder(absl::string_view message, absl::string_view root) {
  return absl::ConsumePrefix(&message, root) && !message.empty() &&
         (message[0] == '.' || message[0] == '[' || message[0] == ':');
}

// Puts the file or flag that a library error is about in front of it: the
// library names the field path ("returns[0].quantity: ..."), the user needs
// to know where that field came from.
std::string Locate(const absl::Status& status, const ApportionRequest& request,
                   const RefundStep& step) {
  absl::string_view message = status.message();
  std::string where;
  if (PathUnder(message, "order")) {
    where = request.order_path;
  } else if (PathUnder(message, "history")) {
    where = request.history_path.empty() ? "history of the earlier refunds"
                                         : request.history_path;
  } else if (PathUnder(message, "returns")) {
    where = absl::StrCat(step.flag, " ", step.spec);
  } else if (PathUnder(message, "catalog")) {
    where = request.catalog_path;
  }
  return where.empty() ? std::string(message)
                       : absl::StrCat(where, ": ", message);
}

std::string DescribeOrder(const v1::SalesOrder& order) {
  std::vector<std::string> ids;
  if (!order.order_id().empty()) {
    ids.push_back(absl::StrCat("id ", order.order_id()));
  }
  if (!order.source().empty()) ids.push_back(order.source());
  return absl::StrCat(
      "Order ", order.order_number(),
      ids.empty() ? "" : absl::StrCat(" (", absl::StrJoin(ids, ", "), ")"),
      ", ", order.currency_code(), ", prices ",
      order.prices_include_tax() ? "include" : "exclude", " tax");
}

std::string DescribeHistory(const ApportionRequest& request,
                            const v1::OrderHistory& history) {
  std::vector<std::string> credited;
  for (const v1::LineHistory& line : history.lines()) {
    if (line.credited_quantity() == 0) continue;
    credited.push_back(absl::StrCat(
        line.order_line_id(), line.component_sku().empty() ? "" : "/",
        line.component_sku(), " x", line.credited_quantity()));
  }
  return absl::StrCat(
      "Already credited (", request.history_path,
      "): ", credited.empty() ? "nothing" : absl::StrJoin(credited, ", "));
}

void PrintRefund(const ApportionRequest& request, size_t index,
                 const Refund& refund, std::ostream& out) {
  const size_t count = request.steps.size();
  out << "\nRefund";
  if (count > 1) out << " " << index + 1 << " of " << count;
  out << ": " << request.steps[index].spec << "\n";
  PrintRefundTable(refund, out);
  out << "  refund " << FormatAmount(refund, refund.total.gross) << "\n";
}

void PrintSequenceTotal(const std::vector<Refund>& refunds, std::ostream& out) {
  int64_t gross = 0, net = 0;
  for (const Refund& refund : refunds) {
    gross += refund.total.gross;
    net += refund.total.net;
  }
  const int exponent = refunds.front().exponent;
  out << "\nTotal of the " << refunds.size()
      << " refunds: " << FormatAmount(refunds.front(), gross) << " (net "
      << FormatMinorUnits(net, exponent) << " + tax "
      << FormatMinorUnits(gross - net, exponent) << ")\n";
}

// Computes every refund of the request in turn, each continuing from the
// history left by those before it; `inputs.history` ends up holding them
// all. Errors name the file or flag the failing field came from.
absl::StatusOr<std::vector<Refund>> ComputeRefunds(
    const ApportionRequest& request, ApportionInputs& inputs) {
  ApportionOptions options;
  options.rounding = request.rounding;
  options.include_shipping = request.include_shipping;
  if (!request.catalog_path.empty()) options.catalog = &inputs.catalog;
  std::vector<Refund> refunds;
  for (const RefundStep& step : request.steps) {
    absl::StatusOr<Refund> refund =
        ApportionRefund(inputs.order, inputs.history, step.returns, options);
    if (!refund.ok()) {
      return absl::Status(refund.status().code(),
                          Locate(refund.status(), request, step));
    }
    absl::Status recorded =
        RecordRefund(inputs.order, *refund, &inputs.history, options);
    if (!recorded.ok()) {
      return absl::Status(recorded.code(), Locate(recorded, request, step));
    }
    refunds.push_back(*std::move(refund));
  }
  return refunds;
}

void PrintRefunds(const ApportionRequest& request,
                  const ApportionInputs& inputs,
                  const v1::OrderHistory& history_before,
                  const std::vector<Refund>& refunds, std::ostream& out) {
  if (request.json) {
    for (const Refund& refund : refunds) {
      out << CreditNoteJson(inputs.order, refund) << "\n";
    }
    return;
  }
  out << DescribeOrder(inputs.order) << "\n";
  if (!request.history_path.empty()) {
    out << DescribeHistory(request, history_before) << "\n";
  }
  for (size_t i = 0; i < refunds.size(); ++i) {
    PrintRefund(request, i, refunds[i], out);
  }
  if (refunds.size() > 1) PrintSequenceTotal(refunds, out);
}

}  // namespace

int RunApportion(absl::Span<const char* const> args, std::ostream& out,
                 std::ostream& err) {
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kFlags);
  if (!flags.ok())
    return UsageError("apportion", flags.status().message(), err);
  if (flags->Has("help")) {
    out << kApportionHelp;
    return kExitOk;
  }
  absl::StatusOr<ApportionRequest> request = ReadRequest(*flags);
  if (!request.ok()) {
    return UsageError("apportion", request.status().message(), err);
  }
  absl::StatusOr<ApportionInputs> inputs = ReadInputs(*request);
  if (!inputs.ok()) {
    err << "retcon apportion: " << inputs.status().message() << "\n";
    return kExitError;
  }
  const v1::OrderHistory history_before = inputs->history;
  absl::StatusOr<std::vector<Refund>> refunds =
      ComputeRefunds(*request, *inputs);
  if (!refunds.ok()) {
    err << "retcon apportion: " << refunds.status().message() << "\n";
    return kExitError;
  }
  PrintRefunds(*request, *inputs, history_before, *refunds, out);
  if (request->history_out_path.empty()) return kExitOk;
  absl::Status written =
      WriteDocument(request->history_out_path, inputs->history);
  if (!written.ok()) {
    err << "retcon apportion: " << written.message() << "\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace cli
}  // namespace retcon
