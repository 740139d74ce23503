// How the tool shows a refund: a table for people, a CreditNote for programs.
//
//   PrintRefundTable(*refund, std::cout);
//   std::cout << CreditNoteJson(order, *refund) << "\n";
//
// Thread-compatible.
#ifndef RETCON_EXAMPLES_RETCON_REFUND_REPORT_H_
#define RETCON_EXAMPLES_RETCON_REFUND_REPORT_H_

#include <ostream>
#include <string>

#include "retcon/apportion.h"
#include "retcon/v1/order.pb.h"

namespace retcon {
namespace cli {

// "GBP 10.00", with the currency's decimals.
std::string FormatAmount(const Refund& refund, int64_t minor_units);

// One row per refunded line (bundle components as LINE/SKU, shipping as
// "shipping <id>") with quantity, gross, discount, net and one tax column per
// rate, then a totals row. Amounts use the currency's decimals.
void PrintRefundTable(const Refund& refund, std::ostream& out);

// The refund as a retcon.v1.CreditNote (library's FillCreditNote, plus the
// order's id, number and source) on one line of JSON.
std::string CreditNoteJson(const v1::SalesOrder& order, const Refund& refund);

}  // namespace cli
}  // namespace retcon

#endif  // RETCON_EXAMPLES_RETCON_REFUND_REPORT_H_
