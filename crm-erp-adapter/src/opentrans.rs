//! openTRANS 2.1 documents into replica batches: ORDER (an order with its order lines),
//! DISPATCHNOTIFICATION (a delivery note) and INVOICE (an invoice with its open item and
//! revenue lines). Other openTRANS documents are refused, naming the document type.
//!
//! The customer is the buyer (ORDER), the invoice recipient (INVOICE) or the buyer of a
//! dispatch notification, identified by a party id that is the customer's number in the
//! CRM. Lines keep their `LINE_ITEM_ID` as position when it is a number, else their place in
//! the list. Tax rates are fractions in openTRANS (`0.19`) and percent here (`19`). The
//! stated `TOTAL_AMOUNT` must equal the items' net plus VAT; an invoice's due date is its date
//! plus the first `TIME_FOR_PAYMENT/DAYS`, or 30 days. Errors name the element path.

use chrono::{Duration, NaiveDate};
use crm_core::erp::{
    DocumentKind, DocumentLine, DocumentNumber, DocumentStatus, DocumentTotals, OpenItem,
    OrderLine, ProductNumber, RevenueFact, SalesDocument, SyncBatch,
};
use crm_core::{AddressNumber, Currency, Decimal, Error, Result};
use roxmltree::{Document, Node};

/// Days to pay when a document does not say.
pub const DEFAULT_PAYMENT_DAYS: i64 = 30;

/// A read openTRANS document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTrans {
    /// The document, as the CRM keeps it.
    pub document: SalesDocument,
    /// The replica batches that store it (document, then order lines or open item and
    /// revenue lines).
    pub batches: Vec<SyncBatch>,
}

fn invalid(at: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::invalid(at, reason)
}

/// Decodes the bytes by their declared encoding and drops the declaration.
fn decode(bytes: &[u8]) -> Result<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_string();
    let label = head
        .split("encoding=")
        .nth(1)
        .and_then(|rest| rest.get(1..))
        .and_then(|rest| rest.split(['"', '\'']).next())
        .unwrap_or("UTF-8");
    let encoding = encoding_rs::Encoding::for_label(label.trim().as_bytes())
        .ok_or_else(|| invalid("xml", format!("the encoding `{label}` is unknown")))?;
    let (text, _, malformed) = encoding.decode(bytes);
    if malformed {
        return Err(invalid(
            "xml",
            format!("the bytes are not valid {}", encoding.name()),
        ));
    }
    let text = text.trim_start_matches('\u{feff}');
    Ok(match (text.starts_with("<?xml"), text.find("?>")) {
        (true, Some(end)) => text[end + 2..].to_owned(),
        _ => text.to_owned(),
    })
}

fn children<'a, 'i>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// The element at `path` below `node`, by local names.
fn at<'a, 'i>(node: Node<'a, 'i>, path: &[&str]) -> Option<Node<'a, 'i>> {
    path.iter().try_fold(node, |n, name| child(n, name))
}

fn text<'a>(node: Node<'a, '_>, path: &[&str]) -> Option<&'a str> {
    at(node, path)
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// `ROOT/A/B` for error messages.
fn where_(node: Node<'_, '_>, path: &[&str]) -> String {
    let mut names: Vec<&str> = node
        .ancestors()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    names.reverse();
    names.extend_from_slice(path);
    names.join("/")
}

fn required<'a>(node: Node<'a, '_>, path: &[&str]) -> Result<&'a str> {
    text(node, path).ok_or_else(|| invalid(where_(node, path), "is missing"))
}

fn decimal(node: Node<'_, '_>, path: &[&str]) -> Result<Option<Decimal>> {
    text(node, path)
        .map(|t| {
            t.parse::<Decimal>()
                .map_err(|_| invalid(where_(node, path), format!("`{t}` is not a number")))
        })
        .transpose()
}

fn date(node: Node<'_, '_>, path: &[&str]) -> Result<NaiveDate> {
    let raw = required(node, path)?;
    raw.get(..10)
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| invalid(where_(node, path), format!("`{raw}` is not a date")))
}

