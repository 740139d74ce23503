// The `retcon plan` ledger: an SQLite file holding what the tool has handed
// over for posting — each order's retcon.v1.OrderHistory and every posting's
// idempotency key and fingerprint — so that a rerun posts nothing twice.
//
//   absl::StatusOr<std::unique_ptr<Ledger>> ledger = Ledger::Open("l.db");
//   RETCON_RETURN_IF_ERROR((*ledger)->Begin());
//   v1::OrderHistory history;
//   (*ledger)->LoadHistory(order_id, &history);
//   ... plan, record ...
//   (*ledger)->StoreHistory(history);
//   (*ledger)->InsertPosting(row);
//   RETCON_RETURN_IF_ERROR((*ledger)->Commit());
//
// Schema (version kSchemaVersion, in PRAGMA user_version; PRAGMA
// application_id is kApplicationId) and guarantees: docs/integration/cli.md,
// "The ledger". SQLite is used through its C API only here: nothing else in
// retcon links it.
//
// Thread-hostile: one Ledger per thread (it owns one connection).
#ifndef RETCON_EXAMPLES_RETCON_LEDGER_H_
#define RETCON_EXAMPLES_RETCON_LEDGER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "retcon/v1/history.pb.h"

struct sqlite3;
struct sqlite3_stmt;

namespace retcon {
namespace cli {

// One posting handed over, as stored in the `postings` table.
struct PostingRow {
  std::string idempotency_key;
  std::string fingerprint;
  std::string kind;  // "credit_note", "stock_movement", "exchange_order".
  std::string identity;
  std::string source;
  std::string return_id;
  std::string order_id;
  int64_t run_id = 0;
  int64_t seq = 0;       // Line of the run's postings.ndjson, from 1.
  std::string document;  // That line, without the newline.
};

// One exception queued, as stored in the `exceptions` table.
struct ExceptionRow {
  std::string exception_key;  // UUIDv5 of the exception's content.
  std::string code;
  std::string owner;
  std::string severity;
  std::string source;
  std::string return_id;
  std::string order_id;
  int64_t run_id = 0;
  int64_t seq = 0;  // Line of the run's exceptions.ndjson, from 1.
  std::string document;
};

// A ledger-wide setting, as stored in the `settings` table. Recorded once,
// never changed by retcon.
struct LedgerSetting {
  std::string value;
  // The run that recorded it; 0 when it was found as the ledger was
  // upgraded (a ledger made before the table existed): value "unknown".
  int64_t run_id = 0;
};

// A run that started and never finished (the process died).
struct UnfinishedRun {
  int64_t run_id = 0;
  std::string postings_path;
  std::string exceptions_path;
};

class Ledger {
 public:
  static constexpr int kSchemaVersion = 1;
  // "RTCN": tells a retcon ledger from any other SQLite file.
  static constexpr int32_t kApplicationId = 0x5254434E;

  // The `settings` row of --returngo-lines: "unit" or "grouped".
  static constexpr char kReturnGoLines[] = "returngo_lines";

  // Opens (creating when new or empty) the ledger at `path`, in WAL mode.
  // A ledger of this schema version made before the `settings` table existed
  // gets the table; when it already holds postings of source "returngo"
  // (planned grouped or per unit: nothing recorded which),
  // kReturnGoLines is set to "unknown" with run_id 0, for the next run to
  // state. Errors: FailedPrecondition when the file is another SQLite
  // database or a ledger of another schema version; InvalidArgument when it is
  // not an SQLite file; Unavailable when it cannot be opened or is locked.
  static absl::StatusOr<std::unique_ptr<Ledger>> Open(const std::string& path);
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Transactions. Between Begin() and Commit(), Savepoint() opens a nested
  // unit (one return) that Release() keeps or Rollback() undoes.
  absl::Status Begin();
  absl::Status Commit();
  absl::Status Savepoint();
  absl::Status Release();
  absl::Status Rollback();

  // Runs (each `retcon plan` invocation). BeginRun commits on its own.
  absl::StatusOr<int64_t> BeginRun(const std::string& postings_path,
                                   const std::string& exceptions_path,
                                   const std::string& command);
  absl::Status FinishRun(int64_t run_id, absl::string_view status);
  absl::StatusOr<std::vector<UnfinishedRun>> UnfinishedRuns(int64_t except_run);
  // Calls `visit(seq, document)` for the run's postings (or exceptions) in
  // seq order.
  absl::Status ForEachLine(
      bool postings, int64_t run_id,
      const std::function<void(int64_t, const std::string&)>& visit);
  // Moves every row of run `from` to run `to`, adding `offset` to its seq.
  absl::Status AdoptRows(bool postings, int64_t from, int64_t to,
                         int64_t offset);

  // The order's history; an empty one (with order_id set) when the ledger
  // has none.
  absl::Status LoadHistory(const std::string& order_id,
                           v1::OrderHistory* history);
  absl::Status StoreHistory(const v1::OrderHistory& history, int64_t run_id);
  // AlreadyExists when the key is in the ledger already.
  absl::Status InsertPosting(const PostingRow& row);
  // False (nothing written) when the same exception is queued already.
  absl::StatusOr<bool> InsertException(const ExceptionRow& row);

  // The setting `name`; nullopt when it was never recorded.
  absl::StatusOr<std::optional<LedgerSetting>> GetSetting(
      absl::string_view name);
  // Records setting `name`, replacing one found on upgrade (run_id 0).
  // FailedPrecondition when a run recorded it already.
  absl::Status PutSetting(absl::string_view name, absl::string_view value,
                          int64_t run_id);
  // ReturnGo stock movements handed over with a quantity above 1 (which
  // reading RMAs grouped gives, one line per unit hardly ever).
  absl::StatusOr<int64_t> CountReturnGoMovementsOfSeveralUnits();

 private:
  explicit Ledger(sqlite3* db, std::string path);
  absl::Status Exec(const char* sql);
  absl::Status Prepare(const char* sql, sqlite3_stmt** stmt);
  absl::Status Error(absl::string_view what) const;
  absl::Status CheckOrCreateSchema();
  // Adds the `settings` table to a ledger made before it existed.
  absl::Status AddSettingsTable();
  absl::Status PrepareAll();
  // Runs a prepared statement that returns no rows.
  absl::Status Step(sqlite3_stmt* stmt, absl::string_view what);

  sqlite3* db_;
  std::string path_;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* savepoint_ = nullptr;
  sqlite3_stmt* release_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* load_history_ = nullptr;
  sqlite3_stmt* store_history_ = nullptr;
  sqlite3_stmt* insert_posting_ = nullptr;
  sqlite3_stmt* insert_exception_ = nullptr;
};

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_LEDGER_H_
