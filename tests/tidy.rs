//! Tidy checks of the codebase itself: the architecture invariants of `ARCHITECTURE.md`,
//! migration parity, and no stubs or ignored tests.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests may panic on purpose.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The names of the normal (non-dev) dependencies of workspace package `package`, transitive.
fn dependencies(package: &str) -> Result<BTreeSet<String>, Box<dyn std::error::Error>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root())
        .args([
            "tree",
            "--offline",
            "-p",
            package,
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .output()?;
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect())
}

#[test]
fn the_domain_crate_stays_pure() -> TestResult {
    let deps = dependencies("crm-core")?;
    for forbidden in [
        "diesel",
        "r2d2",
        "libsqlite3-sys",
        "pq-sys",
        "tantivy",
        "lopdf",
        "plotters",
        "config",
        "rusqlite",
        "sqlx",
        "tokio",
        "crm-storage-diesel",
    ] {
        assert!(!deps.contains(forbidden), "crm-core depends on {forbidden}");
    }
    Ok(())
}

#[test]
fn only_the_facade_reads_configuration_and_adapters_stay_apart() -> TestResult {
    const ADAPTERS: [&str; 5] = [
        "crm-storage-diesel",
        "crm-erp-adapter",
        "crm-search",
        "crm-dmas",
        "crm-mis",
    ];
    for adapter in ADAPTERS {
        assert!(
            !dependencies(adapter)?.contains("config"),
            "{adapter} reads configuration"
        );
    }
    assert!(
        !dependencies("crm-erp-adapter")?.contains("diesel"),
        "the ERP adapter uses diesel: only the storage adapter may"
    );
    for member in std::iter::once("crm-core").chain(ADAPTERS) {
        let deps = dependencies(member)?;
        let adapters: Vec<_> = deps
            .iter()
            .filter(|d| d.starts_with("crm-") && *d != member && *d != "crm-core")
            .collect();
        assert!(
            adapters.is_empty(),
            "{member} depends on adapters {adapters:?}"
        );
    }
    Ok(())
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "crm-data" {
                rust_files(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    Ok(())
}

#[test]
fn diesel_lives_only_in_the_storage_adapter() -> TestResult {
    let mut files = Vec::new();
    for dir in [
        "crm-core",
        "crm-erp-adapter",
        "crm-search",
        "crm-dmas",
        "crm-mis",
        "src",
        "examples",
        "benches",
        "tests",
    ] {
        rust_files(&root().join(dir), &mut files)?;
    }
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        // Spelled in two halves so that this file does not match itself.
        let (import, path) = (concat!("use ", "diesel"), concat!(" diesel", "::"));
        let uses_diesel = text.lines().any(|l| {
            let l = l.trim_start();
            (l.starts_with(import) || l.contains(path)) && !l.starts_with("//")
        });
        assert!(!uses_diesel, "{} uses diesel", file.display());
    }
    Ok(())
}

#[test]
fn no_stubs_no_ignored_tests_no_oversized_files() -> TestResult {
    let mut files = Vec::new();
    rust_files(&root(), &mut files)?;
    let stub_markers = [
        concat!("todo", "!("),
        concat!("unimplemented", "!("),
        concat!("#[", "ignore"),
    ];
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        for marker in stub_markers {
            assert!(
                !text.contains(marker),
                "{} contains {marker}",
                file.display()
            );
        }
        let lines = text.lines().count();
        assert!(
            lines <= 600,
            "{} has {lines} lines; split it by concern",
            file.display()
        );
    }
    Ok(())
}

#[test]
fn migrations_have_the_same_versions_on_both_backends() -> TestResult {
    let list = |backend: &str| -> Result<Vec<String>, std::io::Error> {
        let dir = root().join("crm-storage-diesel/migrations").join(backend);
        let mut names: Vec<String> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    };
    let sqlite = list("sqlite")?;
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, list("postgres")?);
    for backend in ["sqlite", "postgres"] {
        for version in &sqlite {
            for file in ["up.sql", "down.sql"] {
                let path = root()
                    .join("crm-storage-diesel/migrations")
                    .join(backend)
                    .join(version)
                    .join(file);
                assert!(path.is_file(), "{} is missing", path.display());
            }
        }
    }
    Ok(())
}
