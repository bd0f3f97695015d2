//! The archive benchmark: check-in of ~100 KB PDFs (blob, text extraction, metadata,
//! index) — forty pages of dense text, and two pages of text with a picture — one by one
//! and in batches, in rounds each timed until its documents are searchable, listing the documents of an address that has 200, full-text search
//! through the public API, the same search over a large generated corpus (Zipf-distributed
//! words, or the uniform worst case) straight on the document index, and `verify`'s
//! throughput.
//!
//! ```sh
//! cargo bench --bench dmas -- --checkins 200 --rounds 3 --corpus 100000
//! cargo bench --bench dmas -- --corpus-words uniform   # every query word in most documents
//! cargo bench --bench dmas -- --database postgres://postgres@127.0.0.1:5432/test  # schema crm_bench_dmas
//! ```
//!
//! Writes `target/crm-bench/dmas-<backend>.json`.

#[path = "../scale/measure.rs"]
#[allow(dead_code)] // Shared with the scale benchmark, which uses all of it.
mod measure;

use std::path::Path;
use std::time::Instant;

use crm::Incoming;
use crm::archive::{ArchiveLink, Category, DocumentInput};
use crm::ports::{DocumentIndex, IndexedDocument};
use crm::search_index::DocumentSearch;
use crm::{
    Actor, AddressInput, Crm, DocumentId, Language, PostalAddressInput, Role, Settings, UserId,
};
use measure::{Measured, in_schema, peak_rss_mb, print_rows, time};
use serde::Serialize;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

struct Options {
    /// Documents per round of check-ins.
    checkins: usize,
    /// Rounds per kind of check-in.
    rounds: usize,
    corpus: usize,
    queries: usize,
    database: Option<String>,
    /// The corpus's words: Zipf-distributed over a large vocabulary, as real text is, or
    /// `uniform` over 24 words (every query word in most documents: the worst case).
    uniform: bool,
}

