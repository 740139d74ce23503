#include "examples/retcon/ledger.h"

#include <sqlite3.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace retcon {
namespace cli {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE runs (
  run_id          INTEGER PRIMARY KEY,
  started_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  finished_at     TEXT,
  status          TEXT NOT NULL,  -- running, finished, repaired, adopted
  postings_path   TEXT NOT NULL,
  exceptions_path TEXT NOT NULL,
  command         TEXT NOT NULL
);
CREATE TABLE order_history (
  order_id    TEXT PRIMARY KEY,
  history     BLOB NOT NULL,      -- serialized retcon.v1.OrderHistory
  updated_run INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE postings (
  idempotency_key TEXT PRIMARY KEY,
  fingerprint     TEXT NOT NULL,
  kind            TEXT NOT NULL,
  identity        TEXT NOT NULL,
  source          TEXT NOT NULL,
  return_id       TEXT NOT NULL,
  order_id        TEXT NOT NULL,
  run_id          INTEGER NOT NULL,
  seq             INTEGER NOT NULL,
  document        TEXT NOT NULL   -- the line of postings.ndjson
);
CREATE INDEX postings_by_run ON postings (run_id, seq);
CREATE TABLE exceptions (
  exception_key TEXT PRIMARY KEY,
  code          TEXT NOT NULL,
  owner         TEXT NOT NULL,
  severity      TEXT NOT NULL,
  source        TEXT NOT NULL,
  return_id     TEXT NOT NULL,
  order_id      TEXT NOT NULL,
  run_id        INTEGER NOT NULL,
  seq           INTEGER NOT NULL,
  document      TEXT NOT NULL   -- the line of exceptions.ndjson
);
CREATE INDEX exceptions_by_run ON exceptions (run_id, seq);
)sql";

// Part of schema version 1 since it was added; AddSettingsTable() adds it to
// ledgers made before.
constexpr char kSettingsSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS settings (
  name   TEXT PRIMARY KEY,  -- returngo_lines
  value  TEXT NOT NULL,     -- unit, grouped; unknown (run_id 0, see below)
  run_id INTEGER NOT NULL,  -- the run that recorded it; 0: found on upgrade
  set_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;
)sql";

// A ledger made before the settings table that holds ReturnGo postings:
// how they were read is unknown (the tool read RMAs grouped, then one line
// per unit by default, before it recorded the setting), so the next run
// must say it.
constexpr char kInferReturnGoLines[] =
    "INSERT OR IGNORE INTO settings (name, value, run_id) "
    "SELECT 'returngo_lines', 'unknown', 0 "
    "WHERE EXISTS (SELECT 1 FROM postings WHERE source = 'returngo')";

void BindText(sqlite3_stmt* stmt, int index, absl::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()),
                    SQLITE_TRANSIENT);
}

std::string ColumnText(sqlite3_stmt* stmt, int column) {
  const unsigned char* text = sqlite3_column_text(stmt, column);
  return text == nullptr ? std::string()
                         : std::string(reinterpret_cast<const char*>(text),
                                       sqlite3_column_bytes(stmt, column));
}

// Finalizes a statement prepared for one use.
struct StatementCloser {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using OneShot = std::unique_ptr<sqlite3_stmt, StatementCloser>;

}  // namespace

Ledger::Ledger(sqlite3* db, std::string path)
    : db_(db), path_(std::move(path)) {}

Ledger::~Ledger() {
  for (sqlite3_stmt* stmt :
       {begin_, commit_, savepoint_, release_, rollback_, load_history_,
        store_history_, insert_posting_, insert_exception_}) {
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db_);
}

absl::Status Ledger::Error(absl::string_view what) const {
  const int code = sqlite3_errcode(db_);
  std::string message =
      absl::StrCat(path_, ": ledger: ", what, ": ", sqlite3_errmsg(db_));
  if (code == SQLITE_NOTADB) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": not a retcon ledger (not an SQLite database)"));
  }
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_CANTOPEN) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
}

absl::Status Ledger::Exec(const char* sql) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Error(sql);
  }
  return absl::OkStatus();
}

