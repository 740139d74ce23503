#include "examples/retcon/plan_command.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "examples/retcon/command_line.h"
#include "examples/retcon/documents.h"
#include "examples/retcon/feed.h"
#include "examples/retcon/json_line.h"
#include "examples/retcon/ledger.h"
#include "examples/retcon/plan_inputs.h"
#include "examples/retcon/plan_outputs.h"
#include "examples/retcon/plan_summary.h"
#include "examples/retcon/return_paths.h"
#include "examples/retcon/returngo_lines.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "retcon/idempotency.h"
#include "retcon/planner.h"
#include "retcon/rules.h"
#include "retcon/v1/catalog.pb.h"
#include "retcon/v1/facts.pb.h"

namespace retcon {
namespace cli {

const char kPlanHelp[] =
    R"(Usage: retcon plan --rules FILE --catalog FILE --orders FILE --returns FILE
                   [--ledger FILE] [--out DIR] [--format FORMAT]
                   [--orders-format FORMAT] [--returns-format FORMAT]
                   [--commit-every N] [--as-of DATE] [--stats]
                   [--returngo-lines unit|grouped]

The batch run: plans every return of the feed against its order, with the
rules and the catalog, and writes what to post and what is parked.

Flags:
  --rules FILE     retcon.v1.RuleSet, or retcon.v1.RuleBook (versions with
                   effective dates), text format (*.textproto, *.txtpb,
                   *.pbtxt, *.prototxt) or JSON. Required. With a rule book,
                   each return is planned with the version in force on its
                   created_at date (UTC; the latest version when it has
                   none).
  --as-of DATE     YYYY-MM-DD: plan every return with the rule book's
                   version in force on DATE instead.
  --catalog FILE   retcon.v1.Catalog (bundles, SKU aliases), JSON or text
                   format. Required.
  --orders FILE    The orders the returns are against. Required.
  --returns FILE   The returns, planned in file order. Required.
  --ledger FILE    SQLite ledger of what was already handed over (created
                   when absent). A rerun of the same or an overlapping feed
                   posts nothing twice; a crash loses nothing committed.
                   Without it, nothing is remembered between runs.
  --out DIR        Where postings.ndjson and exceptions.ndjson are written
                   (replaced; the directory is created, with its parents,
                   if missing). Default: the current directory.
  --format F       auto (default), retcon, returngo or shopify, for both
                   files: retcon = retcon.v1 JSON; returngo and shopify =
                   ReturnGo RMAs (GET /rma/{id}) with Shopify orders.
  --orders-format F, --returns-format F
                   The same for one file (override --format).
  --returngo-lines unit|grouped
                   How ReturnGo RMAs become return lines: unit (default)
                   makes one line per returned unit, whose id, and so the
                   postings' idempotency keys, never change as the RMA
                   progresses; grouped joins units that agree into one line
                   (fewer posting lines, but its id can change when an RMA
                   fetched again has a unit refunded or judged apart). A
                   ledger keeps the setting of the first run that planned
                   RMAs on it and refuses the other (exit 1); a ledger that
                   held ReturnGo postings before it recorded the setting is
                   grouped.
  --commit-every N Returns per ledger transaction (default 100). Each return
                   is still all or nothing (a savepoint); outputs are
                   written after each commit.
  --stats          Time spent per phase, on stderr.
  -h, --help       Show this help.

Input files are NDJSON (one JSON object a line; blank lines skipped) or one
JSON array of objects. With auto, each file's format is told from its first
recognisable record (retcon.v1 SalesOrder / ReturnRequest JSON, a Shopify
order, a ReturnGo RMA); every record of the file must be of that format.
Returns join their order by order_id, else by order_number (a ReturnGo RMA
carries the Shopify order's id and name).

Outputs: postings.ndjson, one ready posting a line, as
{"credit_note": {...}}, {"stock_movement": {...}} or {"exchange_order": {...}}
(retcon.v1 JSON, proto field names); exceptions.ndjson, one
retcon.v1.Exception a line. Parked postings are not written: the exception
names them (parked_keys). With a ledger, a rerun writes only what is new. The
summary (stdout): counts and money by document type, stock units by depot x
disposition, exceptions by code x owner. Progress goes to stderr when it is
a terminal.

A bad record (malformed JSON, unknown field, wrong type, an order that is
not in --orders, a return the planner rejects) is reported on stderr as
FILE:LINE: FIELD: PROBLEM and skipped; the rest is planned. In a JSON array
the place is FILE:LINE (element [I]): the line where the element starts and
its 0-based index. A field of a return read from a ReturnGo RMA is named as
the retcon.v1.ReturnRequest field, with the RMA and where in the RMA it
comes from: "RMA '10001' (as retcon.v1.ReturnRequest):
return.lines[0].order_line_id (from shopLineItemId of the item with
returnedItemId "9001"): ...".

Exit codes:
  0  every record was planned
  1  the run could not start or stopped: unreadable file, bad rules or
     catalog, ledger of another schema, locked, or kept to the other
     --returngo-lines, write error
  2  usage error
  3  some records were reported and skipped; the others were planned and
     written
See docs/integration/cli.md.
)";

namespace {

constexpr char kCommand[] = "plan";
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// Time per phase, for --stats.
struct PhaseTimes {
  Clock::duration load{}, parse{}, plan{}, record{}, ledger{}, write{};
};

class Stopwatch {
 public:
  explicit Stopwatch(Clock::duration* into)
      : into_(into), start_(Clock::now()) {}
  ~Stopwatch() { *into_ += Clock::now() - start_; }

