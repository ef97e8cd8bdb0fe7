//! Reads the test variables when the tests are built. A test that needs a service which the
//! environment does not name is marked `#[ignore]` (see lib.rs), so `cargo test` counts it as
//! ignored instead of passing it having run nothing. Cargo rebuilds this crate, and the tests
//! that use it, whenever one of the variables changes.

const VARS: &[(&str, &str)] = &[
    ("XUNSHI_TEST_DATABASE_URL", "xunshi_test_postgres"),
    ("XUNSHI_TEST_BROWSER", "xunshi_test_browser"),
];

fn main() {
    for (var, cfg) in VARS {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        // Set at all, even empty, counts as set: the tests then run and fail loudly on a value
        // that names no usable server, rather than being skipped.
        if std::env::var_os(var).is_some() {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