/// The customer's party id: the id reference, else the party with one of `roles`.
fn customer(info: Node<'_, '_>, idref: &[&str], roles: &[&str]) -> Result<AddressNumber> {
    let (id, path) = match text(info, idref) {
        Some(id) => (id, where_(info, idref)),
        None => child(info, "PARTIES")
            .into_iter()
            .flat_map(|p| children(p, "PARTY"))
            .find(|p| text(*p, &["PARTY_ROLE"]).is_some_and(|r| roles.contains(&r)))
            .and_then(|p| text(p, &["PARTY_ID"]).map(|id| (id, where_(p, &["PARTY_ID"]))))
            .ok_or_else(|| {
                invalid(
                    where_(info, &["PARTIES"]),
                    format!("no party with the role {}", roles.join(" or ")),
                )
            })?,
    };
    id.parse().map(AddressNumber).map_err(|_| {
        invalid(
            path,
            format!("the party id `{id}` is not a customer number of the CRM"),
        )
    })
}

/// Reads an openTRANS ORDER, DISPATCHNOTIFICATION or INVOICE. `currency` is used when the
/// document names none (dispatch notifications carry no prices).
///
/// # Errors
/// [`Error::Invalid`] naming `xml` (unreadable), `document` (an unsupported type) or the
/// element path of the first bad or missing value.
pub fn read_opentrans(bytes: &[u8], currency: Currency) -> Result<OpenTrans> {
    let text_ = decode(bytes)?;
    let doc = Document::parse(&text_).map_err(|e| invalid("xml", e.to_string()))?;
    let root = doc.root_element();
    let name = root.tag_name().name();
    let (kind, item_name) = match name {
        "ORDER" => (DocumentKind::Order, "ORDER_ITEM"),
        "DISPATCHNOTIFICATION" => (DocumentKind::DeliveryNote, "DISPATCHNOTIFICATION_ITEM"),
        "INVOICE" => (DocumentKind::Invoice, "INVOICE_ITEM"),
        other => {
            return Err(invalid(
                "document",
                format!(
                    "{other} is not a supported openTRANS document; supported are ORDER, \
                     DISPATCHNOTIFICATION and INVOICE"
                ),
            ));
        }
    };
    let info_name = format!("{name}_INFO");
    let info = at(root, &[&format!("{name}_HEADER"), &info_name])
        .ok_or_else(|| invalid(format!("{name}/{name}_HEADER/{info_name}"), "is missing"))?;
    let number = required(info, &[&format!("{name}_ID")])?;
    let number =
        DocumentNumber::new(number).map_err(|e| e.at(&where_(info, &[&format!("{name}_ID")])))?;
    let day = date(info, &[&format!("{name}_DATE")])?;
    let currency = match text(info, &["CURRENCY"]) {
        Some(code) => Currency::new(code).map_err(|e| e.at(&where_(info, &["CURRENCY"])))?,
        None => currency,
    };
    let customer = match kind {
        DocumentKind::Order => customer(info, &["BUYER_IDREF"], &["buyer"])?,
        DocumentKind::Invoice => customer(
            info,
            &["INVOICE_RECIPIENT_IDREF"],
            &["invoice_recipient", "buyer"],
        )?,
        _ => customer(info, &["BUYER_IDREF"], &["buyer", "customer"])?,
    };

    let list = child(root, &format!("{name}_ITEM_LIST"))
        .ok_or_else(|| invalid(format!("{name}/{name}_ITEM_LIST"), "is missing"))?;
    let mut lines = Vec::new();
    let mut requested = Vec::new();
    for (index, item) in children(list, item_name).enumerate() {
        let id = required(item, &["LINE_ITEM_ID"])?;
        let position = id.parse::<u32>().unwrap_or(index as u32 + 1);
        let quantity = decimal(item, &["QUANTITY"])?
            .ok_or_else(|| invalid(where_(item, &["QUANTITY"]), "is missing"))?;
        let unit_price = decimal(item, &["PRODUCT_PRICE_FIX", "PRICE_AMOUNT"])?.unwrap_or_default();
        let net_amount = decimal(item, &["PRICE_LINE_AMOUNT"])?.unwrap_or(quantity * unit_price);
        let tax =
            decimal(item, &["PRODUCT_PRICE_FIX", "TAX_DETAILS_FIX", "TAX"])?.unwrap_or_default();
        let product = text(item, &["PRODUCT_ID", "SUPPLIER_PID"])
            .map(|p| {
                ProductNumber::new(p)
                    .map_err(|e| e.at(&where_(item, &["PRODUCT_ID", "SUPPLIER_PID"])))
            })
            .transpose()?;
        if kind == DocumentKind::Order && product.is_none() {
            return Err(invalid(
                where_(item, &["PRODUCT_ID", "SUPPLIER_PID"]),
                "is missing",
            ));
        }
        requested.push(
            text(item, &["DELIVERY_DATE", "DELIVERY_START_DATE"])
                .or_else(|| text(info, &["DELIVERY_DATE", "DELIVERY_START_DATE"]))
                .and_then(|d| d.get(..10)?.parse::<NaiveDate>().ok()),
        );
        lines.push(DocumentLine {
            position,
            description: text(item, &["PRODUCT_ID", "DESCRIPTION_SHORT"])
                .unwrap_or(id)
                .to_owned(),
            product,
            quantity,
            unit: text(item, &["ORDER_UNIT"]).unwrap_or("PCE").to_owned(),
            unit_price,
            net_amount,
            vat_rate: tax * Decimal::ONE_HUNDRED,
        });
    }
    if lines.is_empty() {
        return Err(invalid(
            where_(list, &[item_name]),
            "the document has no items",
        ));
    }
    let totals = DocumentTotals::compute(currency, &lines)
        .map_err(|e| invalid(where_(list, &[]), e.to_string()))?;
    let summary = format!("{name}_SUMMARY");
    if let Some(stated) = decimal(root, &[&summary, "TOTAL_AMOUNT"])?
        && kind != DocumentKind::DeliveryNote
        && stated != totals.gross.amount
    {
        return Err(invalid(
            where_(root, &[&summary, "TOTAL_AMOUNT"]),
            format!(
                "{stated} is not the items' net {} plus VAT, {}",
                totals.net.amount, totals.gross.amount
            ),
        ));
    }
    let preceding = children(list, item_name)
        .find_map(|item| text(item, &["ORDER_REFERENCE", "ORDER_ID"]))
        .or_else(|| {
            text(
                root,
                &[&format!("{name}_HEADER"), "ORDER_HISTORY", "ORDER_ID"],
            )
        })
        .and_then(|n| DocumentNumber::new(n).ok());
    let document = SalesDocument {
        number: number.clone(),
        kind,
        customer,
        date: day,
        status: match kind {
            DocumentKind::DeliveryNote => DocumentStatus::Completed,
            _ => DocumentStatus::Open,
        },
        currency,
        reference: None,
        valid_until: None,
        preceding,
        lines: lines.clone(),
        totals: totals.clone(),
    };
    let mut batches = vec![SyncBatch::Documents {
        upserts: vec![document.clone()],
        deletions: vec![],
    }];
    match kind {
        DocumentKind::Order => batches.push(SyncBatch::OrderLines {
            upserts: lines
                .iter()
                .zip(requested)
                .filter_map(|(l, wanted)| Some((l, wanted, l.product.clone()?)))
                .map(|(l, wanted, product)| OrderLine {
                    order: number.clone(),
                    position: l.position,
                    customer,
                    product,
                    description: l.description.clone(),
                    ordered: l.quantity,
                    delivered: Decimal::ZERO,
                    unit: l.unit.clone(),
                    requested_date: wanted,
                    confirmed_date: None,
                    cancelled: false,
                })
                .collect(),
            deletions: vec![],
        }),
        DocumentKind::Invoice => {
            let days = root
                .descendants()
                .find(|n| n.is_element() && n.tag_name().name() == "TIME_FOR_PAYMENT")
                .and_then(|t| text(t, &["DAYS"]))
                .and_then(|d| d.parse::<i64>().ok())
                .unwrap_or(DEFAULT_PAYMENT_DAYS);
            batches.push(SyncBatch::OpenItems {
                upserts: vec![OpenItem {
                    invoice: number.clone(),
                    customer,
                    invoice_date: day,
                    due_date: day + Duration::days(days),
                    currency,
                    amount: totals.gross.amount,
                    open_amount: totals.gross.amount,
                    dunning_level: 0,
                }],
                deletions: vec![],
            });
            batches.push(SyncBatch::Revenue {
                upserts: lines
                    .iter()
                    .map(|l| RevenueFact {
                        document: number.clone(),
                        position: l.position,
                        date: day,
                        customer,
                        product: l.product.clone(),
                        product_group: None,
                        field_rep: None,
                        inside_rep: None,
                        region: None,
                        quantity: l.quantity,
                        net_amount: l.net_amount,
                        cost: None,
                        currency,
                    })
                    .collect(),
                deletions: vec![],
            });
        }
        _ => {}
    }
    Ok(OpenTrans { document, batches })
}

#[cfg(test)]
#[path = "opentrans_tests.rs"]
mod tests;