 private:
  Clock::duration* into_;
  Clock::time_point start_;
};

std::string Deterministic(const google::protobuf::Message& message) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

// Progress on stderr, only when it is a terminal.
class Progress {
 public:
  Progress(const FeedReader& feed, std::ostream& err)
      : feed_(feed),
        err_(err),
        enabled_(::isatty(STDERR_FILENO) == 1),
        start_(Clock::now()),
        last_(start_) {}

  void Tick(int64_t returns) {
    if (!enabled_ || (returns & 63) != 0) return;
    const Clock::time_point now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    const double elapsed = Seconds(now - start_);
    const double done = static_cast<double>(feed_.bytes_read());
    const double total = static_cast<double>(feed_.size());
    const double eta = done > 0 ? elapsed * (total - done) / done : 0;
    err_ << absl::StrFormat(
                "\rretcon plan: %d returns, %.0f/s, %.1f MB/s, %3.0f%%, ETA "
                "%d:%02d  ",
                returns, returns / elapsed, done / elapsed / 1e6,
                total > 0 ? 100 * done / total : 100.0,
                static_cast<int>(eta) / 60, static_cast<int>(eta) % 60)
         << std::flush;
    shown_ = true;
  }
  void Done() {
    if (shown_) err_ << "\r\033[K" << std::flush;
  }

 private:
  const FeedReader& feed_;
  std::ostream& err_;
  const bool enabled_;
  bool shown_ = false;
  Clock::time_point start_, last_;
};

// A run of the plan command: the state shared by its steps.
class PlanRun {
 public:
  PlanRun(const DatedPlanners& planners, std::string as_of,
          const OrderIndex& orders, Ledger* ledger, std::ostream& err)
      : planners_(planners),
        as_of_(std::move(as_of)),
        orders_(orders),
        ledger_(ledger),
        err_(err) {}

  absl::Status OpenOutputs(const std::string& dir, const std::string& command);
  // `kind`: what the feed's records are (DetectReturnsKind).
  absl::Status PlanFeed(const std::string& path, PayloadKind kind,
                        const ReturnGoOptions& returngo, int64_t commit_every);
  // The first RMA planned records the run's --returngo-lines in the ledger.
  void set_record_returngo_lines(bool record) {
    record_returngo_lines_ = record;
  }
  absl::Status Finish();

  PlanSummary& summary() { return summary_; }
  PhaseTimes& times() { return times_; }
  const std::string& postings_path() const { return postings_.path(); }
  const std::string& exceptions_path() const { return exceptions_.path(); }

