// The planner's shared parts: its immutable configuration and the state of
// one Plan() call, used by the files that plan each kind of posting.
#ifndef RETCON_LIB_PLAN_INTERNAL_PLAN_CONTEXT_H_
#define RETCON_LIB_PLAN_INTERNAL_PLAN_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/arena.h"
#include "lib/internal/resolutions.h"
#include "re2/re2.h"
#include "retcon/apportion.h"
#include "retcon/idempotency.h"
#include "retcon/planner.h"
#include "retcon/rules.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace plan_internal {

// Platform SKU -> ERP SKU through the catalog's rewrites and aliases.
class SkuMap {
 public:
  // Compiles the rewrites; errors name "catalog.sku_rewrites[i].pattern".
  static absl::StatusOr<SkuMap> Create(const v1::Catalog& catalog);

  // The ERP SKU `platform_sku` stands for: its alias; else, when it is a
  // SKU the catalog names as an ERP SKU (an alias's erp_sku, a bundle's
  // component or a kit-stocked bundle), the SKU itself; else the first
  // rewrite whose pattern matches it whole, then that result's alias or the
  // result itself; else the SKU unchanged. So a rewrite meant for the
  // shop's SKUs never renames a SKU the ERP already stocks.
  std::string Map(absl::string_view platform_sku) const;

 private:
  struct Rewrite {
    std::unique_ptr<RE2> pattern;
    std::string rewrite;
  };
  absl::flat_hash_map<std::string, std::string> aliases_;
  absl::flat_hash_set<std::string> erp_skus_;  // Known ERP SKUs.
  std::vector<Rewrite> rewrites_;
};

// Where a decision and the outputs the planner reads are in the rule set;
// index -1 when the rule set has no such decision.
struct DecisionRef {
  int index = -1;
  int outputs[2] = {-1, -1};  // -1: the decision lacks that output.
};

// What the planner expects of one decision: its name, fact type and the
// outputs it reads (up to two; nullptr ends the list), each of a type and,
// for an ENUM, of an enum type (nullptr: any).
struct ExpectedDecision {
  const char* name;
  const google::protobuf::Descriptor* fact;
  const char* outputs[2];
  v1::Output::Type types[2];
  const char* enum_types[2];
};
// Where `want` is in `rules` (lib/plan/decisions.cc): index -1 when the
// rule set has no such decision. InvalidArgument, naming the decision, when
// it takes another fact type, has an output `want` names with the wrong
// type, or has none of them.
absl::StatusOr<DecisionRef> Resolve(const CompiledRuleSet& rules,
                                    const ExpectedDecision& want);

// The generated accessors of the planner's fact types (ReturnItemFact,
// RefundFact, ExchangeFact, ExceptionFact), for the rules engine.
class FactAccessorSet {
 public:
  // Internal error when the rules engine refuses an accessor (a bug).
  static absl::StatusOr<FactAccessorSet> Build();
  // Build(), once per process.
  static absl::StatusOr<const FactAccessorSet*> Shared();
  // The accessors of `type`; nullptr for any other type.
  const FieldAccessors* For(const google::protobuf::Descriptor* type) const;

 private:
  std::vector<FieldAccessors> types_;
};

// Everything Planner::Create prepared.
struct PlannerConfig {
  std::shared_ptr<const CompiledRuleSet> rules;
  v1::Catalog catalog;
  PlannerOptions options;
  SkuMap skus;
  const FactAccessorSet* facts = nullptr;  // FactAccessorSet::Shared().
  DecisionRef depot;                       // outputs[0]: depot
  DecisionRef disposition;                 // outputs[0]: disposition
  DecisionRef refund_policy;               // outputs[0]: shipping
  DecisionRef refund_tolerance;  // outputs: absolute_minor, basis_points
  DecisionRef exchange_type;     // outputs[0]: order_type
  DecisionRef routing;           // outputs: owner, severity

  // Apportioning as configured: the rounding mode, and the catalog for
  // bundle weights.
  ApportionOptions Apportioning() const {
    ApportionOptions apportioning;
    apportioning.rounding = options.rounding;
    apportioning.catalog = &catalog;
    return apportioning;
  }
};

