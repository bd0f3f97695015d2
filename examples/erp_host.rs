//! An ERP that embeds the CRM: it keeps its own data in its own structures (amounts in
//! cents, its own records) and implements the CRM's ERP ports over them directly — no
//! replica, no copying. The CRM then shows a customer's documents, disposition, receivables
//! with payment habits and explained prices from the host's data.
//!
//! ```sh
//! cargo run --example erp_host            # on a fresh database in a temporary directory
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use crm::erp::{
    ConditionPrice, ConditionScope, ConditionTarget, DocumentHeader, DocumentKind, DocumentLine,
    DocumentNumber, DocumentQuery, DocumentStatus, DocumentTotals, GroupCode, ListPrice, OpenItem,
    OrderLine, Payment, PriceRequest, ProductNumber, RevenueFact, SalesDocument, SpecialCondition,
};
use crm::{
    AddressInput, AddressNumber, Currency, Decimal, ImportRow, Page, PageRequest,
    PostalAddressInput, Settings, SystemClock, demo,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The host's own record of an invoice, as its accounting keeps it.
struct HostInvoice {
    number: &'static str,
    customer: i64,
    issued: NaiveDate,
    net_cents: i64,
    paid: Vec<(NaiveDate, i64)>,
    article: &'static str,
    pieces: i64,
}

/// The host's own record of an order position.
struct HostOrderPosition {
    order: &'static str,
    pos: u32,
    customer: i64,
    article: &'static str,
    pieces: i64,
    shipped: i64,
    wanted: NaiveDate,
}

/// The host's article master with prices in cents, and its customer agreements.
struct HostErp {
    invoices: Vec<HostInvoice>,
    orders: Vec<HostOrderPosition>,
    articles: BTreeMap<&'static str, (&'static str, i64)>,
    /// (customer, article, percent off)
    agreements: Vec<(i64, &'static str, i64)>,
    payment_days: i64,
}

const CUSTOMER: i64 = 310_001;
const VAT: &str = "8.1";

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

fn key<T>(r: std::result::Result<T, crm::ValueError>) -> crm::Result<T> {
    r.map_err(|e| crm::Error::Storage(format!("host data: {e}")))
}

impl HostErp {
    fn document(&self, invoice: &HostInvoice) -> crm::Result<SalesDocument> {
        let (name, _) = self
            .articles
            .get(invoice.article)
            .copied()
            .unwrap_or(("?", 0));
        let lines = vec![DocumentLine {
            position: 1,
            product: Some(key(ProductNumber::new(invoice.article))?),
            description: name.to_owned(),
            quantity: Decimal::from(invoice.pieces),
            unit: "PCE".into(),
            unit_price: cents(invoice.net_cents) / Decimal::from(invoice.pieces),
            net_amount: cents(invoice.net_cents),
            vat_rate: VAT.parse().unwrap_or_default(),
        }];
        let paid: i64 = invoice.paid.iter().map(|(_, c)| c).sum();
        let totals = DocumentTotals::compute(Currency::CHF, &lines)?;
        Ok(SalesDocument {
            number: key(DocumentNumber::new(invoice.number))?,
            kind: DocumentKind::Invoice,
            customer: AddressNumber(invoice.customer),
            date: invoice.issued,
            status: if cents(paid) >= totals.gross.amount {
                DocumentStatus::Completed
            } else {
                DocumentStatus::Open
            },
            currency: Currency::CHF,
            reference: None,
            valid_until: None,
            preceding: None,
            lines,
            totals,
        })
    }
}

impl crm::SalesDocuments for HostErp {
    fn documents_of(
        &self,
        customer: AddressNumber,
        query: &DocumentQuery,
        page: PageRequest,
    ) -> crm::Result<Page<DocumentHeader>> {
        let mut headers = Vec::new();
        for invoice in self.invoices.iter().filter(|i| i.customer == customer.0) {
            let header = self.document(invoice)?.header();
            if query.admits(&header) {
                headers.push(header);
            }
        }
        headers.sort_by(|a, b| (b.date, &b.number).cmp(&(a.date, &a.number)));
        Ok(Page::of(headers, page))
    }

    fn document(&self, number: &DocumentNumber) -> crm::Result<Option<SalesDocument>> {
        self.invoices
            .iter()
            .find(|i| i.number == number.as_str())
            .map(|i| self.document(i))
            .transpose()
    }
}

impl crm::OrderLines for HostErp {
    fn order_lines_of(
        &self,
        customer: AddressNumber,
        all: bool,
        page: PageRequest,
    ) -> crm::Result<Page<OrderLine>> {
        let mut lines = Vec::new();
        for p in self.orders.iter().filter(|p| p.customer == customer.0) {
            let line = OrderLine {
                order: key(DocumentNumber::new(p.order))?,
                position: p.pos,
                customer,
                product: key(ProductNumber::new(p.article))?,
                description: self.articles.get(p.article).map_or("?", |a| a.0).to_owned(),
                ordered: Decimal::from(p.pieces),
                delivered: Decimal::from(p.shipped),
                unit: "PCE".into(),
                requested_date: Some(p.wanted),
                confirmed_date: None,
                cancelled: false,
            };
            if all || !line.open_quantity().is_zero() {
                lines.push(line);
            }
        }
        Ok(Page::of(lines, page))
    }
}

impl crm::Receivables for HostErp {
    fn open_items_of(&self, customer: AddressNumber) -> crm::Result<Vec<OpenItem>> {
        let mut items = Vec::new();
        for invoice in self.invoices.iter().filter(|i| i.customer == customer.0) {
            let gross = self.document(invoice)?.totals.gross.amount;
            let paid: i64 = invoice.paid.iter().map(|(_, c)| c).sum();
            items.push(OpenItem {
                invoice: key(DocumentNumber::new(invoice.number))?,
                customer,
                invoice_date: invoice.issued,
                due_date: invoice.issued + Duration::days(self.payment_days),
                currency: Currency::CHF,
                amount: gross,
                open_amount: (gross - cents(paid)).max(Decimal::ZERO),
                dunning_level: 0,
            });
        }
        Ok(items)
    }

    fn payments_of(&self, customer: AddressNumber) -> crm::Result<Vec<Payment>> {
        let mut payments = Vec::new();
        for invoice in self.invoices.iter().filter(|i| i.customer == customer.0) {
            for (n, (day, amount)) in invoice.paid.iter().enumerate() {
                payments.push(Payment {
                    id: format!("{}/{n}", invoice.number),
                    invoice: key(DocumentNumber::new(invoice.number))?,
                    customer,
                    date: *day,
                    amount: cents(*amount),
                    currency: Currency::CHF,
                });
            }
        }
        Ok(payments)
    }
}

impl crm::Prices for HostErp {
    fn list_prices(
        &self,
        product: &ProductNumber,
        currency: Currency,
        _date: NaiveDate,
    ) -> crm::Result<Vec<ListPrice>> {
        Ok(self
            .articles
            .get(product.as_str())
            .filter(|_| currency == Currency::CHF)
            .map(|(_, price)| ListPrice {
                product: product.clone(),
                currency,
                price: cents(*price),
                price_unit: Decimal::ONE,
                breaks: vec![],
                valid_from: None,
                valid_to: None,
            })
            .into_iter()
            .collect())
    }

    fn conditions_for(&self, request: &PriceRequest) -> crm::Result<Vec<SpecialCondition>> {
        self.agreements
            .iter()
            .filter(|(c, a, _)| *c == request.customer.0 && *a == request.product.as_str())
            .map(|(c, a, percent)| agreement(*c, a, *percent))
            .collect()
    }

    fn conditions_of(
        &self,
        customer: AddressNumber,
        _date: Option<NaiveDate>,
        page: PageRequest,
    ) -> crm::Result<Page<SpecialCondition>> {
        let all = self
            .agreements
            .iter()
            .filter(|(c, _, _)| *c == customer.0)
            .map(|(c, a, percent)| agreement(*c, a, *percent))
            .collect::<crm::Result<Vec<_>>>()?;
        Ok(Page::of(all, page))
    }

    fn customer_groups(&self, _customer: AddressNumber) -> crm::Result<Vec<GroupCode>> {
        Ok(vec![])
    }

    fn product_groups(&self, _product: &ProductNumber) -> crm::Result<Vec<GroupCode>> {
        Ok(vec![])
    }
}

impl crm::RevenueFacts for HostErp {
    fn revenue_facts(
        &self,
        customer: Option<AddressNumber>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> crm::Result<Vec<RevenueFact>> {
        self.invoices
            .iter()
            .filter(|i| customer.is_none_or(|c| c.0 == i.customer))
            .filter(|i| from <= i.issued && i.issued <= to)
            .map(|i| {
                Ok(RevenueFact {
                    document: key(DocumentNumber::new(i.number))?,
                    position: 1,
                    date: i.issued,
                    customer: AddressNumber(i.customer),
                    product: Some(key(ProductNumber::new(i.article))?),
                    product_group: None,
                    field_rep: None,
                    inside_rep: None,
                    region: None,
                    quantity: Decimal::from(i.pieces),
                    net_amount: cents(i.net_cents),
                    cost: None,
                    currency: Currency::CHF,
                })
            })
            .collect()
    }
}

fn agreement(customer: i64, article: &str, percent: i64) -> crm::Result<SpecialCondition> {
    Ok(SpecialCondition {
        id: format!("V-{customer}-{article}"),
        scope: ConditionScope::Customer(AddressNumber(customer)),
        target: ConditionTarget::Product(key(ProductNumber::new(article))?),
        price: ConditionPrice::Discount {
            percent: Decimal::from(percent),
        },
        valid_from: None,
        valid_to: None,
    })
}

fn host(today: NaiveDate) -> HostErp {
    let ago = |days: i64| today - Duration::days(days);
    HostErp {
        invoices: vec![
            HostInvoice {
                number: "F-7001",
                customer: CUSTOMER,
                issued: ago(120),
                net_cents: 240_000,
                paid: vec![(ago(85), 259_440)],
                article: "K-100",
                pieces: 1000,
            },
            HostInvoice {
                number: "F-7044",
                customer: CUSTOMER,
                issued: ago(75),
                net_cents: 189_000,
                paid: vec![(ago(30), 100_000), (ago(20), 104_309)],
                article: "T-4",
                pieces: 1,
            },
            HostInvoice {
                number: "F-7102",
                customer: CUSTOMER,
                issued: ago(20),
                net_cents: 72_000,
                paid: vec![],
                article: "K-100",
                pieces: 300,
            },
        ],
        orders: vec![
            HostOrderPosition {
                order: "A-552",
                pos: 1,
                customer: CUSTOMER,
                article: "K-100",
                pieces: 500,
                shipped: 200,
                wanted: ago(5),
            },
            HostOrderPosition {
                order: "A-552",
                pos: 2,
                customer: CUSTOMER,
                article: "T-4",
                pieces: 2,
                shipped: 2,
                wanted: ago(5),
            },
        ],
        articles: BTreeMap::from([
            ("K-100", ("Reihenklemme 2.5 mm²", 240)),
            ("T-4", ("Kassenterminal T4", 189_000)),
        ]),
        agreements: vec![(CUSTOMER, "K-100", 15)],
        payment_days: 30,
    }
}

fn main() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut settings = Settings::load()?;
    settings.data_dir = dir.path().to_owned();
    settings.database.url = String::new();
    let today = chrono::Utc::now().date_naive();
    let crm = crm::Crm::open_with_erp(settings, Arc::new(SystemClock), Arc::new(host(today)))?;
    crm.users().sync(&demo::staff(1, 1))?;
    // The host's customer exists in the CRM under the same number.
    let customer = crm.addresses().import(
        &demo::admin(),
        &[ImportRow {
            number: Some(AddressNumber(CUSTOMER)),
            kind: crm::AddressKind::Customer,
            address: AddressInput {
                name1: "Elektro Brunner".into(),
                legal_form: Some("AG".into()),
                postal: PostalAddressInput {
                    street: Some("Industriestrasse 7".into()),
                    postal_code: Some("6300".into()),
                    city: Some("Zug".into()),
                    ..Default::default()
                },
                field_rep: Some(demo::field_rep().user_id),
                ..Default::default()
            },
            contacts: vec![],
            notes: vec![],
        }],
    )?;
    let id = customer.ids[0];
    let rep = demo::field_rep();
    let erp = crm.erp();

    println!("The host's ERP, seen through the CRM, for customer {CUSTOMER}:");
    for d in erp
        .documents(&rep, id, &DocumentQuery::default(), PageRequest::default())?
        .items
    {
        println!(
            "  {} {} {} {} {}",
            d.number, d.kind, d.date, d.status, d.gross
        );
    }
    for l in erp
        .disposition(&rep, id, false, PageRequest::default())?
        .items
    {
        println!(
            "  order {} / {}: {} open, {}, {} days late",
            l.line.order, l.line.position, l.open_quantity, l.status, l.delay_days
        );
    }
    let receivables = erp.receivables(&rep, id)?;
    for h in &receivables.habits {
        println!(
            "  payment habits: {} of {} invoices settled, {} days to pay on average, {} days late weighted, open {}",
            h.settled_invoices,
            h.invoices,
            h.average_days_to_pay.map_or("–".into(), |d| d.to_string()),
            h.weighted_days_late.map_or("–".into(), |d| d.to_string()),
            h.open_amount
        );
    }
    let price = erp.price(&rep, id, "K-100", Decimal::from(400), Currency::CHF, None)?;
    println!("  400 × K-100 for this customer: {}", price.net_amount);
    for line in price.explanation() {
        println!("      {line}");
    }
    Ok(())
}