 private:
  // Plans one return and, in a savepoint, records it; the lines go to the
  // pending buffers. Errors are the record's (reported, skipped).
  absl::Status PlanOne(const FeedRecord& record, PayloadKind kind);
  absl::Status RecordPlan(
      const v1::SalesOrder& order, const v1::PostingPlan& plan,
      v1::OrderHistory* history, std::string* postings, std::string* exceptions,
      std::vector<std::pair<const v1::Exception*, std::string>>* queued);
  // Commits the open transaction and appends the pending lines.
  absl::Status Flush();
  // `status`, about the return being planned, with the record's place in
  // front and, for a ReturnGo RMA, the RMA's terms (return_paths.h).
  absl::Status WithWhere(absl::string_view where,
                         const absl::Status& status) const;

  const DatedPlanners& planners_;
  const std::string as_of_;           // --as-of: the rule book version to use.
  const Planner* planner_ = nullptr;  // The version for the current return.
  const OrderIndex& orders_;
  ReturnGoOptions returngo_;  // How ReturnGo RMAs are read.
  Ledger* ledger_;            // Null without --ledger.
  // The ledger has no --returngo-lines yet: the first RMA planned records it.
  bool record_returngo_lines_ = false;
  std::ostream& err_;
  int64_t run_id_ = 0;
  OutputFile postings_, exceptions_;
  int64_t next_posting_seq_ = 1, next_exception_seq_ = 1;
  std::string pending_postings_, pending_exceptions_;
  bool in_transaction_ = false;
  int64_t uncommitted_returns_ = 0, committed_returns_ = 0;
  int64_t crash_after_ = -1;  // RETCON_TEST_CRASH_AFTER.
  absl::Status fatal_;        // A ledger error: the run stops.
  // Without a ledger: the histories and exceptions of this run.
  std::unordered_map<std::string, v1::OrderHistory> histories_;
  std::unordered_set<std::string> exception_keys_;
  PlanSummary summary_;
  PhaseTimes times_;
  v1::ReturnRequest ret_;
  PayloadKind kind_ = PayloadKind::kUnknown;  // What ret_ was read from.
  v1::SalesOrder order_;
  v1::PostingPlan plan_;
};

absl::Status PlanRun::OpenOutputs(const std::string& dir,
                                  const std::string& command) {
  absl::StatusOr<std::string> postings = AbsolutePath(dir + "/postings.ndjson");
  if (!postings.ok()) return postings.status();
  absl::StatusOr<std::string> exceptions =
      AbsolutePath(dir + "/exceptions.ndjson");
  if (!exceptions.ok()) return exceptions.status();
  absl::Status s = postings_.Open(*postings);
  if (s.ok()) s = exceptions_.Open(*exceptions);
  if (!s.ok() || ledger_ == nullptr) return s;
  if (const char* crash = std::getenv("RETCON_TEST_CRASH_AFTER")) {
    if (!absl::SimpleAtoi(crash, &crash_after_)) crash_after_ = -1;
  }
  absl::StatusOr<int64_t> run =
      ledger_->BeginRun(*postings, *exceptions, command);
  if (!run.ok()) return run.status();
  run_id_ = *run;
  Repair repair;
  s = RepairRuns(*ledger_, run_id_, postings_, exceptions_, &next_posting_seq_,
                 &next_exception_seq_, &repair, err_);
  summary_.AddRecovered(repair.adopted_postings, repair.adopted_exceptions);
  return s;
}

absl::Status PlanRun::PlanFeed(const std::string& path, PayloadKind kind,
                               const ReturnGoOptions& returngo,
                               int64_t commit_every) {
  returngo_ = returngo;
  absl::StatusOr<std::unique_ptr<FeedReader>> feed = FeedReader::Open(path);
  if (!feed.ok()) return feed.status();
  Progress progress(**feed, err_);
  PlanCounts& counts = summary_.counts();
  FeedRecord record;
  while (true) {
    {
      Stopwatch watch(&times_.load);
      if (!(*feed)->Next(&record)) break;
    }
    ++counts.returns_read;
    absl::Status s = kind == PayloadKind::kUnknown ? UnrecognisedReturn(record)
                                                   : PlanOne(record, kind);
    if (!fatal_.ok()) return fatal_;
    if (s.ok()) {
      ++counts.returns_planned;
    } else {
      ++counts.returns_failed;
      progress.Done();
      err_ << "retcon plan: " << s.message() << "\n";
    }
    if (++uncommitted_returns_ >= commit_every ||
        (ledger_ == nullptr && pending_postings_.size() > (1 << 20))) {
      absl::Status f = Flush();
      if (!f.ok()) return f;
    }
    progress.Tick(counts.returns_read);
  }
  progress.Done();
  if (!(*feed)->error().ok()) {
    ++counts.returns_failed;
    err_ << "retcon plan: " << (*feed)->error().message() << "\n";
  }
  return Flush();
}

absl::Status PlanRun::WithWhere(absl::string_view where,
                                const absl::Status& status) const {
  return AboutReturn(where, kind_, ret_, status);
}

absl::Status PlanRun::PlanOne(const FeedRecord& record, PayloadKind kind) {
  kind_ = kind;
  {
    Stopwatch watch(&times_.parse);
    absl::Status s = ParseReturnRecord(record, kind, &ret_, returngo_);
    if (!s.ok()) return s;
  }
  std::string order_where;
  if (absl::Status s = orders_.Find(ret_, &order_, &order_where); !s.ok()) {
    return WithWhere(record.where, s);
  }
  v1::OrderHistory history;
  if (ledger_ != nullptr) {
    Stopwatch watch(&times_.ledger);
    if (!in_transaction_) {
      fatal_ = ledger_->Begin();
      if (!fatal_.ok()) return fatal_;
      in_transaction_ = true;
    }
    fatal_ = ledger_->LoadHistory(order_.order_id(), &history);
    if (!fatal_.ok()) return fatal_;
  } else if (auto it = histories_.find(order_.order_id());
             it != histories_.end()) {
    history = it->second;
  } else {
    history.set_order_id(order_.order_id());
  }
  {
    Stopwatch watch(&times_.plan);
    absl::StatusOr<const Planner*> planner = planners_.For(ret_, as_of_);
    if (!planner.ok()) return WithWhere(record.where, planner.status());
    planner_ = *planner;
    absl::Status s = planner_->Plan(order_, ret_, history, &plan_);
    if (!s.ok()) {
      s = WithWhere(record.where, s);
      return absl::Status(
          s.code(), absl::StrCat(s.message(), " (order at ", order_where, ")"));
    }
  }
  std::string postings, exceptions;
  std::vector<std::pair<const v1::Exception*, std::string>> queued;
  if (ledger_ != nullptr) {
    fatal_ = ledger_->Savepoint();
    if (!fatal_.ok()) return fatal_;
  }
  absl::Status s =
      RecordPlan(order_, plan_, &history, &postings, &exceptions, &queued);
  if (!s.ok() && s.code() != absl::StatusCode::kInvalidArgument &&
      s.code() != absl::StatusCode::kAlreadyExists) {
    fatal_ = s;
  }
  if (ledger_ != nullptr) {
    Stopwatch watch(&times_.ledger);
    // A plan with no ready posting leaves the history as it was.
    const bool changed = plan_.credit_notes_size() +
                             plan_.stock_movements_size() +
                             plan_.exchange_orders_size() >
                         0;
    if (s.ok() && changed) s = ledger_->StoreHistory(history, run_id_);
    absl::Status end = s.ok() ? ledger_->Release() : ledger_->Rollback();
    if (!end.ok()) fatal_ = end;
    if (s.ok() && fatal_.ok() && record_returngo_lines_) {
      // Committed with this return's rows, in the same transaction.
      fatal_ = RecordReturnGoLines(*ledger_, returngo_, run_id_);
      record_returngo_lines_ = false;
    }
    if (!fatal_.ok()) return fatal_;
  }
  if (!s.ok()) return WithWhere(record.where, s);
  if (ledger_ == nullptr) histories_[order_.order_id()] = std::move(history);
  summary_.AddPlan(plan_);
  for (const auto& [exception, key] : queued) {
    const bool is_new = !key.empty();
    if (is_new && ledger_ == nullptr) exception_keys_.insert(key);
    summary_.AddException(*exception, is_new);
  }
  next_posting_seq_ += plan_.credit_notes_size() +
                       plan_.stock_movements_size() +
                       plan_.exchange_orders_size();
  next_exception_seq_ += static_cast<int64_t>(
      std::count_if(queued.begin(), queued.end(),
                    [](const auto& q) { return !q.second.empty(); }));
  pending_postings_ += postings;
  pending_exceptions_ += exceptions;
  return absl::OkStatus();
}

absl::Status PlanRun::RecordPlan(
    const v1::SalesOrder& order, const v1::PostingPlan& plan,
    v1::OrderHistory* history, std::string* postings, std::string* exceptions,
    std::vector<std::pair<const v1::Exception*, std::string>>* queued) {
  {
    Stopwatch watch(&times_.record);
    absl::Status s = planner_->RecordPlan(order, plan, history);
    if (!s.ok()) return s;
  }
  int64_t seq = next_posting_seq_;
  auto add = [&](const char* kind, const v1::PostingId& id,
                 const google::protobuf::Message& posting) -> absl::Status {
    std::string line;
    {
      Stopwatch watch(&times_.write);
      line = absl::StrCat("{\"", kind, "\":", JsonLine(posting), "}");
    }
    if (ledger_ != nullptr) {
      Stopwatch watch(&times_.ledger);
      PostingRow row{id.idempotency_key(),
                     id.fingerprint(),
                     kind,
                     id.identity(),
                     plan.source(),
                     plan.return_id(),
                     plan.order_id(),
                     run_id_,
                     seq,
                     line};
      absl::Status s = ledger_->InsertPosting(row);
      if (!s.ok()) return s;
    }
    absl::StrAppend(postings, line, "\n");
    ++seq;
    return absl::OkStatus();
  };
  for (const v1::CreditNote& note : plan.credit_notes()) {
    if (absl::Status s = add("credit_note", note.id(), note); !s.ok()) return s;
  }
  for (const v1::StockMovement& m : plan.stock_movements()) {
    if (absl::Status s = add("stock_movement", m.id(), m); !s.ok()) return s;
  }
  for (const v1::ExchangeOrder& x : plan.exchange_orders()) {
    if (absl::Status s = add("exchange_order", x.id(), x); !s.ok()) return s;
  }
  int64_t exception_seq = next_exception_seq_;
  for (const v1::Exception& e : plan.exceptions()) {
    std::string key =
        RetconUuid(absl::StrCat("retcon/cli/exception/", Deterministic(e)));
    const std::string line = JsonLine(e);
    bool is_new;
    if (ledger_ != nullptr) {
      Stopwatch watch(&times_.ledger);
      ExceptionRow row{key,
                       v1::ExceptionCode_Name(e.code()),
                       v1::Owner_Name(e.owner()),
                       v1::Severity_Name(e.severity()),
                       e.source(),
                       e.return_id(),
                       e.order_id(),
                       run_id_,
                       exception_seq,
                       line};
      absl::StatusOr<bool> inserted = ledger_->InsertException(row);
      if (!inserted.ok()) return inserted.status();
      is_new = *inserted;
    } else {
      is_new = exception_keys_.count(key) == 0;
    }
    if (is_new) {
      absl::StrAppend(exceptions, line, "\n");
      ++exception_seq;
    } else {
      key.clear();
    }
    queued->emplace_back(&e, std::move(key));
  }
  return absl::OkStatus();
}

absl::Status PlanRun::Flush() {
  if (ledger_ != nullptr && in_transaction_) {
    Stopwatch watch(&times_.ledger);
    absl::Status s = ledger_->Commit();
    if (!s.ok()) return s;
    in_transaction_ = false;
  }
  committed_returns_ += uncommitted_returns_;
  uncommitted_returns_ = 0;
  if (crash_after_ >= 0 && committed_returns_ >= crash_after_) {
    // Test hook: die between the commit and the append, the worst moment.
    std::_Exit(86);
  }
  Stopwatch watch(&times_.write);
  absl::Status s = postings_.Append(pending_postings_);
  if (s.ok()) s = exceptions_.Append(pending_exceptions_);
  pending_postings_.clear();
  pending_exceptions_.clear();
  return s;
}

absl::Status PlanRun::Finish() {
  absl::Status s = Flush();
  if (s.ok()) s = postings_.Close();
  if (s.ok()) s = exceptions_.Close();
  if (s.ok() && ledger_ != nullptr) s = ledger_->FinishRun(run_id_, "finished");
  return s;
}

// Holds an exclusive lock on LEDGER.lock for the whole run: two runs on one
// ledger would take each other's runs for interrupted ones.
absl::StatusOr<int> LockLedger(const std::string& path) {
  const std::string lock = path + ".lock";
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat(lock, ": cannot create"));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return absl::UnavailableError(absl::StrCat(
        path, ": the ledger is in use by another retcon plan (", lock, ")"));
  }
  return fd;
}

struct Formats {
  FeedFormat orders = FeedFormat::kAuto;
  FeedFormat returns = FeedFormat::kAuto;
  ReturnGoOptions returngo;
};

absl::Status ParseFormats(const ParsedFlags& flags, Formats* formats) {
  for (const char* name : {"format", "orders-format", "returns-format"}) {
    if (!flags.Has(name)) continue;
    FeedFormat f;
    if (!ParseFeedFormat(flags.Value(name), &f)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--", name, " ", flags.Value(name),
                       ": expected auto, retcon, returngo or shopify"));
    }
    if (absl::string_view(name) == "format") {
      formats->orders = formats->returns = f;
    } else if (absl::string_view(name) == "orders-format") {
      formats->orders = f;
    } else {
      formats->returns = f;
    }
  }
  if (flags.Has("returngo-lines") &&
      !ParseReturnGoLines(flags.Value("returngo-lines"), &formats->returngo)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--returngo-lines ", flags.Value("returngo-lines"),
                     ": expected unit or grouped"));
  }
  return absl::OkStatus();
}