// A problem found while planning one posting, before routing.
struct Issue {
  v1::ExceptionCode code = v1::EXCEPTION_CODE_UNSPECIFIED;
  std::string message;
  std::vector<v1::ExceptionDetail> details;
  int64_t amount_minor = 0;  // Money at stake, for routing.
  // Defaults that depend on the case (a replay conflict of a stock movement
  // is operations'); UNSPECIFIED takes the code's default.
  v1::Owner owner = v1::OWNER_UNSPECIFIED;
  v1::Severity severity = v1::SEVERITY_UNSPECIFIED;
};

// An exception detail: the field concerned, what was expected and what was
// found (lib/plan/exceptions.cc).
v1::ExceptionDetail Detail(std::string field, std::string expected,
                           std::string actual);

// Checks of Plan()'s inputs (lib/plan/input_validation.cc): the return's
// own shape against `order`, whose figures are in `currency`; business
// problems are left to the planners. InvalidArgument naming the field at
// fault ("return.lines[0].quantity: ...").
absl::Status ValidateReturn(const v1::SalesOrder& order,
                            const v1::ReturnRequest& ret,
                            const std::string& currency);
// The history's own shape: its order id, non-negative quantities, keys.
absl::Status ValidateHistory(const v1::SalesOrder& order,
                             const v1::OrderHistory& history);

// The state of one Plan() call.
struct PlanContext {
  // `working` starts as a copy of the history; `arena` holds the facts and
  // other temporaries of this call.
  PlanContext(const PlannerConfig& config, const v1::SalesOrder& order,
              const v1::ReturnRequest& ret, const OrderFigures& figures,
              v1::OrderHistory& working, v1::PostingPlan& plan,
              google::protobuf::Arena* arena)
      : config(config),
        order(order),
        ret(ret),
        figures(figures),
        working(working),
        plan(plan),
        arena(arena) {}

  const PlannerConfig& config;
  const v1::SalesOrder& order;
  const v1::ReturnRequest& ret;
  const OrderFigures& figures;  // Of `order`.
  // The history as the postings planned so far (not parked) leave it.
  // Read only by the postings planned after them: the last credit note
  // (Plan() ends with the credit notes) is not added to it.
  v1::OrderHistory& working;
  v1::PostingPlan& plan;
  google::protobuf::Arena* arena;

  // An empty rules fact of type T. One per type and thread, cleared and
  // reused (its strings keep their buffers): valid until the next call for
  // the same type on this thread, so never hold two of one type at once.
  template <typename T>
  T* Scratch() const {
    thread_local T fact;
    fact.Clear();
    return &fact;
  }
  // history.postings by key.
  absl::flat_hash_map<std::string, const v1::PostedKey*> posted;
  std::optional<int64_t> days_since_order;
  int64_t order_paid_minor = 0;  // Goods and shipping.
  // Per return line replaced by an exchange, valued once against the
  // history as it came in (so that credit notes and the exchange order use
  // the same figures): new items less returned units, and the returned
  // units' figures.
  struct ExchangeValue {
    bool exchanged = false;
    bool has_items = false;  // Some exchange item replaces the line.
    int64_t difference = 0;
    int64_t excess = 0;  // Units beyond what is still refundable.
    // A component the order and catalog give no price share: the returned
    // units have no value to set against the new items.
    bool unvalued = false;
    Figures returned;  // Of the units still refundable.
  };
  std::vector<ExchangeValue> exchange_values;
  // Whether this plan parked the exchange order (refunds owed on it wait).
  bool exchange_parked = false;
  // The order as given; `order` may be a copy without the components of
  // bundles whose price split is unknown (see WithoutUnknownBundles).
  const v1::SalesOrder* original = nullptr;

  const std::string& currency() const { return figures.currency_code; }
  int exponent() const { return figures.exponent; }
  std::string Format(int64_t minor) const;  // "GBP 24.99"
  // Sets `money` to `minor` units of the order's currency.
  void SetMoney(int64_t minor, v1::Money* money) const;

  // Index of the order line `line_id`, or -1.
  int OrderLine(absl::string_view line_id) const;
  // The paid figures of a line, or of one component of a bundle line
  // (nullptr when the line has no such component).
  const PaidLine* Paid(int order_line, absl::string_view component_sku) const;
  // The working history entry of a line or component (nullptr when none).
  const v1::LineHistory* History(absl::string_view order_line_id,
                                 absl::string_view component_sku) const;
};