absl::Status Ledger::Prepare(const char* sql, sqlite3_stmt** stmt) {
  if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt,
                         nullptr) != SQLITE_OK) {
    return Error(sql);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Ledger>> Ledger::Open(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<Ledger> ledger(new Ledger(db, path));
  if (rc != SQLITE_OK) return ledger->Error("cannot open");
  sqlite3_busy_timeout(db, 5000);
  absl::Status status = ledger->CheckOrCreateSchema();
  if (status.ok()) status = ledger->PrepareAll();
  if (!status.ok()) return status;
  return ledger;
}

absl::Status Ledger::CheckOrCreateSchema() {
  // The first read fails with SQLITE_NOTADB for a file that is not SQLite.
  sqlite3_stmt* raw = nullptr;
  if (Prepare("SELECT (SELECT count(*) FROM sqlite_schema),"
              " (SELECT application_id FROM pragma_application_id),"
              " (SELECT user_version FROM pragma_user_version)",
              &raw) != absl::OkStatus()) {
    return Error("reading the schema");
  }
  OneShot stmt(raw);
  if (sqlite3_step(stmt.get()) != SQLITE_ROW)
    return Error("reading the schema");
  const int64_t objects = sqlite3_column_int64(stmt.get(), 0);
  const int64_t application = sqlite3_column_int64(stmt.get(), 1);
  const int64_t version = sqlite3_column_int64(stmt.get(), 2);
  stmt.reset();
  if (objects > 0) {
    if (application != kApplicationId) {
      return absl::FailedPreconditionError(
          absl::StrCat(path_,
                       ": not a retcon ledger (an SQLite database of another "
                       "application, application_id ",
                       application, ")"));
    }
    if (version != kSchemaVersion) {
      return absl::FailedPreconditionError(
          absl::StrCat(path_, ": ledger schema version ", version,
                       "; this retcon reads ", "version ", kSchemaVersion,
                       " (docs/integration/cli.md, \"The ledger\")"));
    }
  }
  if (Exec("PRAGMA journal_mode = WAL") != absl::OkStatus()) {
    return Error("setting WAL mode");
  }
  // WAL + NORMAL: a committed transaction survives a crash of the process
  // (it is in the WAL file); only a power loss may undo the latest commits,
  // never corrupt the file.
  if (absl::Status s = Exec("PRAGMA synchronous = NORMAL"); !s.ok()) return s;
  if (objects > 0) return AddSettingsTable();
  if (absl::Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  if (absl::Status s = Exec(kSchema); !s.ok()) return s;
  if (absl::Status s = Exec(kSettingsSchema); !s.ok()) return s;
  if (absl::Status s =
          Exec(absl::StrCat("PRAGMA application_id = ", kApplicationId,
                            "; PRAGMA user_version = ", kSchemaVersion)
                   .c_str());
      !s.ok()) {
    return s;
  }
  return Exec("COMMIT");
}

absl::Status Ledger::AddSettingsTable() {
  sqlite3_stmt* raw = nullptr;
  if (absl::Status s =
          Prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                  "name = 'settings'",
                  &raw);
      !s.ok()) {
    return s;
  }
  OneShot stmt(raw);
  if (sqlite3_step(raw) != SQLITE_ROW) return Error("reading the schema");
  const bool present = sqlite3_column_int64(raw, 0) > 0;
  stmt.reset();
  if (present) return absl::OkStatus();
  // IF NOT EXISTS, OR IGNORE: harmless when another process got here first.
  if (absl::Status s = Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  if (absl::Status s = Exec(kSettingsSchema); !s.ok()) return s;
  if (absl::Status s = Exec(kInferReturnGoLines); !s.ok()) return s;
  return Exec("COMMIT");
}

absl::Status Ledger::PrepareAll() {
  // Transaction control is prepared once too: a return runs a savepoint and
  // a release, and parsing them each time showed in the profile.
  absl::Status s = Prepare("BEGIN IMMEDIATE", &begin_);
  if (s.ok()) s = Prepare("COMMIT", &commit_);
  if (s.ok()) s = Prepare("SAVEPOINT one_return", &savepoint_);
  if (s.ok()) s = Prepare("RELEASE one_return", &release_);
  if (s.ok()) s = Prepare("ROLLBACK TO one_return", &rollback_);
  if (s.ok()) {
    s = Prepare("SELECT history FROM order_history WHERE order_id = ?1",
                &load_history_);
  }
  if (s.ok()) {
    s = Prepare(
        "INSERT OR REPLACE INTO order_history (order_id, history, "
        "updated_run) VALUES (?1, ?2, ?3)",
        &store_history_);
  }
  if (s.ok()) {
    s = Prepare(
        "INSERT INTO postings (idempotency_key, fingerprint, kind, identity, "
        "source, return_id, order_id, run_id, seq, document) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        &insert_posting_);
  }
  if (s.ok()) {
    s = Prepare(
        "INSERT OR IGNORE INTO exceptions (exception_key, code, owner, "
        "severity, source, return_id, order_id, run_id, seq, document) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        &insert_exception_);
  }
  return s;
}

absl::Status Ledger::Step(sqlite3_stmt* stmt, absl::string_view what) {
  const int rc = sqlite3_step(stmt);
  sqlite3_reset(stmt);
  return rc == SQLITE_DONE ? absl::OkStatus() : Error(what);
}

absl::Status Ledger::Begin() { return Step(begin_, "BEGIN"); }
absl::Status Ledger::Commit() { return Step(commit_, "COMMIT"); }
absl::Status Ledger::Savepoint() { return Step(savepoint_, "SAVEPOINT"); }
absl::Status Ledger::Release() { return Step(release_, "RELEASE"); }
absl::Status Ledger::Rollback() {
  absl::Status s = Step(rollback_, "ROLLBACK TO");
  return s.ok() ? Release() : s;
}

absl::StatusOr<int64_t> Ledger::BeginRun(const std::string& postings_path,
                                         const std::string& exceptions_path,
                                         const std::string& command) {
  sqlite3_stmt* raw = nullptr;
  if (absl::Status s = Prepare(
          "INSERT INTO runs (status, postings_path, exceptions_path, command) "
          "VALUES ('running', ?1, ?2, ?3)",
          &raw);
      !s.ok()) {
    return s;
  }
  OneShot stmt(raw);
  BindText(raw, 1, postings_path);
  BindText(raw, 2, exceptions_path);
  BindText(raw, 3, command);
  if (sqlite3_step(raw) != SQLITE_DONE) return Error("starting a run");
  return sqlite3_last_insert_rowid(db_);
}

absl::Status Ledger::FinishRun(int64_t run_id, absl::string_view status) {
  sqlite3_stmt* raw = nullptr;
  if (absl::Status s =
          Prepare("UPDATE runs SET status = ?2, finished_at = "
                  "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE run_id = ?1",
                  &raw);
      !s.ok()) {
    return s;
  }
  OneShot stmt(raw);
  sqlite3_bind_int64(raw, 1, run_id);
  BindText(raw, 2, status);
  if (sqlite3_step(raw) != SQLITE_DONE) return Error("finishing a run");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<UnfinishedRun>> Ledger::UnfinishedRuns(
    int64_t except_run) {
  sqlite3_stmt* raw = nullptr;
  if (absl::Status s =
          Prepare("SELECT run_id, postings_path, exceptions_path FROM runs "
                  "WHERE status = 'running' AND run_id <> ?1 ORDER BY run_id",
                  &raw);
      !s.ok()) {
    return s;
  }
  OneShot stmt(raw);
  sqlite3_bind_int64(raw, 1, except_run);
  std::vector<UnfinishedRun> runs;
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    runs.push_back(
        {sqlite3_column_int64(raw, 0), ColumnText(raw, 1), ColumnText(raw, 2)});
  }
  if (rc != SQLITE_DONE) return Error("listing runs");
  return runs;
}

absl::Status Ledger::ForEachLine(
    bool postings, int64_t run_id,
    const std::function<void(int64_t, const std::string&)>& visit) {
  sqlite3_stmt* raw = nullptr;
  if (absl::Status s = Prepare(
          postings ? "SELECT seq, document FROM postings WHERE run_id = ?1 "
                     "ORDER BY seq"
                   : "SELECT seq, document FROM exceptions WHERE run_id = ?1 "
                     "ORDER BY seq",
          &raw);
      !s.ok()) {
    return s;
  }
  OneShot stmt(raw);
  sqlite3_bind_int64(raw, 1, run_id);
  int rc;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    visit(sqlite3_column_int64(raw, 0), ColumnText(raw, 1));
  }
  if (rc != SQLITE_DONE) return Error("reading a run's lines");
  return absl::OkStatus();
}

absl::Status Ledger::AdoptRows(bool postings, int64_t from, int64_t to,
                               int64_t offset) {
  sqlite3_stmt* raw = nullptr;
  if (absl::Status s = Prepare(
          postings ? "UPDATE postings SET run_id = ?2, seq = seq + ?3 "
                     "WHERE run_id = ?1"
                   : "UPDATE exceptions SET run_id = ?2, seq = seq + ?3 "
                     "WHERE run_id = ?1",
          &raw);
      !s.ok()) {
    return s;
  }
  OneShot stmt(raw);
  sqlite3_bind_int64(raw, 1, from);
  sqlite3_bind_int64(raw, 2, to);
  sqlite3_bind_int64(raw, 3, offset);
  if (sqlite3_step(raw) != SQLITE_DONE) return Error("adopting a run's rows");
  return absl::OkStatus();
}

absl::Status Ledger::LoadHistory(const std::string& order_id,
                                 v1::OrderHistory* history) {
  history->Clear();
  sqlite3_reset(load_history_);
  BindText(load_history_, 1, order_id);
  const int rc = sqlite3_step(load_history_);
  if (rc == SQLITE_ROW) {
    const void* blob = sqlite3_column_blob(load_history_, 0);
    const int size = sqlite3_column_bytes(load_history_, 0);
    if (!history->ParseFromArray(blob, size)) {
      sqlite3_reset(load_history_);
      return absl::DataLossError(
          absl::StrCat(path_, ": ledger: order_history of order '", order_id,
                       "' is not a valid retcon.v1.OrderHistory"));
    }
  } else if (rc != SQLITE_DONE) {
    return Error("reading a history");
  } else {
    history->set_order_id(order_id);
  }
  sqlite3_reset(load_history_);
  return absl::OkStatus();
}

absl::Status Ledger::StoreHistory(const v1::OrderHistory& history,
                                  int64_t run_id) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    history.SerializeToCodedStream(&coded);
  }
  sqlite3_reset(store_history_);
  BindText(store_history_, 1, history.order_id());
  sqlite3_bind_blob(store_history_, 2, bytes.data(),
                    static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
  sqlite3_bind_int64(store_history_, 3, run_id);
  const int rc = sqlite3_step(store_history_);
  sqlite3_reset(store_history_);
  if (rc != SQLITE_DONE) return Error("writing a history");
  return absl::OkStatus();
}

absl::Status Ledger::InsertPosting(const PostingRow& row) {
  sqlite3_stmt* s = insert_posting_;
  sqlite3_reset(s);
  BindText(s, 1, row.idempotency_key);
  BindText(s, 2, row.fingerprint);
  BindText(s, 3, row.kind);
  BindText(s, 4, row.identity);
  BindText(s, 5, row.source);
  BindText(s, 6, row.return_id);
  BindText(s, 7, row.order_id);
  sqlite3_bind_int64(s, 8, row.run_id);
  sqlite3_bind_int64(s, 9, row.seq);
  BindText(s, 10, row.document);
  const int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc == SQLITE_CONSTRAINT) {
    return absl::AlreadyExistsError(absl::StrCat(
        "posting ", row.idempotency_key, " (", row.identity,
        ") is already in the ledger under another order's history"));
  }
  if (rc != SQLITE_DONE) return Error("writing a posting");
  return absl::OkStatus();
}

absl::StatusOr<bool> Ledger::InsertException(const ExceptionRow& row) {
  sqlite3_stmt* s = insert_exception_;
  sqlite3_reset(s);
  BindText(s, 1, row.exception_key);
  BindText(s, 2, row.code);
  BindText(s, 3, row.owner);
  BindText(s, 4, row.severity);
  BindText(s, 5, row.source);
  BindText(s, 6, row.return_id);
  BindText(s, 7, row.order_id);
  sqlite3_bind_int64(s, 8, row.run_id);
  sqlite3_bind_int64(s, 9, row.seq);
  BindText(s, 10, row.document);
  const int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) return Error("writing an exception");
  return sqlite3_changes(db_) > 0;
}