void PrintStats(const PhaseTimes& t, const PlanCounts& c, int64_t input_bytes,
                Clock::duration total, std::ostream& err) {
  const double seconds = Seconds(total);
  err << absl::StrFormat(
      "retcon plan: stats: %.3f s total; %d returns, %.0f returns/s, %.2f "
      "MB/s of input (%d bytes)\n"
      "  read returns %.3f s | parse returns %.3f s | "
      "plan %.3f s | record %.3f s | ledger %.3f s | render+write %.3f s\n",
      seconds, c.returns_read, c.returns_read / seconds,
      input_bytes / seconds / 1e6, input_bytes, Seconds(t.load),
      Seconds(t.parse), Seconds(t.plan), Seconds(t.record), Seconds(t.ledger),
      Seconds(t.write));
}

int64_t FileSize(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in ? static_cast<int64_t>(in.tellg()) : 0;
}

}  // namespace

int RunPlan(absl::Span<const char* const> args, std::ostream& out,
            std::ostream& err) {
  constexpr FlagSpec kFlags[] = {
      {"rules", FlagKind::kValue},          {"catalog", FlagKind::kValue},
      {"orders", FlagKind::kValue},         {"returns", FlagKind::kValue},
      {"ledger", FlagKind::kValue},         {"out", FlagKind::kValue},
      {"format", FlagKind::kValue},         {"orders-format", FlagKind::kValue},
      {"returns-format", FlagKind::kValue}, {"commit-every", FlagKind::kValue},
      {"as-of", FlagKind::kValue},          {"stats", FlagKind::kSwitch},
      {"returngo-lines", FlagKind::kValue}, {"help", FlagKind::kSwitch}};
  const Clock::time_point start = Clock::now();
  absl::StatusOr<ParsedFlags> flags = ParseFlags(args, kFlags);
  if (!flags.ok()) return UsageError(kCommand, flags.status().message(), err);
  if (flags->Has("help")) {
    out << kPlanHelp;
    return kExitOk;
  }
  for (const char* required : {"rules", "catalog", "orders", "returns"}) {
    if (!flags->Has(required)) {
      return UsageError(kCommand, absl::StrCat("--", required, " is required"),
                        err);
    }
  }
  Formats formats;
  if (absl::Status s = ParseFormats(*flags, &formats); !s.ok()) {
    return UsageError(kCommand, s.message(), err);
  }
  int64_t commit_every = 100;
  if (flags->Has("commit-every") &&
      (!absl::SimpleAtoi(flags->Value("commit-every"), &commit_every) ||
       commit_every < 1)) {
    return UsageError(
        kCommand,
        absl::StrCat("--commit-every ", flags->Value("commit-every"),
                     ": expected a whole number >= 1"),
        err);
  }
  if (flags->Has("as-of") && !IsDate(flags->Value("as-of"))) {
    return UsageError(kCommand,
                      absl::StrCat("--as-of ", flags->Value("as-of"),
                                   ": expected YYYY-MM-DD"),
                      err);
  }
  const std::string dir = flags->Has("out") ? flags->Value("out") : ".";
  auto fail = [&err](const absl::Status& s) {
    err << "retcon plan: " << s.message() << "\n";
    return kExitError;
  };
  absl::StatusOr<std::unique_ptr<const DatedPlanners>> planner =
      LoadPlanners(flags->Value("rules"), flags->Value("catalog"));
  if (!planner.ok()) return fail(planner.status());
  if (flags->Has("as-of")) {
    absl::StatusOr<const Planner*> version =
        (*planner)->For(v1::ReturnRequest(), flags->Value("as-of"));
    if (!version.ok()) {
      return fail(absl::InvalidArgumentError(absl::StrCat(
          flags->Value("rules"), ": ", version.status().message())));
    }
  }
  std::unique_ptr<Ledger> ledger;
  int lock_fd = -1;
  if (flags->Has("ledger")) {
    absl::StatusOr<int> lock = LockLedger(flags->Value("ledger"));
    if (!lock.ok()) return fail(lock.status());
    lock_fd = *lock;
    absl::StatusOr<std::unique_ptr<Ledger>> opened =
        Ledger::Open(flags->Value("ledger"));
    if (!opened.ok()) return fail(opened.status());
    ledger = std::move(*opened);
  }
  // An unreadable returns feed stops the run before it touches the outputs
  // or the ledger; so does a --returngo-lines other than the ledger's.
  PayloadKind returns_kind;
  {
    absl::StatusOr<std::unique_ptr<FeedReader>> probe =
        FeedReader::Open(flags->Value("returns"));
    if (!probe.ok()) return fail(probe.status());
    returns_kind = DetectReturnsKind(**probe, formats.returns);
  }
  bool record_returngo_lines = false;
  if (ledger != nullptr && returns_kind == PayloadKind::kReturnGoRma) {
    absl::StatusOr<bool> unrecorded =
        CheckReturnGoLines(*ledger, flags->Value("ledger"), formats.returngo,
                           flags->Has("returngo-lines"));
    if (!unrecorded.ok()) return fail(unrecorded.status());
    record_returngo_lines = *unrecorded;
  }
  OrderIndex orders;
  PlanRun run(**planner, flags->Value("as-of"), orders, ledger.get(), err);
  run.set_record_returngo_lines(record_returngo_lines);
  {
    Stopwatch watch(&run.times().load);
    absl::Status s = orders.Load(flags->Value("orders"), formats.orders,
                                 &run.summary().counts(), err);
    if (!s.ok()) return fail(s);
  }
  const Clock::duration load_orders = run.times().load;
  run.times().load = {};
  // With its parents, each 0755 like a plain mkdir; a directory that cannot
  // be made is reported by OpenOutputs, naming the file it could not open.
  for (size_t slash = dir.find('/', 1); slash != std::string::npos;
       slash = dir.find('/', slash + 1)) {
    ::mkdir(dir.substr(0, slash).c_str(), 0755);
  }
  ::mkdir(dir.c_str(), 0755);
  absl::Status s = run.OpenOutputs(dir, absl::StrJoin(args, " "));
  if (s.ok())
    s = run.PlanFeed(flags->Value("returns"), returns_kind, formats.returngo,
                     commit_every);
  if (s.ok()) s = run.Finish();
  if (lock_fd >= 0) ::close(lock_fd);
  if (!s.ok()) return fail(s);
  out << run.summary().Text(
      flags->Has("out") ? dir + "/postings.ndjson" : "postings.ndjson",
      flags->Has("out") ? dir + "/exceptions.ndjson" : "exceptions.ndjson");
  if (flags->Has("stats")) {
    err << absl::StrFormat("retcon plan: stats: loading orders %.3f s\n",
                           Seconds(load_orders));
    PrintStats(
        run.times(), run.summary().counts(),
        FileSize(flags->Value("orders")) + FileSize(flags->Value("returns")),
        Clock::now() - start, err);
  }
  const PlanCounts& c = run.summary().counts();
  return c.orders_failed + c.returns_failed > 0 ? kExitPartial : kExitOk;
}

}  // namespace cli
}  // namespace retcon
