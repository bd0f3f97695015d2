//! The scale benchmark's command line.

use super::Result;

/// What to generate and to time.
pub(crate) struct Options {
    pub(crate) addresses: usize,
    pub(crate) postgres: Option<String>,
    pub(crate) only: Option<String>,
    pub(crate) calls: usize,
    pub(crate) peer_calls: usize,
    pub(crate) reuse: bool,
    pub(crate) erp_rows: usize,
    pub(crate) revenue_reps: usize,
    pub(crate) products: usize,
    pub(crate) documents: usize,
    /// Only this area, on the data of an earlier run: `dashboards`.
    pub(crate) area: Option<String>,
}

/// The options given on the command line, defaults for the rest.
pub(crate) fn options() -> Result<Options> {
    let mut o = Options {
        addresses: 100_000,
        postgres: None,
        only: None,
        calls: 2_000,
        peer_calls: 30,
        reuse: false,
        erp_rows: 200_000,
        revenue_reps: 10,
        products: 100_000,
        documents: 200,
        area: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--addresses" => o.addresses = value()?.replace('_', "").parse()?,
            "--postgres" => o.postgres = Some(value()?),
            "--only" => o.only = Some(value()?),
            "--calls" => o.calls = value()?.parse()?,
            "--peer-calls" => o.peer_calls = value()?.parse()?,
            "--reuse" => o.reuse = true,
            "--erp-rows" => o.erp_rows = value()?.replace('_', "").parse()?,
            "--revenue-reps" => o.revenue_reps = value()?.parse()?,
            "--products" => o.products = value()?.replace('_', "").parse()?,
            "--documents" => o.documents = value()?.parse()?,
            "--area" => match value()?.as_str() {
                "dashboards" => o.area = Some("dashboards".into()),
                other => return Err(format!("--area: no area {other:?} (dashboards)").into()),
            },
            "--bench" => {}
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    Ok(o)
}