absl::StatusOr<std::optional<LedgerSetting>> Ledger::GetSetting(
    absl::string_view name) {
  sqlite3_stmt* raw = nullptr;
  if (absl::Status s =
          Prepare("SELECT value, run_id FROM settings WHERE name = ?1", &raw);
      !s.ok()) {
    return s;
  }
  OneShot stmt(raw);
  BindText(raw, 1, name);
  const int rc = sqlite3_step(raw);
  if (rc == SQLITE_DONE) return std::nullopt;
  if (rc != SQLITE_ROW) return Error("reading a setting");
  return LedgerSetting{ColumnText(raw, 0), sqlite3_column_int64(raw, 1)};
}

absl::Status Ledger::PutSetting(absl::string_view name, absl::string_view value,
                                int64_t run_id) {
  sqlite3_stmt* raw = nullptr;
  // A setting found on upgrade (run_id 0) is replaced by the one a run
  // states; a recorded one never is.
  if (absl::Status s = Prepare(
          "INSERT INTO settings (name, value, run_id) VALUES (?1, ?2, ?3) "
          "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
          "run_id = excluded.run_id, set_at = excluded.set_at "
          "WHERE settings.run_id = 0",
          &raw);
      !s.ok()) {
    return s;
  }
  OneShot stmt(raw);
  BindText(raw, 1, name);
  BindText(raw, 2, value);
  sqlite3_bind_int64(raw, 3, run_id);
  const int rc = sqlite3_step(raw);
  if (rc != SQLITE_DONE) return Error("writing a setting");
  if (sqlite3_changes(db_) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path_, ": ledger: setting ", name, " is recorded already"));
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> Ledger::CountReturnGoMovementsOfSeveralUnits() {
  sqlite3_stmt* raw = nullptr;
  if (absl::Status s = Prepare(
          "SELECT count(*) FROM postings WHERE kind = 'stock_movement' AND "
          "source = 'returngo' AND CAST(json_extract(document, "
          "'$.stock_movement.quantity') AS INTEGER) > 1",
          &raw);
      !s.ok()) {
    return s;
  }
  OneShot stmt(raw);
  if (sqlite3_step(raw) != SQLITE_ROW) return Error("reading the postings");
  return sqlite3_column_int64(raw, 0);
}

}  // namespace cli
}  // namespace retcon
