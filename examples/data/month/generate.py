#!/usr/bin/env python3
"""Generates a month of a UK fashion brand's orders and returns.

Harrow & Hale sells clothing through two Shopify stores: the UK store (GBP,
20% VAT included; children's clothing zero-rated) and the Irish store (EUR,
23% VAT included). Returns go through ReturnGo. This script writes, for
November 2026:

  orders.ndjson     Shopify REST Admin order JSON, one order a line
  returns.ndjson    ReturnGo RMAs as GET /rma/{id} returns them, one a line,
                    in the order the integration fetched them
  prima_orders.ndjson, prima_returns.ndjson
                    a phone order keyed in Prima and its return, as
                    retcon.v1 JSON (a SalesOrder listing a gift box's
                    components without their price split, which a Shopify
                    order never does): the only way to UNKNOWN_BUNDLE
  catalog.textproto the retcon.v1.Catalog: gift-set bundles and the SKU
                    aliases from ReturnGo's flat SKUs to Prima's matrix SKUs
  scenarios.csv     one row per RMA record: what it is and which exception
                    (if any) retcon should raise for it

The month is realistic (discount codes, gift sets, multi-unit lines, partial
returns, even and uneven exchanges, keep-item refunds, store credit, faulty
and damaged goods) and has deliberately broken records that raise every
exception code of the planner, plus a few malformed records the tool must
report and skip. Refund amounts are what ReturnGo would pay: the same
cumulative, discount- and VAT-aware figures retcon computes (docs/money.md),
except in the broken records.

Deterministic: the same --seed gives byte-identical files. Python 3 standard
library only.

  python3 examples/data/month/generate.py                 # the committed month
  python3 examples/data/month/generate.py --orders 20000 --returns 8000 \\
      --seed 7 --out /tmp/big                              # a bigger feed
"""

import argparse
import csv
import json
import os
import random

# --- money: integer minor units, half-up rounding (non-negative) ------------


def rdiv(a, b):
    """round(a / b), half up, for a >= 0, b > 0."""
    return (2 * a + b) // (2 * b)