// The working history's entries (lib/plan/line_history.cc).
// Units of order line `order_line` (or of one of its components) moved
// back so far per `history`. The history keeps bundle lines per component,
// so a bundle line as a whole (a kit) counts complete sets.
int64_t MovedUnits(const OrderFigures& figures, const v1::SalesOrder& order,
                   const v1::OrderHistory& history, int order_line,
                   absl::string_view component);
// Adds `quantity` moved units of the line or component to `history`; a kit
// (a whole bundle line) adds quantity x per-bundle to each component.
void AddMoved(const OrderFigures& figures, const v1::SalesOrder& order,
              int order_line, absl::string_view component, int64_t quantity,
              v1::OrderHistory& history);

// The entry of a line or component in `history`, added when missing.
v1::LineHistory* MutableHistory(v1::OrderHistory& history,
                                absl::string_view order_line_id,
                                absl::string_view component_sku);

// What happened to a posting already in the history: kNew when its key is
// not there; kDropped when it is with the same fingerprint (recorded in
// plan.already_posted); kConflict when the fingerprint differs (a
// REPLAY_CONFLICT exception is added).
enum class Replay { kNew, kDropped, kConflict };
absl::StatusOr<Replay> CheckReplay(PlanContext& ctx, const v1::PostingId& id,
                                   v1::PostingKind kind,
                                   absl::string_view what);

// Routes `issues` (owner, severity: defaults, then `exception_routing`),
// adds them to the plan's exceptions naming `key` as parked when blocking,
// and returns whether any is blocking. Errors: a routing decision that
// fails to evaluate (two rows under UNIQUE).
absl::StatusOr<bool> RaiseIssues(PlanContext& ctx, std::vector<Issue>& issues,
                                 absl::string_view key);

// "1 unit", "3 units", for messages.
std::string Units(int64_t n);
// "A", "A and B", "A, B and C", for messages.
std::string ListOf(const std::vector<std::string>& names);

// Why a returned or exchanged component has no price share, for an
// UNKNOWN_BUNDLE message: `reason` completes "..., but <reason>." (the
// component is not one of a known bundle's components, listing them; the
// order lists it without a price split and the catalog lacks the bundle;
// the order lists other components; the line is no bundle at all), and
// `action` says what to do.
struct UnknownComponent {
  std::string reason;
  std::string action;
  bool split_unknown = false;  // A listed component, only its price unknown.
};
UnknownComponent DescribeUnknownComponent(const PlanContext& ctx,
                                          int order_line,
                                          absl::string_view component);

// Moves the last element of `from` to the end of `to` (fields of one
// message, so on one arena): no copy.
template <typename T>
void MoveLast(google::protobuf::RepeatedPtrField<T>* from,
              google::protobuf::RepeatedPtrField<T>* to) {
  to->UnsafeArenaAddAllocated(from->UnsafeArenaReleaseLast());
}

// Fills `id` from an identity and the fingerprint of its content.
void SetPostingId(std::string identity, const Uuid& fingerprint,
                  v1::PostingId* id);

// The facts every decision shares, from the order and return.
void FillCommonFacts(const PlanContext& ctx, std::string* source,
                     std::string* currency, std::string* country,
                     std::string* channel);

// Both outputs of decision `ref` for `fact`, from one evaluation:
// outputs[k] is nullptr when the decision or output is absent or no row (nor
// default) matched. Errors from the evaluation (a UNIQUE table with two
// matches) come back as an error.
absl::Status Decide(const PlanContext& ctx, const DecisionRef& ref,
                    const google::protobuf::Message& fact,
                    const v1::Value* outputs[2]);
// Output `output` (0 or 1) of decision `ref` for `fact`, as Decide.
absl::StatusOr<const v1::Value*> DecideOne(
    const PlanContext& ctx, const DecisionRef& ref, int output,
    const google::protobuf::Message& fact);

// Output `output` (0 or 1) of the decision `ref` refers to.
struct DecisionOutput {
  const DecisionRef* ref;
  int output;
};
// values[i] = DecideOne(ctx, *wanted[i].ref, wanted[i].output, fact), the
// decisions evaluated together in order, so that a field of `fact` several
// of them take is read once. The first error is returned.
// REQUIRES: values.size() == wanted.size().
absl::Status DecideEach(const PlanContext& ctx,
                        absl::Span<const DecisionOutput> wanted,
                        const google::protobuf::Message& fact,
                        absl::Span<const v1::Value*> values);

