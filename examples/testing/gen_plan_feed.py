#!/usr/bin/env python3
"""gen_plan_feed.py: a deterministic feed for `retcon plan` tests and the
benchmark: N returns (retcon.v1.ReturnRequest JSON) and their orders
(retcon.v1.SalesOrder JSON), one record a line.

  gen_plan_feed.py --returns 100000 --seed 7 --out DIR
  -> DIR/orders.ndjson, DIR/returns.ndjson

Standard library only. The same seed and count give byte-identical files.
Works with examples/data/plan/rules.textproto and catalog.json: GBP orders
(VAT 20% included, some zero-rated children's lines, some with a discount),
some with the winter gift set bundle; returns are refunds (finalised or with a
refund transaction), store credit, exchanges, received at mapped depots and,
now and then, at an unmapped one (NO_DEPOT_MAPPING). About one order in four
has two returns.
"""
import argparse
import json
import os
import random

SKUS = [
    ("HH-OXF-BLU-L", "Oxford shirt, blue, L", 4900, "20"),
    ("HH-CHN-NVY-34R", "Slim chinos, navy, 34R", 6500, "20"),
    ("HH-JMP-CBL-OAT-L", "Cable jumper, oat, L", 8900, "20"),
    ("HH-SCF-WOL-RST", "Wool scarf, rust", 3500, "20"),
    ("HH-SCK-MRN-GRY", "Merino socks, grey", 950, "20"),
    ("HH-KID-RAIN-YEL-7Y", "Kids' raincoat, 7-8 years", 2800, "0"),
    ("HH-TEE-WHT-M", "Organic tee, white, M", 1800, "20"),
]
LOCATIONS = ["LEEDS-DC"] * 6 + ["STORE-LON"] * 3 + ["MCR-STORE"]
REASONS = ["TOO_SMALL", "TOO_BIG", "UNWANTED", "FAULTY", "DAMAGED"]
CONDITIONS = {"FAULTY": "ITEM_CONDITION_DAMAGED", "DAMAGED": "ITEM_CONDITION_DAMAGED"}


def money(minor):
    return {"currency_code": "GBP", "minor_units": minor}


def make_order(rng, n):
    lines = []
    for i in range(rng.randint(1, 4)):
        sku, name, price, rate = rng.choice(SKUS)
        lines.append({"line_id": "L%d" % (i + 1), "sku": sku, "product_name": name,
                      "quantity": rng.randint(1, 3), "unit_price": money(price),
                      "tax_lines": [{"rate": rate, "title": "VAT"}]})
    if rng.random() < 0.15:
        lines.append({"line_id": "L%d" % (len(lines) + 1), "sku": "GS-WINTER-CHK",
                      "product_name": "Winter check gift set", "quantity": 1,
                      "unit_price": money(7500),
                      "tax_lines": [{"rate": "20", "title": "VAT"}],
                      "components": [{"sku": s, "quantity": 1} for s in
                                     ("GS-SCARF-CHK", "GS-BEANIE-CHK", "GS-GLOVES-CHK")]})
    order = {
        "order_id": "G%07d" % n, "order_number": "#G%d" % n, "source": "shopify",
        "currency_code": "GBP", "prices_include_tax": True,
        "customer": {"customer_id": "C-%d" % (n % 9973), "email": "c%d@example.co.uk" % n,
                     "first_name": "Sam", "last_name": "Lee%d" % (n % 97)},
        "billing_address": {"name": "Sam Lee", "line1": "%d High Street" % (n % 200 + 1),
                            "city": "Leeds", "postal_code": "LS1 4AP", "country_code": "GB"},
        "shipping_address": {"name": "Sam Lee", "line1": "%d High Street" % (n % 200 + 1),
                             "city": "Leeds", "postal_code": "LS1 4AP", "country_code": "GB"},
        "order_type": "WEB", "channel": "web-uk",
        "placed_at": "2026-11-%02dT10:%02d:00Z" % (rng.randint(1, 20), n % 60),
        "lines": lines,
        "shipping_lines": [{"shipping_id": "S1", "title": "UK delivery", "price": money(395),
                            "tax_lines": [{"rate": "20", "title": "VAT"}]}],
    }
    if rng.random() < 0.3:
        total = sum(l["unit_price"]["minor_units"] * l["quantity"] for l in lines)
        order["discounts"] = [{"application_id": "D1", "code": "WINTER10",
                               "title": "10% off", "level": "DISCOUNT_LEVEL_ORDER",
                               "amount": money(total // 10)}]
    return order


def make_return(rng, order, k, n):
    line = rng.choice(order["lines"])
    reason = rng.choice(REASONS)
    ret_line = {"return_line_id": "R1", "order_line_id": line["line_id"],
                "platform_sku": line["sku"], "quantity": 1, "reason_code": reason,
                "inspection": {"returned": True, "restockable": reason not in ("FAULTY", "DAMAGED"),
                               "condition": CONDITIONS.get(reason, "ITEM_CONDITION_NEW_WITH_TAGS"),
                               "return_location": rng.choice(LOCATIONS)}}
    if line.get("components"):
        comp = rng.choice(line["components"])["sku"]
        ret_line["component_sku"] = comp
        ret_line["platform_sku"] = comp
    ret = {"source": "returngo", "return_id": "RG-%d-%d" % (n, k),
           "order_id": order["order_id"], "order_number": order["order_number"],
           "status": "RETURN_STATUS_DONE", "currency_code": "GBP", "lines": [ret_line],
           "created_at": "2026-11-%02dT12:00:00Z" % rng.randint(21, 28)}
    roll = rng.random()
    if roll < 0.15 and not line.get("components"):
        ret_line["resolution"] = "RESOLUTION_EXCHANGE"
        ret["exchange_items"] = [{"return_line_id": "R1", "sku": line["sku"],
                                  "variant_id": "V%d" % n, "product_name": line["product_name"],
                                  "quantity": 1, "unit_price": line["unit_price"]}]
    elif roll < 0.35:
        ret_line["resolution"] = "RESOLUTION_STORE_CREDIT"
    else:
        ret_line["resolution"] = "RESOLUTION_REFUND_TO_PAYMENT_METHOD"
    return ret


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--returns", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=".")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    dump = lambda o: json.dumps(o, separators=(",", ":"))
    with open(os.path.join(args.out, "orders.ndjson"), "w") as orders, \
            open(os.path.join(args.out, "returns.ndjson"), "w") as returns:
        written, n = 0, 0
        while written < args.returns:
            n += 1
            order = make_order(rng, n)
            orders.write(dump(order) + "\n")
            for k in range(1 if rng.random() < 0.75 else 2):
                if written == args.returns:
                    break
                returns.write(dump(make_return(rng, order, k + 1, n)) + "\n")
                written += 1


if __name__ == "__main__":
    main()
