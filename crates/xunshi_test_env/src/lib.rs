//! What the test environment provides, decided when the tests are built.
//!
//! Tests that need a PostgreSQL server or a browser are wrapped in [`postgres_tests!`] or
//! [`browser_tests!`]. When `XUNSHI_TEST_DATABASE_URL` (or `XUNSHI_TEST_BROWSER`) was unset as
//! the tests were built, the macros mark each test `#[ignore]` with the variable to set, so the
//! run reports them as ignored rather than "ok". When it was set, the tests run as written; a
//! value naming a server that cannot be reached then fails them, it never skips them.
//!
//! `cargo test -- --ignored` runs the ignored ones anyway; without the variable they fail at
//! once, naming it ([`database_url`], [`require_browser`]).

/// The variable naming a PostgreSQL server (`postgres://postgres@127.0.0.1:5432/postgres`).
/// Each test creates its own database there and drops it afterwards.
pub const DATABASE_URL_VAR: &str = "XUNSHI_TEST_DATABASE_URL";

/// The variable that turns on the browser walks (headless Chromium through chromedriver).
pub const BROWSER_VAR: &str = "XUNSHI_TEST_BROWSER";

/// Whether `python -m aiosmtpd` could run when the tests were built (see build.rs).
pub const SMTP: bool = cfg!(xunshi_test_smtp);

/// The Python that runs aiosmtpd: `XUNSHI_TEST_PYTHON`, or `python3`.
pub fn python() -> String {
    std::env::var("XUNSHI_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether the PostgreSQL tests were built to run.
pub const POSTGRES: bool = cfg!(xunshi_test_postgres);

/// Whether the browser tests were built to run.
pub const BROWSER: bool = cfg!(xunshi_test_browser);

/// The PostgreSQL server the tests use. Panics, naming the variable, when it is unset.
pub fn database_url() -> String {
    std::env::var(DATABASE_URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{DATABASE_URL_VAR} is not set: this test needs a PostgreSQL server, \
             e.g. {DATABASE_URL_VAR}=postgres://postgres@127.0.0.1:5432/postgres"
        )
    })
}

/// Panics, naming the variable, when the browser tests were not asked for.
pub fn require_browser() {
    if std::env::var_os(BROWSER_VAR).is_none() {
        panic!("{BROWSER_VAR} is not set: this test drives a headless browser, set it to 1");
    }
}

/// Marks each test inside as ignored unless `XUNSHI_TEST_DATABASE_URL` was set at build time.
#[cfg(xunshi_test_postgres)]
#[macro_export]
macro_rules! postgres_tests {
    ($($item:item)*) => { $($item)* };
}

/// Marks each test inside as ignored unless `XUNSHI_TEST_DATABASE_URL` was set at build time.
#[cfg(not(xunshi_test_postgres))]
#[macro_export]
macro_rules! postgres_tests {
    ($($item:item)*) => {
        $(
            #[ignore = "set XUNSHI_TEST_DATABASE_URL to run on PostgreSQL"]
            $item
        )*
    };
}

/// Marks each test inside as ignored unless `XUNSHI_TEST_BROWSER` was set at build time.
#[cfg(xunshi_test_browser)]
#[macro_export]
macro_rules! browser_tests {
    ($($item:item)*) => { $($item)* };
}

/// Marks each test inside as ignored unless `XUNSHI_TEST_BROWSER` was set at build time.
#[cfg(not(xunshi_test_browser))]
#[macro_export]
macro_rules! browser_tests {
    ($($item:item)*) => {
        $(
            #[ignore = "set XUNSHI_TEST_BROWSER=1 to run in headless Chromium"]
            $item
        )*
    };
}

/// Marks each test inside as ignored unless aiosmtpd was importable when the tests were built.
#[cfg(xunshi_test_smtp)]
#[macro_export]
macro_rules! smtp_tests {
    ($($item:item)*) => { $($item)* };
}