fn options() -> Result<Options> {
    let mut o = Options {
        checkins: 200,
        rounds: 3,
        corpus: 100_000,
        queries: 2_000,
        database: None,
        uniform: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--checkins" => o.checkins = value()?.parse()?,
            "--rounds" => o.rounds = value()?.parse::<usize>()?.max(1),
            "--corpus" => o.corpus = value()?.replace('_', "").parse()?,
            "--queries" => o.queries = value()?.parse()?,
            "--database" => o.database = Some(value()?),
            "--corpus-words" => match value()?.as_str() {
                "zipf" => o.uniform = false,
                "uniform" => o.uniform = true,
                other => return Err(format!("--corpus-words zipf|uniform, not {other}").into()),
            },
            "--bench" => {}
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    Ok(o)
}

#[derive(Serialize)]
struct Report {
    backend: String,
    checkins: Vec<Checkin>,
    corpus: usize,
    corpus_words: String,
    corpus_index_documents_per_s: f64,
    verify_mb_per_s: f64,
    peak_rss_mb: f64,
    results: Vec<Measured>,
}

/// One kind of check-in and its rate.
#[derive(Serialize)]
struct Checkin {
    kind: String,
    pdf_bytes: usize,
    /// Documents per call.
    batch: usize,
    documents_per_s: Rate,
}

/// Documents per second over rounds: the median and each round's.
#[derive(Serialize)]
struct Rate {
    median: f64,
    rounds: Vec<f64>,
}

impl Rate {
    fn of(rounds: Vec<f64>) -> Rate {
        let mut sorted = rounds.clone();
        sorted.sort_by(f64::total_cmp);
        Rate {
            median: sorted.get(sorted.len() / 2).copied().unwrap_or(0.0),
            rounds,
        }
    }
}

const WORDS: [&str; 24] = [
    "Reihenklemme",
    "Offerte",
    "Lieferung",
    "Schraubanschluss",
    "Tragschiene",
    "Querschnitt",
    "Bestellung",
    "Rechnung",
    "Vertrag",
    "Kondition",
    "Rabatt",
    "Montage",
    "Wartung",
    "Schaltschrank",
    "Steuerung",
    "Kabel",
    "Stecker",
    "Sicherung",
    "Relais",
    "Netzteil",
    "Gehäuse",
    "Zubehör",
    "Prüfprotokoll",
    "Zertifikat",
];

/// Makes the PDF of seed `i`.
type MakePdf = dyn Fn(usize) -> Result<Vec<u8>>;

/// Documents per batch check-in.
const BATCH: usize = 50;

/// Query `i` for `word`: every third with a typo, every fifth as typed (a prefix).
fn typed(i: usize, word: &str) -> String {
    match i % 15 {
        0 | 3 | 6 | 9 | 12 if word.contains('e') => word.replacen('e', "", 1),
        0 | 3 | 6 | 9 | 12 => word.chars().skip(1).collect(),
        5 | 10 => word.chars().take(5).collect(),
        _ => word.to_owned(),
    }
}

/// A deterministic generator of the next pseudo-random number.
fn next(x: &mut u64) -> u64 {
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    *x
}

/// A vocabulary whose words occur with Zipf's frequencies (the word of rank r about 1/r as
/// often as the commonest), as in real text: the 24 domain words first, then made-up
/// words of two to four syllables.
struct Vocabulary {
    words: Vec<String>,
    /// Cumulative probability up to each rank.
    cdf: Vec<f64>,
}

impl Vocabulary {
    fn new(size: usize) -> Vocabulary {
        const SYLLABLES: [&str; 32] = [
            "an", "be", "ber", "dach", "ein", "fen", "ge", "gen", "hal", "holz", "kon", "la",
            "lei", "lie", "mon", "ner", "pro", "rah", "schal", "schluss", "stahl", "ta", "ter",
            "trag", "tung", "ver", "wand", "wei", "zug", "zu", "ber", "rung",
        ];
        let mut words: Vec<String> = WORDS.iter().map(|w| (*w).to_owned()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        while words.len() < size {
            let syllables = 2 + (next(&mut x) % 3) as usize;
            let word: String = (0..syllables)
                .map(|_| SYLLABLES[(next(&mut x) % SYLLABLES.len() as u64) as usize])
                .collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        let total: f64 = (1..=size).map(|r| 1.0 / r as f64).sum();
        let mut sum = 0.0;
        let cdf = (1..=size)
            .map(|r| {
                sum += 1.0 / r as f64 / total;
                sum
            })
            .collect();
        Vocabulary { words, cdf }
    }

    /// Document `seed`'s text of `n` words, nine to a line, every line ending in a number.
    fn text(&self, seed: usize, n: usize) -> String {
        let mut x = seed as u64 * 2_654_435_761 + 12_345;
        let mut out = String::new();
        for i in 0..n {
            let p = (next(&mut x) % 1_000_000) as f64 / 1_000_000.0;
            let rank = self
                .cdf
                .partition_point(|c| *c < p)
                .min(self.words.len() - 1);
            out.push_str(&self.words[rank]);
            out.push(' ');
            if i % 9 == 8 {
                out.push_str(&format!("{}\n", next(&mut x) % 10_000));
            }
        }
        out
    }

    /// The word of query `i`, of a rank from 20 to 2,000.
    fn mid_frequency(&self, i: usize) -> String {
        let mut x = i as u64 * 2_654_435_761 + 99;
        let rank = 20 + (next(&mut x) % 1_980) as usize;
        self.words[rank.min(self.words.len() - 1)].to_lowercase()
    }
}

/// A deterministic text of `n` words.
fn text(seed: usize, n: usize) -> Vec<String> {
    let mut x = seed as u64 * 2_654_435_761 + 1;
    let mut lines = Vec::new();
    let mut line = String::new();
    for i in 0..n {
        let x = next(&mut x);
        let w = WORDS[(x % WORDS.len() as u64) as usize];
        line.push_str(w);
        line.push(' ');
        line.push_str(&format!("{}", x % 10_000));
        line.push(' ');
        if i % 9 == 8 {
            lines.push(std::mem::take(&mut line));
        }
    }
    lines.push(line);
    lines
}

/// A quote as they usually come: two pages of text and a ~90 KB picture (a logo, a
/// product photo) that does not compress.
fn quote_with_picture(i: usize) -> Result<Vec<u8>> {
    use lopdf::{Document, Stream, dictionary};
    let text = crm::dmas::pdf::text_pdf(&format!("Offerte {i}"), &text(i, 700))?;
    let mut doc = Document::load_mem(&text)?;
    let (side, mut x) = (175_u32, i as u64 * 2_654_435_761 + 7);
    let pixels: Vec<u8> = (0..side * side * 3).map(|_| next(&mut x) as u8).collect();
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => i64::from(side),
            "Height" => i64::from(side),
            "ColorSpace" => "DeviceRGB",
            "BitsPerComponent" => 8,
        },
        pixels,
    ));
    let first = *doc.get_pages().values().next().ok_or("no page")?;
    let page = doc.get_object_mut(first)?.as_dict_mut()?;
    page.set(
        "Resources",
        dictionary! { "XObject" => dictionary! { "Im1" => image } },
    );
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

fn main() -> Result<()> {
    let o = options()?;
    let backend = if o.database.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/crm-bench/dmas-{backend}"));
    let _ = std::fs::remove_dir_all(&dir);
    let mut settings = Settings::from_toml("")?;
    settings.data_dir = dir.clone();
    let _schema = o
        .database
        .as_deref()
        .map(|url| in_schema(&mut settings, url, "crm_bench_dmas", true))
        .transpose()?;
    let crm = Crm::open(settings)?;
    let admin = Actor::new(UserId(1), "Bench", vec![Role::Admin]);
    let address = crm.addresses().create_customer(
        &admin,
        &AddressInput {
            name1: "Elektro Huber AG".into(),
            postal: PostalAddressInput {
                street: Some("Bahnhofstrasse 1".into()),
                postal_code: Some("8001".into()),
                city: Some("Zürich".into()),
                country: Some("CH".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    )?;
    let other = crm.addresses().create_customer(
        &admin,
        &AddressInput {
            name1: "Schreinerei Keller".into(),
            postal: PostalAddressInput {
                street: Some("Seestrasse 4".into()),
                postal_code: Some("6003".into()),
                city: Some("Luzern".into()),
                ..Default::default()
            },
            ..Default::default()
        },
    )?;
    // The first 200 documents at one address, the rest at another.
    let input = |i: usize| DocumentInput {
        title: format!("Offerte {i}"),
        category: Category::Offer,
        language: Some(Language::De),
        tags: vec!["bench".into()],
        links: vec![ArchiveLink::record(if i < 200 {
            address.id
        } else {
            other.id
        })],
        file_name: format!("offerte-{i}.pdf"),
        media_type: "application/pdf".into(),
    };

    // Four kinds of check-in — dense PDFs and quotes with a picture, one by one and in
    // batches of BATCH (bytes and text on every core, one transaction per batch) — each
    // timed in `rounds` rounds of `checkins` documents, every PDF of its own text. A round
    // ends when its documents are searchable (the staged index changes committed).
    let dense = |seed: usize| {
        crm::dmas::pdf::text_pdf(&format!("Offerte {seed}"), &text(seed, 15_000))
            .map_err(Into::into)
    };
    let kinds: [(&str, &MakePdf, bool); 4] = [
        ("dense PDFs one by one", &dense, false),
        (
            "quotes with a picture one by one",
            &quote_with_picture,
            false,
        ),
        ("dense PDFs in batches", &dense, true),
        (
            "quotes with a picture in batches",
            &quote_with_picture,
            true,
        ),
    ];
    let mut checkins = Vec::new();
    for (k, (name, make, batched)) in kinds.into_iter().enumerate() {
        let mut rates = Vec::new();
        let mut bytes = 0;
        for round in 0..o.rounds {
            // The first round of the first kind goes to the address that is listed below.
            let first = (k * o.rounds + round) * o.checkins;
            let pdfs: Vec<Vec<u8>> = (first..first + o.checkins)
                .map(make)
                .collect::<Result<_>>()?;
            bytes = pdfs.iter().map(Vec::len).sum::<usize>() / pdfs.len().max(1);
            let started = Instant::now();
            if batched {
                for (c, chunk) in pdfs.chunks(BATCH).enumerate() {
                    let items = chunk
                        .iter()
                        .enumerate()
                        .map(|(j, pdf)| Incoming {
                            input: input(first + c * BATCH + j),
                            content: Box::new(&pdf[..]),
                        })
                        .collect();
                    crm.documents().check_in_all(&admin, items)?;
                }
            } else {
                for (j, pdf) in pdfs.iter().enumerate() {
                    crm.documents()
                        .check_in(&admin, &input(first + j), &mut &pdf[..])?;
                }
            }
            crm.documents().index_counts()?;
            rates.push(o.checkins as f64 / started.elapsed().as_secs_f64());
        }
        let rate = Rate::of(rates);
        println!(
            "== {backend}: {name}, {} KB on average: {:.1}/s (rounds of {}: {})",
            bytes / 1024,
            rate.median,
            o.checkins,
            rate.rounds
                .iter()
                .map(|r| format!("{r:.1}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        checkins.push(Checkin {
            kind: name.into(),
            pdf_bytes: bytes,
            batch: if batched { BATCH } else { 1 },
            documents_per_s: rate,
        });
    }

    // The reads are timed once the check-ins' index commits and merges have ended and the
    // database knows its tables (after a bulk load, as autovacuum would), as in the other
    // benchmarks.
    crm.settle_indexes()?;
    crm.store().analyze()?;
    let mut results = Vec::new();
    let listing: Vec<usize> = (0..o.queries).collect();
    let (archived, _) = crm.documents().index_counts()?;
    let listed = crm.documents().of_address(&admin, address.id)?.len();
    results.push(time(
        &format!("documents of an address with {listed}"),
        &listing,
        |_| crm.documents().of_address(&admin, address.id).map(drop),
    )?);
    // The index terms of a dense forty-page text: the staging thread's share of such a
    // check-in, before tantivy takes the terms.
    let dense_texts: Vec<String> = (0..200).map(|i| text(i, 15_000).join("\n")).collect();
    results.push(time(
        "index words of a dense forty-page text",
        &dense_texts,
        |t| {
            std::hint::black_box(crm::search_index::analysis::text_words(t));
            Ok(())
        },
    )?);
    let words: Vec<String> = (0..o.queries)
        .map(|i| typed(i, &WORDS[i % WORDS.len()].to_lowercase()))
        .collect();
    results.push(time(
        &format!("full text through the API over {archived} documents, top 10"),
        &words,
        |q| crm.documents().search(&admin, q, 10).map(drop),
    )?);

    // The large corpus straight on a document index of its own.
    let vocabulary = Vocabulary::new(20_000);
    let index = DocumentSearch::open(&dir.join("corpus"))?;
    let started = Instant::now();
    let mut next = 0usize;
    while next < o.corpus {
        let slice: Vec<IndexedDocument> = (next..(next + 5_000).min(o.corpus))
            .map(|i| IndexedDocument {
                id: DocumentId(i as i64 + 1),
                title: format!("Dokument {i}"),
                tags: vec!["korpus".into()],
                text: if o.uniform {
                    text(i + 1_000_000, 300).join("\n")
                } else {
                    vocabulary.text(i, 300)
                },
            })
            .collect();
        index.update(&mut |w| {
            if next == 0 {
                w.clear()?;
            }
            w.upsert(&slice)
        })?;
        next += slice.len();
    }
    let corpus_index_documents_per_s = o.corpus as f64 / started.elapsed().as_secs_f64();
    println!(
        "indexed a corpus of {} documents at {corpus_index_documents_per_s:.0}/s",
        o.corpus
    );
    // Zipf: words people look for, neither the commonest nor one-offs (ranks 20–2,000),
    // typed as above.
    let words: Vec<String> = if o.uniform {
        words
    } else {
        (0..o.queries)
            .map(|i| typed(i, &vocabulary.mid_frequency(i)))
            .collect()
    };
    let two: Vec<String> = words
        .iter()
        .zip(words.iter().skip(7))
        .map(|(a, b)| format!("{a} {b}"))
        .collect();
    for (name, inputs) in [
        (
            "full text on the index: one word (typos, prefixes), top 40",
            &words,
        ),
        ("full text on the index: two words, top 40", &two),
    ] {
        results.push(time(
            &format!("{name}, {} documents", o.corpus),
            inputs,
            |q| index.search(q, 40).map(drop),
        )?);
    }

    let started = Instant::now();
    let verified = crm.documents().verify(&admin)?;
    let seconds = started.elapsed().as_secs_f64();
    let verify_mb_per_s = verified.bytes as f64 / 1e6 / seconds;
    println!(
        "verify: {} versions, {} blobs, {:.1} MB in {seconds:.2} s = {verify_mb_per_s:.0} MB/s",
        verified.versions,
        verified.blobs,
        verified.bytes as f64 / 1e6
    );

    let report = Report {
        backend: backend.into(),
        checkins,
        corpus: o.corpus,
        corpus_words: if o.uniform { "uniform" } else { "zipf" }.into(),
        corpus_index_documents_per_s,
        verify_mb_per_s,
        peak_rss_mb: peak_rss_mb(),
        results,
    };
    println!("peak RSS {} MB", report.peak_rss_mb);
    print_rows(&report.results);
    let out =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/crm-bench/dmas-{backend}.json"));
    std::fs::write(&out, serde_json::to_string_pretty(&report)?)?;
    println!("report: {}", out.display());
    Ok(())
}