// Whether a resolution gives money back: one definition with reconcile.
using ::retcon::internal::IsRefundResolution;
bool InStatuses(v1::ReturnStatus status,
                const std::vector<v1::ReturnStatus>& statuses);

// A copy of `order` without the components of bundle lines whose split is
// unknown (components listed without allocated prices, and no catalog
// definition), so that the rest of the order can still be valued; nullopt
// when there are none.
std::optional<v1::SalesOrder> WithoutUnknownBundles(const v1::SalesOrder& order,
                                                    const v1::Catalog& catalog);

// An order as the planner values it, with the apportioning options of its
// configuration (rounding, catalog): the order itself, or the copy
// WithoutUnknownBundles makes of it. Refers to `order` and `config`.
class ValuedOrder {
 public:
  ValuedOrder(const v1::SalesOrder& order, const PlannerConfig& config);
  ValuedOrder(const ValuedOrder&) = delete;
  ValuedOrder& operator=(const ValuedOrder&) = delete;

  const v1::SalesOrder& order() const { return known_ ? *known_ : order_; }
  const ApportionOptions& options() const { return options_; }

 private:
  const v1::SalesOrder& order_;
  std::optional<v1::SalesOrder> known_;
  ApportionOptions options_;
};

// Rewrites the line-level entries of bundle lines in `history` per
// component: entries recorded while the bundle's split was unknown (the
// catalog defined it later). Each component gets the whole bundles' units
// (credited, moved, exchanged) times its units per bundle, and its part of
// the credited amounts, split by what each component was paid (largest
// remainder, exact sum), so later refunds continue cumulatively from them.
// `order` and `figures` are the order as valued (WithoutUnknownBundles);
// lines still of unknown split keep their line-level entries. Errors:
// InvalidArgument for quantities beyond the bundles sold, or taxes at rates
// the line does not have.
absl::Status SplitBundleHistory(const OrderFigures& figures,
                                const v1::SalesOrder& order, RoundingMode mode,
                                v1::OrderHistory& history);

// Planner's Record* methods (lib/plan/record.cc).
absl::Status RecordCreditNote(const PlannerConfig& config,
                              const v1::SalesOrder& order,
                              const v1::CreditNote& note,
                              v1::OrderHistory* history);
absl::Status RecordStockMovement(const PlannerConfig& config,
                                 const v1::SalesOrder& order,
                                 const v1::StockMovement& movement,
                                 v1::OrderHistory* history);
absl::Status RecordExchangeOrder(const v1::SalesOrder& order,
                                 const v1::ExchangeOrder& exchange,
                                 v1::OrderHistory* history);

// The refund transactions of a return as its credit notes see them
// (lib/plan/refund_cover.cc). A credit note posted for a transaction that
// has since FAILED or been CANCELED stays in the ERP: retcon reverses
// nothing, and the history has no record of a reversal, so it still counts
// the note's units as credited. The return lines that note covers are
// "held" by it: credited once already, so no later note credits them again
// (neither a replacement transaction's nor the finalised note), and the
// held note stands for whatever live transaction pays for them.
struct RefundCover {
  struct Transaction {
    bool repeated = false;  // Its refund_id came earlier: ignored.
    bool live = false;      // Not FAILED or CANCELED.
    // Its credit note is in the history. Known for every transaction that
    // is not live, and for live ones that cover a held line.
    bool posted = false;
    absl::InlinedVector<int, 8> lines;  // Return lines it covers.
    // The lines its own note credits: for a live transaction, `lines` less
    // the held ones; else `lines`.
    absl::InlinedVector<int, 8> credited;
    // Live and every line of it held: it gets no note of its own.
    bool StandsIn() const { return live && !lines.empty() && credited.empty(); }
    // Live and some, not all, of its lines held.
    bool PartlyHeld() const {
      return live && !credited.empty() && credited.size() < lines.size();
    }
    // What the held notes credit for its held lines (goods less their
    // fees, and the return's fees when a held note deducted them and it
    // covers all that note's lines), as the history counts those units
    // (the last ones credited of their lines); for a held note, what it
    // credits itself. Shipping such a note credited is not counted.
    int64_t held_value = 0;
    // A partly held transaction whose own note is posted, and that note
    // credits only the lines not held (so no item is credited twice).
    bool posted_others_only = false;
    // A partly held transaction: what its own note credits, once known
    // (planned this time, or posted and valued like `held_value`).
    int64_t own_value = 0;
    // What a live transaction covering held lines paid for, once known
    // (its amount checked this plan, or its own note posted).
    enum class Paid { kUnknown, kHeldToo, kOthersOnly, kNeither };
    Paid paid = Paid::kUnknown;
  };
  std::vector<Transaction> refunds;  // Per ctx.ret.refunds.
  std::vector<bool> held;            // Per return line.
  // Per return line: what the held notes credit for a held line (goods,
  // before fees), as `held_value` counts it.
  std::vector<int64_t> line_value;
};