/// Marks each test inside as ignored unless aiosmtpd was importable when the tests were built.
#[cfg(not(xunshi_test_smtp))]
#[macro_export]
macro_rules! smtp_tests {
    ($($item:item)*) => {
        $(
            #[ignore = "aiosmtpd is not installed: pip install aiosmtpd to test e-mail against a real SMTP server"]
            $item
        )*
    };
}

/// Marks each test inside as ignored unless OpenLDAP's slapd was installed when the tests
/// were built.
#[cfg(xunshi_test_ldap)]
#[macro_export]
macro_rules! ldap_tests {
    ($($item:item)*) => { $($item)* };
}

/// Marks each test inside as ignored unless OpenLDAP's slapd was installed when the tests
/// were built.
#[cfg(not(xunshi_test_ldap))]
#[macro_export]
macro_rules! ldap_tests {
    ($($item:item)*) => {
        $(
            #[ignore = "slapd is not installed: apt-get install slapd to test log-in against a real LDAP directory"]
            $item
        )*
    };
}

/// Marks each test inside as ignored unless node and the npm package oidc-provider (in
/// crates/xunshi/tests/cli/oidc) were installed when the tests were built.
#[cfg(xunshi_test_oidc)]
#[macro_export]
macro_rules! oidc_tests {
    ($($item:item)*) => { $($item)* };
}

/// Marks each test inside as ignored unless node and the npm package oidc-provider (in
/// crates/xunshi/tests/cli/oidc) were installed when the tests were built.
#[cfg(not(xunshi_test_oidc))]
#[macro_export]
macro_rules! oidc_tests {
    ($($item:item)*) => {
        $(
            #[ignore = "oidc-provider is not installed: npm ci --prefix crates/xunshi/tests/cli/oidc to test log-in through a real OpenID provider"]
            $item
        )*
    };
}

/// Marks each test inside as ignored unless moto's S3 server could run when the tests were
/// built.
#[cfg(xunshi_test_s3)]
#[macro_export]
macro_rules! s3_tests {
    ($($item:item)*) => { $($item)* };
}

/// Marks each test inside as ignored unless moto's S3 server could run when the tests were
/// built.
#[cfg(not(xunshi_test_s3))]
#[macro_export]
macro_rules! s3_tests {
    ($($item:item)*) => {
        $(
            #[ignore = "moto is not installed: pip install 'moto[server]' to test evidence in a real S3-protocol server"]
            $item
        )*
    };
}

/// Marks each test inside as ignored unless both a browser was asked for and oidc-provider
/// was installed when the tests were built (a sign-on walked in the browser).
#[cfg(all(xunshi_test_browser, xunshi_test_oidc))]
#[macro_export]
macro_rules! browser_oidc_tests {
    ($($item:item)*) => { $($item)* };
}

/// Marks each test inside as ignored unless both a browser was asked for and oidc-provider
/// was installed when the tests were built (a sign-on walked in the browser).
#[cfg(not(all(xunshi_test_browser, xunshi_test_oidc)))]
#[macro_export]
macro_rules! browser_oidc_tests {
    ($($item:item)*) => {
        $(
            #[ignore = "needs XUNSHI_TEST_BROWSER=1 and oidc-provider (npm ci --prefix crates/xunshi/tests/cli/oidc) when the tests are built"]
            $item
        )*
    };
}

/// Where Debian's LibreOffice packages put `soffice`, which the office-suite tests run.
pub const SOFFICE: &str = "/usr/bin/soffice";

/// Marks each test inside as ignored unless LibreOffice's `soffice` was installed when the
/// tests were built.
#[cfg(xunshi_test_office)]
#[macro_export]
macro_rules! office_tests {
    ($($item:item)*) => { $($item)* };
}

/// Marks each test inside as ignored unless LibreOffice's `soffice` was installed when the
/// tests were built.
#[cfg(not(xunshi_test_office))]
#[macro_export]
macro_rules! office_tests {
    ($($item:item)*) => {
        $(
            #[ignore = "LibreOffice is not installed: apt-get install libreoffice-writer-nogui to test the archive package's PDFs"]
            $item
        )*
    };
}
