//! What the charts say, in the four languages of a Swiss sales organisation.

use crm_core::Language;

/// The words of one language.
pub(crate) struct Words {
    pub months: [&'static str; 12],
    pub revenue: &'static str,
    pub against: &'static str,
    pub by_month: &'static str,
    pub cumulative: &'static str,
    pub top_customers: &'static str,
    pub by_group: &'static str,
    pub no_group: &'static str,
    pub others: &'static str,
    pub no_revenue: &'static str,
    pub last_12_months: &'static str,
}

const DE: Words = Words {
    months: [
        "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
    ],
    revenue: "Umsatz",
    against: "gegenüber",
    by_month: "Umsatz nach Monat",
    cumulative: "kumuliert",
    top_customers: "Top-Kunden",
    by_group: "Umsatz nach Warengruppe",
    no_group: "ohne Warengruppe",
    others: "Übrige",
    no_revenue: "Keine Umsätze",
    last_12_months: "Umsatz der letzten 12 Monate",
};

const FR: Words = Words {
    months: [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ],
    revenue: "Chiffre d'affaires",
    against: "par rapport à",
    by_month: "Chiffre d'affaires par mois",
    cumulative: "cumulé",
    top_customers: "Meilleurs clients",
    by_group: "Chiffre d'affaires par groupe de produits",
    no_group: "sans groupe",
    others: "Autres",
    no_revenue: "Aucun chiffre d'affaires",
    last_12_months: "Chiffre d'affaires des 12 derniers mois",
};

const IT: Words = Words {
    months: [
        "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
    ],
    revenue: "Fatturato",
    against: "rispetto a",
    by_month: "Fatturato per mese",
    cumulative: "cumulato",
    top_customers: "Migliori clienti",
    by_group: "Fatturato per gruppo di prodotti",
    no_group: "senza gruppo",
    others: "Altri",
    no_revenue: "Nessun fatturato",
    last_12_months: "Fatturato degli ultimi 12 mesi",
};

const EN: Words = Words {
    months: [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ],
    revenue: "Revenue",
    against: "against",
    by_month: "Revenue by month",
    cumulative: "cumulative",
    top_customers: "Top customers",
    by_group: "Revenue by product group",
    no_group: "no product group",
    others: "Others",
    no_revenue: "No revenue",
    last_12_months: "Revenue of the last 12 months",
};

/// The words of `language`.
pub(crate) fn of(language: Language) -> &'static Words {
    match language {
        Language::De => &DE,
        Language::Fr => &FR,
        Language::It => &IT,
        Language::En => &EN,
    }
}