def fmt(minor):
    sign = "-" if minor < 0 else ""
    minor = abs(minor)
    return "%s%d.%02d" % (sign, minor // 100, minor % 100)


def vat_of(gross, rate):
    """VAT inside a VAT-inclusive gross at `rate` percent."""
    return rdiv(gross * rate, 100 + rate)


def share(total, quantity, k, n):
    """Cumulative share of units k+1..k+n of a line of `quantity` units."""
    return rdiv(total * (k + n), quantity) - rdiv(total * k, quantity)


def largest_remainder(amount, weights):
    total = sum(weights)
    if total == 0:
        return [0] * len(weights)
    floors = [amount * w // total for w in weights]
    rest = amount - sum(floors)
    order = sorted(range(len(weights)),
                   key=lambda i: (-(amount * weights[i] % total), i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


# --- the range -----------------------------------------------------------------

# style, name, colours, sizes, GBP price, EUR price, zero-rated (children's)
STYLES = [
    ("HH-OXF", "Oxford shirt", ["WHT", "BLU"], ["S", "M", "L", "XL"], 4500, 5500, False),
    ("HH-CHN", "Slim chinos", ["NVY", "STN"], ["30R", "32R", "34R", "36R"], 6000, 7000, False),
    ("HH-TEE", "Organic T-shirt", ["BLK", "WHT", "NVY"], ["S", "M", "L"], 2000, 2500, False),
    ("HH-JMP", "Merino jumper", ["GRY", "NVY"], ["S", "M", "L"], 8500, 9900, False),
    ("HH-DRS", "Linen dress", ["SGE", "BLK"], ["8", "10", "12", "14"], 9500, 11000, False),
    ("HH-JKT", "Waxed jacket", ["OLV"], ["S", "M", "L"], 19500, 22500, False),
    ("HH-KTE", "Kids T-shirt", ["YLW", "RED"], ["3-4", "5-6", "7-8"], 1200, 1400, True),
    ("HH-KRC", "Kids raincoat", ["YLW"], ["3-4", "5-6", "7-8"], 3500, 4000, True),
]
COLOUR_NAMES = {"WHT": "White", "BLU": "Blue", "NVY": "Navy", "STN": "Stone",
                "BLK": "Black", "GRY": "Grey", "SGE": "Sage", "OLV": "Olive",
                "YLW": "Yellow", "RED": "Red"}
# Gift sets: Shopify sells the set; Prima stocks its components (the catalog
# says how the price splits). The sock trio is stocked boxed, as a kit.
GIFT_SETS = [
    ("GS-WINTER", "Winter warmer gift box", 5500, 6500),
    ("HH-SCK-TRIO", "Merino sock trio", 2200, 2600),
]

STORES = {
    "UK": {"currency": "GBP", "vat": 20, "country": "GB", "prefix": 1000,
           "id_base": 6102300000000, "domain": "harrowandhale.co.uk",
           "shipping": [("Standard UK delivery", 395), ("Next day", 695)],
           "free_over": 7500, "location": "LEEDS-DC"},
    "IE": {"currency": "EUR", "vat": 23, "country": "IE", "prefix": 5000,
           "id_base": 7204500000000, "domain": "harrowandhale.ie",
           "shipping": [("Standard Ireland delivery", 495)],
           "free_over": 9000, "location": "IE-HUB"},
}

FIRST = ["Olivia", "Amelia", "Isla", "Ava", "Mia", "Freya", "Lily", "Grace",
         "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Jack",
         "Siobhan", "Aoife", "Cian", "Niamh", "Priya", "Tom", "Hannah", "Sam"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans",
        "Thomas", "Johnson", "Roberts", "Walker", "Wright", "Murphy", "Kelly",
        "O'Brien", "Byrne", "Patel", "Khan", "Hughes", "Clarke"]
UK_TOWNS = [("Leeds", "LS1 4DY"), ("Manchester", "M1 1AE"), ("London", "SW1A 1AA"),
            ("Bristol", "BS1 5TR"), ("York", "YO1 7HH"), ("Bath", "BA1 1LT"),
            ("Edinburgh", "EH1 1YZ"), ("Cardiff", "CF10 1EP"), ("Norwich", "NR2 1NH")]
IE_TOWNS = [("Dublin", "D02 XY45"), ("Cork", "T12 RX8F"), ("Galway", "H91 E2K3")]
REASONS_CHANGE = ["TOO_SMALL", "TOO_BIG", "CHANGED_MIND", "NOT_AS_DESCRIBED"]
REASON_TEXT = {
    "TOO_SMALL": "Came up small", "TOO_BIG": "Too big on the shoulders",
    "CHANGED_MIND": "Not what I expected", "NOT_AS_DESCRIBED": "Colour differs from the photo",
    "FAULTY": "Seam split after one wear", "DAMAGED": "Arrived torn",
    "WRONG_ITEM": "Received the wrong size",
}


def variants():
    out = []
    for style, name, colours, sizes, gbp, eur, zero in STYLES:
        for c in colours:
            for s in sizes:
                out.append({
                    "sku": "%s/%s/%s" % (style, c, s.replace("-", "")),
                    "flat": "%s-%s-%s" % (style, c, s.replace("-", "")),
                    "name": "%s - %s / %s" % (name, COLOUR_NAMES[c], s),
                    "title": name, "variant_title": "%s / %s" % (COLOUR_NAMES[c], s),
                    "style": style, "colour": c, "size": s.replace("-", ""),
                    "GBP": gbp, "EUR": eur, "zero": zero, "bundle": False,
                })
    for sku, name, gbp, eur in GIFT_SETS:
        out.append({"sku": sku, "flat": sku, "name": name, "title": name,
                    "variant_title": "", "style": sku, "colour": "", "size": "",
                    "GBP": gbp, "EUR": eur, "zero": False, "bundle": True})
    for i, v in enumerate(out):
        v["variant_id"] = 44100000000 + i * 17
        v["product_id"] = 8800000000 + (i // 6) * 31
    return out


# --- Shopify orders --------------------------------------------------------------


def money_set(minor, currency):
    m = {"amount": fmt(minor), "currency_code": currency}
    return {"shop_money": m, "presentment_money": dict(m)}


class Generator:
    def __init__(self, seed, n_orders, n_returns):
        self.rng = random.Random(seed)
        self.n_orders = n_orders
        self.n_returns = n_returns
        self.variants = variants()
        self.by_sku = {v["sku"]: v for v in self.variants}
        self.orders = []      # Shopify JSON objects
        self.extra_orders = []  # other records of the orders feed
        # Phone orders keyed in Prima and their returns, exported by the
        # integration as retcon.v1 JSON: a feed of their own (a feed holds
        # one shape of record).
        self.prima_orders = []
        self.prima_returns = []
        self.model = {}       # order id -> internal model
        self.rmas = []        # (sort key, json text, scenario row)
        self.next_line_id = 13894700000000
        self.next_item_id = 90000000
        self.next_rma = 40010000
        self.next_tx = 1

    # -- orders --
    def customer(self, store):
        r = self.rng
        first, last = r.choice(FIRST), r.choice(LAST)
        town, postcode = r.choice(UK_TOWNS if store == "UK" else IE_TOWNS)
        email = "%s.%s%d@example.com" % (first.lower(), last.lower().replace("'", ""),
                                         r.randint(1, 99))
        address = {
            "first_name": first, "last_name": last, "name": "%s %s" % (first, last),
            "address1": "%d %s" % (r.randint(1, 220), r.choice(
                ["High Street", "Station Road", "Church Lane", "Park Avenue", "Mill Road"])),
            "address2": None, "city": town, "zip": postcode,
            "province": None, "country": "United Kingdom" if store == "UK" else "Ireland",
            "country_code": STORES[store]["country"], "company": None,
            "phone": "+44 7700 900%03d" % r.randint(0, 999) if store == "UK"
            else "+353 85 555 %04d" % r.randint(0, 9999),
        }
        return {"id": 7300000000 + r.randint(0, 99999999), "email": email,
                "first_name": first, "last_name": last, "phone": address["phone"],
                "accepts_marketing": r.random() < 0.4}, address

    def pick_lines(self, store):
        r = self.rng
        n = r.choices([1, 2, 3, 4], [45, 30, 18, 7])[0]
        picked = []
        for _ in range(n):
            v = r.choice(self.variants)
            if v["bundle"] and r.random() < 0.5:
                v = r.choice(self.variants)
            if any(p["sku"] == v["sku"] for p, _ in picked):
                continue
            qty = 1
            if v["style"] in ("HH-TEE", "HH-KTE", "HH-SCK-TRIO") and r.random() < 0.5:
                qty = r.choice([2, 3, 3, 4, 6])
            elif r.random() < 0.08:
                qty = 2
            picked.append((v, qty))
        return picked

    def make_order(self, index, store, placed, lines=None, code=None,
                   drop_zip=False):
        r = self.rng
        s = STORES[store]
        cur = s["currency"]
        order_id = s["id_base"] + index * 7919
        number = s["prefix"] + index + 1
        cust, address = self.customer(store)
        lines = lines or self.pick_lines(store)
        if code is None and r.random() < 0.3:
            code = r.choice([("WELCOME10", 10), ("FRIENDS15", 15), ("BLACKFRIDAY20", 20)])
        sale_styles = {"HH-JMP"} if r.random() < 0.5 else set()
        apps = []
        if code:
            apps.append({"type": "discount_code", "code": code[0], "value": "%d.0" % code[1],
                         "value_type": "percentage", "allocation_method": "across",
                         "target_selection": "all", "target_type": "line_item"})
        if sale_styles and any(v["style"] in sale_styles for v, _ in lines):
            apps.append({"type": "automatic", "title": "Winter knit sale",
                         "description": "20% off merino jumpers", "value": "20.0",
                         "value_type": "percentage", "allocation_method": "across",
                         "target_selection": "entitled", "target_type": "line_item"})
        model_lines = []
        totals = [v[cur] * q for v, q in lines]
        sale = [rdiv(t * 20, 100) if (v["style"] in sale_styles and len(apps) and
                                       apps[-1]["type"] == "automatic") else 0
                for (v, q), t in zip(lines, totals)]
        after_sale = [t - d for t, d in zip(totals, sale)]
        code_total = rdiv(sum(after_sale) * code[1], 100) if code else 0
        code_alloc = largest_remainder(code_total, after_sale)
        items = []
        for i, ((v, q), t) in enumerate(zip(lines, totals)):
            line_id = self.next_line_id
            self.next_line_id += 1031
            rate = 0 if v["zero"] else s["vat"]
            gross = t - sale[i] - code_alloc[i]
            tax = vat_of(gross, rate)
            allocs = []
            if code and code_alloc[i]:
                allocs.append({"amount": fmt(code_alloc[i]),
                               "amount_set": money_set(code_alloc[i], cur),
                               "discount_application_index": 0})
            if sale[i]:
                allocs.append({"amount": fmt(sale[i]), "amount_set": money_set(sale[i], cur),
                               "discount_application_index": len(apps) - 1})
            items.append({
                "id": line_id, "admin_graphql_api_id": "gid://shopify/LineItem/%d" % line_id,
                "variant_id": v["variant_id"], "product_id": v["product_id"],
                "title": v["title"], "variant_title": v["variant_title"] or None,
                "name": v["name"], "sku": v["sku"], "vendor": "Harrow & Hale",
                "quantity": q, "current_quantity": q, "fulfillable_quantity": 0,
                "fulfillment_status": "fulfilled", "requires_shipping": True,
                "taxable": not v["zero"], "gift_card": False,
                "price": fmt(v[cur]), "price_set": money_set(v[cur], cur),
                "total_discount": "0.00", "total_discount_set": money_set(0, cur),
                "discount_allocations": allocs,
                "tax_lines": [{"title": "VAT", "rate": rate / 100.0, "price": fmt(tax),
                               "price_set": money_set(tax, cur), "channel_liable": False}],
                "properties": [],
            })
            model_lines.append({"id": line_id, "variant": v, "qty": q, "gross": gross,
                                "rate": rate, "unit": v[cur], "used": 0})
        subtotal = sum(m["gross"] for m in model_lines)
        title, price = r.choice(s["shipping"])
        if subtotal >= s["free_over"] and title.startswith("Standard"):
            price = 0
        ship_id = 4400000000 + index * 13
        ship_tax = vat_of(price, s["vat"])
        shipping = [{"id": ship_id, "title": title, "code": title.upper().replace(" ", "_"),
                     "source": "shopify", "price": fmt(price), "price_set": money_set(price, cur),
                     "discounted_price": fmt(price),
                     "discounted_price_set": money_set(price, cur),
                     "discount_allocations": [],
                     "tax_lines": [{"title": "VAT", "rate": s["vat"] / 100.0,
                                    "price": fmt(ship_tax),
                                    "price_set": money_set(ship_tax, cur)}] if price else []}]
        total_tax = sum(vat_of(m["gross"], m["rate"]) for m in model_lines) + ship_tax
        discounts = sum(sale) + code_total
        ship_address = dict(address)
        if drop_zip:
            ship_address["zip"] = None
        order = {
            "id": order_id, "admin_graphql_api_id": "gid://shopify/Order/%d" % order_id,
            "name": "#%d" % number, "order_number": number, "email": cust["email"],
            "contact_email": cust["email"], "created_at": placed, "processed_at": placed,
            "updated_at": placed, "currency": cur, "presentment_currency": cur,
            "taxes_included": True, "financial_status": "paid",
            "fulfillment_status": "fulfilled", "source_name": "web",
            "subtotal_price": fmt(subtotal), "subtotal_price_set": money_set(subtotal, cur),
            "total_discounts": fmt(discounts), "total_discounts_set": money_set(discounts, cur),
            "total_tax": fmt(total_tax), "total_tax_set": money_set(total_tax, cur),
            "total_price": fmt(subtotal + price),
            "total_price_set": money_set(subtotal + price, cur),
            "discount_codes": [{"code": code[0], "amount": fmt(code_total), "type": "percentage"}]
            if code else [],
            "discount_applications": apps,
            "customer": cust, "billing_address": address, "shipping_address": ship_address,
            "line_items": items, "shipping_lines": shipping,
            "tags": "", "note": None, "test": False,
        }
        self.orders.append(order)
        model = {"id": order_id, "name": order["name"], "store": store, "currency": cur,
                 "lines": model_lines, "shipping": price, "shipping_left": price,
                 "placed": placed, "returned": False}
        self.model[order_id] = model
        return model

    def generate_orders(self):
        r = self.rng
        for i in range(self.n_orders):
            store = "IE" if r.random() < 0.12 else "UK"
            day = 1 + (i * 45) // self.n_orders  # 16 Oct .. 29 Nov
            month, d = (10, 15 + day) if day <= 16 else (11, day - 16)
            placed = "2026-%02d-%02dT%02d:%02d:%02d+00:00" % (
                month, d, r.randint(7, 22), r.randint(0, 59), r.randint(0, 59))
            self.make_order(i, store, placed)

    # -- ReturnGo RMAs --
    def money(self, order, minor):
        cur = order["currency"]
        return {"amount": fmt(minor), "currency": cur, "shopAmount": fmt(minor),
                "shopCurrency": cur}

    def rma_id(self):
        self.next_rma += self.rng.randint(1, 40)
        # ReturnGo sends ids as numbers or strings: both appear.
        return self.next_rma if self.rng.random() < 0.5 else str(self.next_rma)

    def unit_item(self, order, line, k, reason, resolution, validation,
                  sku=None, exchange=None, fee=0):
        """One items[] entry: unit k (0-based, of units already used) of a line."""
        self.next_item_id += 1
        v = line["variant"]
        paid = share(line["gross"], line["qty"], k, 1)
        tax = vat_of(paid, line["rate"])
        item = {
            "returnedItemId": self.next_item_id if self.rng.random() < 0.7
            else str(self.next_item_id),
            "shopLineItemId": line["id"], "shopProductId": v["product_id"],
            "variantId": v["variant_id"], "sku": sku or v["sku"],
            "barcode": "50%011d" % (v["variant_id"] % 10**11),
            "productName": v["name"], "paidPrice": self.money(order, paid),
            "paidTax": self.money(order, tax), "taxIncluded": 1,
            "returnReason": reason, "extendedReason": REASON_TEXT.get(reason, ""),
            "resolutionType": resolution,
            "restockingFee": self.money(order, 0), "returnFee": self.money(order, 0),
            "shipmentFee": self.money(order, fee),
            "exchangeItems": exchange or [],
        }
        if validation is not None:
            item["itemValidationStatusResponse"] = validation
        return item, paid

    def validation(self, location, restockable=True, returned=True, when="2026-11-20"):
        v = {"isReturned": returned if self.rng.random() < 0.8 else int(returned),
             "isRestockable": restockable, "storeLocationId": location,
             "lastValidationDate": when + "T14:02:11.000Z"}
        if not restockable:
            v["nonRestockableReason"] = "Worn, make-up marks"
        return v

    def add_rma(self, order, items, status, transactions, created, updated,
                scenario, expect="", out_of_policy=False, raw=None):
        rid = self.rma_id() if raw is None else raw
        rma = {
            "rmaSummary": {"rmaId": rid, "status": status, "order_name": order["name"],
                           "events": [{"eventName": "RMA_CREATED", "eventDate": created},
                                      {"eventName": "RMA_STATUS_UPDATED", "eventDate": updated}]},
            "orderDetails": {"orderId": order["id"], "order_name": order["name"]},
            "createdAt": created, "lastUpdated": updated,
            "isOutOfPolicy": 1 if out_of_policy else 0,
            "shipments": [{"shipmentId": "SH-%s" % rid, "status":
                           "Validated" if status in ("Done", "Validated") else
                           ("Received" if status == "Received" else "LabelCreated"),
                           "carrier": "Royal Mail" if order["currency"] == "GBP" else "An Post",
                           "trackingNumber": "RM%09dGB" % (int(rid) % 10**9)}],
            "items": items, "transactions": transactions,
            "exchangeOrders": [],
        }
        self.rmas.append((updated, json.dumps(rma, separators=(",", ":")),
                          [str(rid), order["name"], scenario, expect]))
        order["rmas"] = order.get("rmas", 0) + 1
        order["last_day"] = max(order.get("last_day", 0), int(updated[8:10]))
        return rid, rma

    def tx(self, order, amount, item_ids, kind="RefundToPaymentMethod",
           status="Success", when="2026-11-21T10:00:00.000Z"):
        self.next_tx += 1
        return {"id": "TX-%06d" % self.next_tx, "type": kind,
                "externalReferenceId": "re_3Q%08dHH" % (self.next_tx * 7919 % 10**8),
                "amount": self.money(order, amount), "status": status,
                "returnItemIds": item_ids, "createdAt": when}

    def dates(self, order, days_after=None):
        r = self.rng
        placed_day = int(order["placed"][8:10]) + (0 if order["placed"][5:7] == "11" else -31)
        start = max(1, placed_day + 3, order.get("last_day", 0) + 1)
        if start > 27:
            start = 27
        c = r.randint(start, 28) if days_after is None else min(29, start + days_after)
        u = min(30, c + r.randint(1, 2))
        if order.get("last_day"):  # a second return: after the first one
            c = min(29, order["last_day"])
            return ("2026-11-%02dT%02d:%02d:00.000Z" % (c, r.randint(8, 20), r.randint(0, 59)),
                    "2026-11-30T23:%02d:00.000Z" % r.randint(0, 58), "2026-11-30")
        return ("2026-11-%02dT%02d:%02d:00.000Z" % (c, r.randint(8, 20), r.randint(0, 59)),
                "2026-11-%02dT%02d:%02d:00.000Z" % (u, r.randint(8, 20), r.randint(0, 59)),
                "2026-11-%02d" % u)

    def refund_amount(self, order, units, reason):
        """Goods of `units` [(line, n)], plus shipping when the rules refund
        it; marks the units used. What retcon computes for the note."""
        goods = 0
        for line, n in units:
            goods += share(line["gross"], line["qty"], line["used"], n)
            line["used"] += n
        all_back = all(l["used"] == l["qty"] for l in order["lines"])
        ship = 0
        if reason in ("FAULTY", "DAMAGED", "WRONG_ITEM") or all_back:
            ship = order["shipping_left"]
            order["shipping_left"] = 0
        return goods + ship

    def location(self, order):
        if order["store"] == "IE":
            return "IE-HUB"
        return "STORE-LON" if self.rng.random() < 0.15 else "LEEDS-DC"

    def refund_rma(self, order, reason=None, resolution="RefundToPaymentMethod",
                   tx_kind="RefundToPaymentMethod", partial=False, fee=False,
                   keep=False, scenario="refund"):
        r = self.rng
        reason = reason or r.choice(REASONS_CHANGE)
        created, updated, day = self.dates(order)
        candidates = [l for l in order["lines"] if l["used"] < l["qty"]]
        if not candidates:
            return None
        chosen = candidates if not partial else [r.choice(candidates)]
        items, units = [], []
        loc = self.location(order)
        restock = reason not in ("FAULTY", "DAMAGED") and r.random() > 0.1
        fee_minor = 295 if fee and order["currency"] == "GBP" else (
            350 if fee else 0)
        for line in chosen:
            left = line["qty"] - line["used"]
            n = left if not partial or left == 1 else r.randint(1, left - 1)
            for u in range(n):
                val = None if keep else self.validation(loc, restock, when=day)
                item, _ = self.unit_item(order, line, line["used"] + u, reason,
                                         "KeepItemRefund" if keep else resolution, val,
                                         sku=self.platform_sku(line),
                                         fee=fee_minor if not items else 0)
                items.append(item)
            units.append((line, n))
        amount = self.refund_amount(order, units, reason) - fee_minor
        ids = [i["returnedItemId"] for i in items]
        self.add_rma(order, items, "Done", [self.tx(order, amount, ids, tx_kind,
                                                    when=updated)],
                     created, updated, scenario)
        return items

    def platform_sku(self, line):
        """What ReturnGo calls the item: mostly Prima's SKU as Shopify has it;
        ReturnGo's product cache still has pre-migration flat SKUs for some
        styles, sometimes with the old UK store's -UK suffix."""
        v = line["variant"]
        if v["bundle"]:
            return v["sku"]
        x = self.rng.random()
        if v["style"] in ("HH-OXF", "HH-CHN") and x < 0.5:
            return v["flat"] + ("-UK" if x < 0.15 else "")
        return v["sku"]

    def exchange_rma(self, order, uneven=None, scenario="exchange even"):
        r = self.rng
        candidates = [l for l in order["lines"]
                      if l["used"] < l["qty"] and not l["variant"]["bundle"]]
        if not candidates:
            return None
        line = r.choice(candidates)
        v = line["variant"]
        reason = r.choice(["TOO_SMALL", "TOO_BIG"])
        created, updated, day = self.dates(order)
        k = line["used"]
        value = share(line["gross"], line["qty"], k, 1)
        if uneven is None:
            same = [x for x in self.variants if x["style"] == v["style"] and
                    x["colour"] == v["colour"] and x["sku"] != v["sku"]]
            new = r.choice(same)
            price = value  # ReturnGo prices a variant exchange at what was paid
        else:
            pool = [x for x in self.variants if not x["bundle"] and
                    (x[order["currency"]] > v[order["currency"]]) == (uneven == "more")
                    and x[order["currency"]] != v[order["currency"]] and not x["zero"]]
            if not pool:
                return None
            new = r.choice(pool)
            price = new[order["currency"]]
        exchange = [{"sku": new["flat"], "variantId": new["variant_id"], "quantity": 1,
                     "productName": new["name"],
                     "effectivePrice": self.money(order, price)}]
        item, _ = self.unit_item(order, line, k, reason,
                                 "ExchangeVariant" if uneven is None else "ExchangeProduct",
                                 self.validation(self.location(order), True, when=day),
                                 sku=self.platform_sku(line), exchange=exchange)
        line["used"] += 1
        transactions = []
        if uneven == "less":
            owed = value - price
            transactions.append(self.tx(order, owed, [item["returnedItemId"]], when=updated))
        self.add_rma(order, [item], "Done", transactions, created, updated, scenario)
        return item

    def in_progress_rma(self, order):
        r = self.rng
        status = r.choice(["Pending", "Approved", "Approved", "Received", "Validated"])
        line = r.choice(order["lines"])
        if line["used"] >= line["qty"]:
            return None
        created, updated, day = self.dates(order, days_after=r.randint(8, 20))
        val = None if status in ("Pending", "Approved") else self.validation(
            self.location(order), True, when=day)
        item, _ = self.unit_item(order, line, line["used"], r.choice(REASONS_CHANGE),
                                 "RefundToPaymentMethod", val, sku=self.platform_sku(line))
        # Received units count as moved back (stock), not as credited.
        self.add_rma(order, [item], status, [], created, updated,
                     "in progress (%s)" % status)
        return item

    def generate_returns(self):
        r = self.rng
        orders = list(self.model.values())
        r.shuffle(orders)
        kinds = (["refund"] * 34 + ["partial"] * 10 + ["faulty"] * 8 + ["damaged"] * 4 +
                 ["store credit"] * 8 + ["gift card"] * 2 + ["keep item"] * 4 +
                 ["exchange even"] * 12 + ["exchange more"] * 5 + ["exchange less"] * 4 +
                 ["refund with fee"] * 5 + ["in progress"] * 8 + ["rejected"] * 2 +
                 ["canceled"] * 1)
        made = 0
        for order in orders:
            if made >= self.n_returns:
                break
            if order.get("reserved"):
                continue
            kind = r.choice(kinds)
            done = None
            if kind in ("refund", "partial", "refund with fee"):
                done = self.refund_rma(order, partial=(kind == "partial"),
                                       fee=(kind == "refund with fee"), scenario=kind)
            elif kind in ("faulty", "damaged"):
                done = self.refund_rma(order, reason=kind.upper(), partial=True,
                                       scenario=kind)
            elif kind == "store credit":
                done = self.refund_rma(order, resolution="StoreCredit",
                                       tx_kind="StoreCredit", scenario=kind)
            elif kind == "gift card":
                done = self.refund_rma(order, resolution="GiftCard", tx_kind="GiftCard",
                                       scenario=kind)
            elif kind == "keep item":
                done = self.refund_rma(order, reason="NOT_AS_DESCRIBED", partial=True,
                                       keep=True, scenario="keep item (refund, no return)")
            elif kind == "exchange even":
                done = self.exchange_rma(order)
            elif kind == "exchange more":
                done = self.exchange_rma(order, "more", "exchange, customer pays more")
            elif kind == "exchange less":
                if sum(l["qty"] for l in order["lines"]) < 2:
                    continue  # keep the refund owed free of the delivery charge
                done = self.exchange_rma(order, "less", "exchange, refund owed")
            elif kind == "in progress":
                done = self.in_progress_rma(order)
            else:
                line = order["lines"][0]
                created, updated, _ = self.dates(order)
                item, _ = self.unit_item(order, line, line["used"], "CHANGED_MIND",
                                         "RefundToPaymentMethod", None)
                self.add_rma(order, [item], "Rejected" if kind == "rejected" else "Canceled",
                             [], created, updated, kind + " (nothing to post)",
                             out_of_policy=(kind == "rejected"))
                done = True
            if done:
                made += 1
                order["returned"] = True
        # A few second returns: the rest of a partly returned line.
        for order in orders:
            if order.get("rmas", 0) != 1:
                continue
            rest = [l for l in order["lines"] if 0 < l["used"] < l["qty"]]
            if rest and r.random() < 0.5:
                self.refund_rma(order, partial=False, scenario="second return, rest of the line")

    # -- deliberately broken records, one story each --
    def fresh_order(self, store="UK", lines=None, code=None, drop_zip=False):
        index = self.n_orders + len(self.extra_orders) + 50 + sum(
            1 for o in self.model.values() if o.get("reserved"))
        placed = "2026-11-0%dT11:%02d:00+00:00" % (1 + index % 8, index % 60)
        order = self.make_order(index, store, placed, lines=lines, code=code,
                                drop_zip=drop_zip)
        order["reserved"] = True
        return order

    def v(self, sku):
        return self.by_sku[sku]

    def broken(self):
        late = "2026-11-29T%02d:00:00.000Z"

        # REFUND_VARIANCE: refunded the full price, ignoring the 10% code.
        o = self.fresh_order(lines=[(self.v("HH-CHN/STN/32R"), 1), (self.v("HH-TEE/BLK/M"), 2)],
                             code=("WELCOME10", 10))
        line = o["lines"][0]
        item, _ = self.unit_item(o, line, 0, "TOO_BIG", "RefundToPaymentMethod",
                                 self.validation("LEEDS-DC", True))
        self.add_rma(o, [item], "Done", [self.tx(o, line["unit"], [item["returnedItemId"]])],
                     late % 8, late % 9, "refund at full price, discount ignored",
                     "REFUND_VARIANCE")
        line["used"] = 1

        # OVER_REFUND: chinos refunded correctly, then again on a second RMA.
        o = self.fresh_order(lines=[(self.v("HH-CHN/STN/34R"), 1), (self.v("HH-TEE/WHT/L"), 1)],
                             code=("WELCOME10", 10))
        line = o["lines"][0]
        item, _ = self.unit_item(o, line, 0, "TOO_BIG", "RefundToPaymentMethod",
                                 self.validation("LEEDS-DC", True))
        paid = self.refund_amount(o, [(line, 1)], "TOO_BIG")
        self.add_rma(o, [item], "Done", [self.tx(o, paid, [item["returnedItemId"]])],
                     late % 8, late % 9, "chinos refunded (correctly)", "")
        item2, _ = self.unit_item(o, line, 0, "TOO_BIG", "RefundToPaymentMethod",
                                  self.validation("LEEDS-DC", True, returned=False))
        self.add_rma(o, [item2], "Done", [self.tx(o, paid, [item2["returnedItemId"]])],
                     late % 10, late % 11, "second RMA refunds the same chinos again",
                     "OVER_REFUND")

        # SKU_MISMATCH (returned item): sold size L, ReturnGo names size M.
        o = self.fresh_order(lines=[(self.v("HH-OXF/WHT/L"), 1)])
        line = o["lines"][0]
        item, paid = self.unit_item(o, line, 0, "TOO_SMALL", "RefundToPaymentMethod",
                                    self.validation("LEEDS-DC", True), sku="HH-OXF-WHT-M-UK")
        self.add_rma(o, [item], "Done",
                     [self.tx(o, self.refund_amount(o, [(line, 1)], "TOO_SMALL"),
                              [item["returnedItemId"]])],
                     late % 8, late % 9, "ReturnGo names another size than was sold",
                     "SKU_MISMATCH")

        # SKU_MISMATCH (exchange): a size the ERP does not stock.
        o = self.fresh_order(lines=[(self.v("HH-CHN/NVY/34R"), 1), (self.v("HH-TEE/WHT/L"), 1)])
        line = o["lines"][0]
        ex = [{"sku": "HH-CHN-NVY-38R", "variantId": 44199999999, "quantity": 1,
               "productName": "Slim chinos - Navy / 38R",
               "effectivePrice": self.money(o, line["gross"])}]
        item, _ = self.unit_item(o, line, 0, "TOO_SMALL", "ExchangeVariant",
                                 self.validation("LEEDS-DC", True), exchange=ex)
        self.add_rma(o, [item], "Done", [], late % 8, late % 9,
                     "exchange into a size nobody stocks", "SKU_MISMATCH")

        # NO_DEPOT_MAPPING: handed in at the new Manchester pop-up store.
        o = self.fresh_order(lines=[(self.v("HH-DRS/SGE/10"), 1), (self.v("HH-TEE/NVY/S"), 1)])
        line = o["lines"][0]
        item, _ = self.unit_item(o, line, 0, "TOO_BIG", "RefundToPaymentMethod",
                                 self.validation("STORE-MAN", True))
        self.add_rma(o, [item], "Done",
                     [self.tx(o, self.refund_amount(o, [(line, 1)], "TOO_BIG"),
                              [item["returnedItemId"]])],
                     late % 8, late % 9, "received at a store no depot rule covers",
                     "NO_DEPOT_MAPPING")

        # INCOMPLETE_EXCHANGE: phone order without a postcode.
        o = self.fresh_order(lines=[(self.v("HH-JMP/GRY/M"), 1), (self.v("HH-TEE/BLK/S"), 1)],
                             drop_zip=True)
        line = o["lines"][0]
        same = self.v("HH-JMP/GRY/L")
        ex = [{"sku": same["flat"], "variantId": same["variant_id"], "quantity": 1,
               "productName": same["name"], "effectivePrice": self.money(o, line["gross"])}]
        item, _ = self.unit_item(o, line, 0, "TOO_SMALL", "ExchangeVariant",
                                 self.validation("LEEDS-DC", True), exchange=ex)
        self.add_rma(o, [item], "Done", [], late % 8, late % 9,
                     "exchange on an order whose delivery address has no postcode",
                     "INCOMPLETE_EXCHANGE")

        # INCOMPLETE_EXCHANGE: exchange chosen, but no exchange item sent.
        o = self.fresh_order(lines=[(self.v("HH-TEE/NVY/M"), 1), (self.v("HH-TEE/BLK/M"), 1)])
        item, _ = self.unit_item(o, o["lines"][0], 0, "TOO_SMALL", "ExchangeVariant",
                                 self.validation("LEEDS-DC", True))
        self.add_rma(o, [item], "Done", [], late % 8, late % 9,
                     "exchange with no exchange item", "INCOMPLETE_EXCHANGE")

        # REFUND_OUTSIDE_PLATFORM: rejected, but an agent refunded anyway.
        o = self.fresh_order(lines=[(self.v("HH-TEE/WHT/M"), 1), (self.v("HH-CHN/STN/30R"), 1)])
        line = o["lines"][0]
        item, _ = self.unit_item(o, line, 0, "CHANGED_MIND", "RefundToPaymentMethod", None)
        self.add_rma(o, [item], "Rejected", [self.tx(o, line["gross"], [item["returnedItemId"]])],
                     late % 8, late % 9, "refund paid on a rejected return",
                     "REFUND_OUTSIDE_PLATFORM", out_of_policy=True)

        # DUPLICATE_SIGNAL (info): one refund listed twice in the payload.
        o = self.fresh_order(lines=[(self.v("HH-TEE/BLK/L"), 2), (self.v("HH-OXF/BLU/M"), 1)])
        line = o["lines"][0]
        items = [self.unit_item(o, line, k, "CHANGED_MIND", "RefundToPaymentMethod",
                                self.validation("LEEDS-DC", True))[0] for k in range(2)]
        t = self.tx(o, self.refund_amount(o, [(line, 2)], "CHANGED_MIND"),
                    [i["returnedItemId"] for i in items])
        self.add_rma(o, items, "Done", [t, dict(t)], late % 8, late % 9,
                     "refund transaction listed twice", "DUPLICATE_SIGNAL")

        # DUPLICATE_SIGNAL (blocking): the same T-shirts received on a second
        # RMA (still open, nothing refunded yet).
        items = [self.unit_item(o, line, k, "CHANGED_MIND", "RefundToPaymentMethod",
                                self.validation("LEEDS-DC", True))[0] for k in range(1)]
        self.add_rma(o, items, "Received", [], late % 10, late % 11,
                     "second RMA receives T-shirts already received", "DUPLICATE_SIGNAL")

        # REPLAY_CONFLICT: an RMA fetched twice (webhooks); in between, the
        # warehouse re-inspected the jacket as not restockable.
        o = self.fresh_order(lines=[(self.v("HH-JKT/OLV/M"), 1), (self.v("HH-TEE/WHT/S"), 1)])
        line = o["lines"][0]
        item, _ = self.unit_item(o, line, 0, "TOO_BIG", "RefundToPaymentMethod",
                                 self.validation("LEEDS-DC", True))
        rid, rma = self.add_rma(o, [item], "Received", [], late % 8, late % 9,
                                "received, stock moved as sellable", "")
        rma2 = json.loads(json.dumps(rma))
        rma2["items"][0]["itemValidationStatusResponse"]["isRestockable"] = False
        rma2["items"][0]["itemValidationStatusResponse"]["nonRestockableReason"] = "Wax finish scuffed"
        rma2["rmaSummary"]["status"] = "Validated"
        rma2["lastUpdated"] = late % 12
        self.rmas.append((late % 12, json.dumps(rma2, separators=(",", ":")),
                          [str(rid), o["name"], "same RMA again, re-inspected as not restockable",
                           "REPLAY_CONFLICT"]))
        # The same RMA delivered a third time, unchanged: nothing new.
        self.rmas.append((late % 13, json.dumps(rma2, separators=(",", ":")),
                          [str(rid), o["name"], "same RMA delivered again, unchanged", ""]))

        # STOCK_NOT_POSTED: finished and refunded, inspection never recorded.
        o = self.fresh_order(lines=[(self.v("HH-CHN/NVY/32R"), 1), (self.v("HH-TEE/NVY/L"), 1)])
        line = o["lines"][0]
        item, _ = self.unit_item(o, line, 0, "TOO_SMALL", "RefundToPaymentMethod", None)
        self.add_rma(o, [item], "Done",
                     [self.tx(o, self.refund_amount(o, [(line, 1)], "TOO_SMALL"),
                              [item["returnedItemId"]])],
                     late % 8, late % 9, "finished without an inspection", "STOCK_NOT_POSTED")

        # UNKNOWN_BUNDLE: a gift box sold by phone in Prima (exported as a
        # retcon.v1.SalesOrder, listing its components without their price
        # split), not in the catalog; the whole box comes back.
        self.unknown_bundle()

    def unknown_bundle(self):
        order_id = "PRIMA-SO-000731"
        gross, tax = 4500, vat_of(4500, 20)
        order = {
            "order_id": order_id, "order_number": "SO-000731", "source": "prima",
            "currency_code": "GBP", "prices_include_tax": True,
            "customer": {"customer_id": "C-88812", "email": "margaret.hughes@example.com",
                         "first_name": "Margaret", "last_name": "Hughes"},
            "shipping_address": {"name": "Margaret Hughes", "line1": "4 Abbey Road",
                                 "city": "York", "postal_code": "YO1 7HH",
                                 "country_code": "GB"},
            "order_type": "PHONE", "channel": "phone",
            "placed_at": "2026-11-06T10:30:00Z",
            "lines": [{"line_id": "1", "sku": "GS-AUTUMN", "product_name": "Autumn gift box",
                       "quantity": 1,
                       "unit_price": {"currency_code": "GBP", "minor_units": gross},
                       "tax_lines": [{"rate": "20", "title": "VAT",
                                      "amount": {"currency_code": "GBP", "minor_units": tax}}],
                       "components": [{"sku": "HH-SCF/WOOL/RST", "quantity": 1},
                                      {"sku": "HH-BNE/WOOL/RST", "quantity": 1}]}],
        }
        self.prima_orders.append(json.dumps(order, separators=(",", ":")))
        ret = {
            "source": "returngo", "return_id": "PH-731-1", "order_id": order_id,
            "order_number": "SO-000731", "status": "RETURN_STATUS_DONE",
            "currency_code": "GBP",
            "lines": [{"return_line_id": "R1", "order_line_id": "1", "quantity": 1,
                       "platform_sku": "GS-AUTUMN", "reason_code": "CHANGED_MIND",
                       "resolution": "RESOLUTION_REFUND_TO_PAYMENT_METHOD",
                       "inspection": {"returned": True, "restockable": True,
                                      "return_location": "LEEDS-DC"}}],
            "refunds": [{"refund_id": "PH-731-RF1",
                         "amount": {"currency_code": "GBP", "minor_units": gross},
                         "status": "TRANSACTION_STATUS_SUCCESS",
                         "method": "RESOLUTION_REFUND_TO_PAYMENT_METHOD",
                         "return_line_ids": ["R1"]}],
            "created_at": "2026-11-20T09:00:00Z", "updated_at": "2026-11-29T07:00:00Z",
        }
        self.prima_returns.append((json.dumps(ret, separators=(",", ":")),
                                   ["PH-731-1", "SO-000731",
                                    "whole gift box of unknown split (phone order keyed "
                                    "in Prima)", "UNKNOWN_BUNDLE"]))

    def cancelled(self):
        """A customer who changed their mind about returning: nothing to post."""
        order = next(o for o in self.model.values()
                     if not o.get("rmas") and not o.get("reserved"))
        item, _ = self.unit_item(order, order["lines"][0], 0, "CHANGED_MIND",
                                 "RefundToPaymentMethod", None)
        self.add_rma(order, [item], "Canceled", [], "2026-11-12T10:00:00.000Z",
                     "2026-11-13T09:30:00.000Z", "cancelled by the customer (nothing to post)",
                     raw="40099000")

    def malformed(self):
        bad = [
            ("2026-11-29T23:00:00.000Z",
             '{"rmaSummary":{"rmaId":40099901,"status":"Done"},"orderDetails":{"orderId":',
             ["40099901", "", "malformed: truncated JSON line", "(skipped)"]),
            ("2026-11-29T23:01:00.000Z",
             json.dumps({"rmaSummary": {"status": "Done", "order_name": "#1003"},
                         "orderDetails": {"orderId": STORES["UK"]["id_base"] + 2 * 7919},
                         "items": [{"returnedItemId": 1, "shopLineItemId": 1}]},
                        separators=(",", ":")),
             ["", "#1003", "malformed: RMA without rmaSummary.rmaId", "(skipped)"]),
        ]
        self.rmas.extend(bad)
        o = dict(self.orders[5])
        del o["currency"]
        o["id"] = o["id"] + 1
        o["name"] = o["name"] + "-DUP"
        self.extra_orders.append(json.dumps(o, separators=(",", ":")))
        self.extra_orders.append('{"id": 6102399999999, "name": "#9999", "line_items": [')

    def write(self, out_dir):
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "orders.ndjson"), "w") as f:
            for o in self.orders:
                f.write(json.dumps(o, separators=(",", ":")) + "\n")
            for line in self.extra_orders:
                f.write(line + "\n")
        rows = sorted(self.rmas, key=lambda x: x[0])
        with open(os.path.join(out_dir, "returns.ndjson"), "w") as f:
            for _, text, _ in rows:
                f.write(text + "\n")
        with open(os.path.join(out_dir, "prima_orders.ndjson"), "w") as f:
            for line in self.prima_orders:
                f.write(line + "\n")
        with open(os.path.join(out_dir, "prima_returns.ndjson"), "w") as f:
            for text, _ in self.prima_returns:
                f.write(text + "\n")
        with open(os.path.join(out_dir, "scenarios.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["file", "line", "rma_id", "order", "scenario", "expected_exception"])
            for n, (_, _, row) in enumerate(rows, 1):
                w.writerow(["returns.ndjson", n] + row)
            for n, (_, row) in enumerate(self.prima_returns, 1):
                w.writerow(["prima_returns.ndjson", n] + row)
        return len(self.orders) + len(self.extra_orders), len(rows)


CATALOG_HEAD = """# retcon.v1.Catalog of Harrow & Hale, written by generate.py.
#
# Prima stocks a SKU as style / colour / size ("HH-OXF/WHT/M"), and Shopify
# uses Prima's SKUs. ReturnGo's product cache still holds the flat SKUs of
# before the November migration ("HH-OXF-WHT-M"), some with the old UK
# store's "-UK" suffix, and its exchange items always use them. The aliases
# below map every flat SKU to Prima's; the rewrite strips the suffix first.
# A flat SKU with no alias (a size Prima does not stock) is a SKU_MISMATCH.

# Gift sets are sold as one priced line; Prima stocks their components.
# The winter box's price splits by list price (scarf 35.00 : gloves 25.00).
bundles {
  bundle_sku: "GS-WINTER"
  components {
    sku: "HH-SCF/WOOL/GRY"
    quantity: 1
    list_price { currency_code: "GBP" minor_units: 3500 }
  }
  components {
    sku: "HH-GLV/WOOL/GRY"
    quantity: 1
    list_price { currency_code: "GBP" minor_units: 2500 }
  }
  stocked_as_kit: false
}

# The sock trio is kept boxed in the warehouse: a whole trio coming back
# goes into stock as the trio; its price splits equally between the pairs.
bundles {
  bundle_sku: "HH-SCK-TRIO"
  components { sku: "HH-SCK/MRN/GRY" quantity: 1 weight: 1 }
  components { sku: "HH-SCK/MRN/NVY" quantity: 1 weight: 1 }
  components { sku: "HH-SCK/MRN/RED" quantity: 1 weight: 1 }
  stocked_as_kit: true
}

# ReturnGo's old UK SKUs end in "-UK": strip it, then look up the alias.
sku_rewrites {
  pattern: "^(.+)-UK$"
  rewrite: "\\\\1"
}

# Flat SKU (ReturnGo) -> Prima SKU.
"""


def write_catalog(path):
    with open(path, "w") as f:
        f.write(CATALOG_HEAD)
        for v in variants():
            if v["bundle"]:
                continue
            f.write('sku_aliases { platform_sku: "%s" erp_sku: "%s" style_code: "%s" '
                    'matrix_codes: "%s" matrix_codes: "%s" }\n'
                    % (v["flat"], v["sku"], v["style"], v["colour"], v["size"]))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seed", type=int, default=20261130)
    p.add_argument("--orders", type=int, default=300)
    p.add_argument("--returns", type=int, default=110,
                   help="ordinary returns (the broken and malformed ones come on top)")
    p.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    a = p.parse_args()
    g = Generator(a.seed, a.orders, a.returns)
    g.generate_orders()
    g.broken()
    g.generate_returns()
    g.cancelled()
    g.malformed()
    n_orders, n_returns = g.write(a.out)
    write_catalog(os.path.join(a.out, "catalog.textproto"))
    print("wrote %d order records and %d return records to %s" % (n_orders, n_returns, a.out))


if __name__ == "__main__":
    main()