// Whether a refund transaction is live: not FAILED or CANCELED.
bool LiveRefund(const v1::RefundTransaction& refund);
// The return lines a transaction covers: those it lists, all when none.
absl::InlinedVector<int, 8> CoveredLines(const v1::ReturnRequest& ret,
                                         const v1::RefundTransaction& refund);
// The identity of the credit note of `refund` (nullptr: the finalised
// return's note), from which its idempotency key is computed
// (lib/plan/credit_identity.cc).
std::string CreditNoteIdentity(const v1::ReturnRequest& ret,
                               const v1::RefundTransaction* refund);

absl::StatusOr<RefundCover> CoverOf(const PlanContext& ctx);

// The gross the fees deduct from a note crediting return lines `lines` (in
// ascending order), and the return's fees when `return_fees` (a fee is a
// negative credit line: the result is >= 0 for fees). Errors: a fee's tax
// rate that does not parse (lib/plan/credit_lines.cc).
absl::StatusOr<int64_t> FeesOf(const PlanContext& ctx,
                               absl::Span<const int> lines, bool return_fees);
// Whether the posted note of refund `index` credits exactly `lines`: its
// fingerprint is that of a note of those lines, with the return's fees
// (*return_fees set true) or without (lib/plan/credit_identity.cc).
bool PostedNoteOf(const PlanContext& ctx, int index,
                  absl::Span<const int> lines, bool* return_fees);

// The REFUND_VARIANCE (a warning: nothing is parked) for the posted note of
// refund `index`, which is not live: what that note stands for now, and
// what finance must do about it. Run after the credit notes are planned:
// it reads what each replacement paid for (Transaction::paid).
// REQUIRES: cover.refunds[index] is neither repeated nor live, and posted.
// (lib/plan/held_note_message.cc, with DescribeHeldLines.)
absl::Status ReportNoteOfFailedRefund(PlanContext& ctx,
                                      const RefundCover& cover, int index);

// The held lines of live transaction `index` that an earlier transaction
// (in refunds order) pays for: one standing in for them, or a partly held
// one found to pay for its held lines too. Each held line is paid for once.
absl::InlinedVector<int, 8> HeldPaidEarlier(const RefundCover& cover,
                                            int index);
// The held value of transaction `index` for the held lines no earlier
// transaction pays for (HeldPaidEarlier): its `held_value` when there are
// none, 0 when it is all of them. *payers: those earlier transactions.
absl::StatusOr<int64_t> HeldValueLeft(const PlanContext& ctx,
                                      const RefundCover& cover, int index,
                                      std::vector<int>* payers);

// For a message about live refund `index`'s note: which of its lines held
// notes credit and which refunds those notes were for ("line 'R1' of it is
// already credited by the credit note posted for refund RF1, which
// failed"); empty when none of its lines is held
// (lib/plan/held_note_message.cc).
std::string DescribeHeldLines(const PlanContext& ctx, const RefundCover& cover,
                              int index);

// The parts of Plan(), in the order it runs them.
absl::Status PlanStockMovements(PlanContext& ctx);
absl::Status PlanCreditNotes(PlanContext& ctx);
absl::Status PlanExchange(PlanContext& ctx);

// Fills ctx.exchange_values: for each return line replaced by an exchange
// (an EXCHANGE line, or one an exchange item names), the value of the items
// replacing it less the value of the returned units (their share of what
// the line paid, continuing from the history).
absl::Status ValueExchanges(PlanContext& ctx);

}  // namespace plan_internal
}  // namespace retcon

#endif  // RETCON_LIB_PLAN_INTERNAL_PLAN_CONTEXT_H_
