//! Reads the test variables when the tests are built. A test that needs a service which the
//! environment does not name is marked `#[ignore]` (see lib.rs), so `cargo test` counts it as
//! ignored instead of passing it having run nothing. Cargo rebuilds this crate, and the tests
//! that use it, whenever one of the variables changes.

const VARS: &[(&str, &str)] = &[
    ("XUNSHI_TEST_DATABASE_URL", "xunshi_test_postgres"),
    ("XUNSHI_TEST_BROWSER", "xunshi_test_browser"),
];

/// The Python the SMTP test starts aiosmtpd with (`XUNSHI_TEST_PYTHON`, default `python3`).
fn python() -> String {
    std::env::var("XUNSHI_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether `python -m aiosmtpd` can run: the e-mail test starts a real SMTP server with it.
/// Cargo runs this again when the interpreter's site-packages folder changes (a package
/// installed or removed), so `pip install aiosmtpd` turns the test on at the next build.
fn smtp_server() {
    println!("cargo::rerun-if-env-changed=XUNSHI_TEST_PYTHON");
    println!("cargo::rustc-check-cfg=cfg(xunshi_test_smtp)");
    let probe = std::process::Command::new(python())
        .args([
            "-c",
            "import site, sys\nprint(site.getsitepackages()[0])\nimport aiosmtpd",
        ])
        .output();
    let Ok(out) = probe else { return };
    if let Some(dir) = String::from_utf8_lossy(&out.stdout).lines().next() {
        println!("cargo::rerun-if-changed={dir}");
    }
    if out.status.success() {
        println!("cargo::rustc-cfg=xunshi_test_smtp");
    }
}

/// Whether moto's S3 server can run (`python -m moto.server`): the object-store test starts
/// one. Rebuilt, like the SMTP probe, when the interpreter's packages change.
fn s3_server() {
    println!("cargo::rustc-check-cfg=cfg(xunshi_test_s3)");
    let probe = std::process::Command::new(python())
        .args(["-c", "import moto.server, flask"])
        .output();
    if probe.is_ok_and(|o| o.status.success()) {
        println!("cargo::rustc-cfg=xunshi_test_s3");
    }
}

/// Whether OpenLDAP's `slapd` is installed: the directory log-in test starts its own.
fn ldap_server() {
    println!("cargo::rustc-check-cfg=cfg(xunshi_test_ldap)");
    println!("cargo::rerun-if-changed={}", SLAPD);
    if std::path::Path::new(SLAPD).exists() {
        println!("cargo::rustc-cfg=xunshi_test_ldap");
    }
}

/// Whether LibreOffice's `soffice` is installed: the archive package's PDFs are made with it.
fn office_suite() {
    println!("cargo::rustc-check-cfg=cfg(xunshi_test_office)");
    println!("cargo::rerun-if-changed={}", SOFFICE);
    if std::path::Path::new(SOFFICE).exists() {
        println!("cargo::rustc-cfg=xunshi_test_office");
    }
}

/// Where Debian's LibreOffice packages put the suite's launcher.
const SOFFICE: &str = "/usr/bin/soffice";

/// Where Debian's `slapd` package puts the server.
const SLAPD: &str = "/usr/sbin/slapd";

/// Whether the OpenID provider can run: `node` starts, and `npm ci --prefix
/// crates/xunshi/tests/cli/oidc` installed oidc-provider there. The OpenID Connect log-in test
/// starts `provider.mjs` from that folder. Cargo runs this again when the package appears or
/// goes, so installing it turns the test on at the next build: it watches the package's file
/// once it is there, and until then the folder it is installed into (a missing path would
/// rerun this, and rebuild every test, at each build).
fn oidc_provider() {
    println!("cargo::rustc-check-cfg=cfg(xunshi_test_oidc)");
    let installed = std::path::Path::new(OIDC_PROVIDER).exists();
    let watched = if installed { OIDC_PROVIDER } else { OIDC_DIR };
    println!("cargo::rerun-if-changed={watched}");
    let node = std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if node && installed {
        println!("cargo::rustc-cfg=xunshi_test_oidc");
    }
}

/// The folder of the OpenID provider's script and package list, from this crate's folder (the
/// build script's working folder), and the package file that `npm ci` puts there.
const OIDC_DIR: &str = "../xunshi/tests/cli/oidc";
const OIDC_PROVIDER: &str = "../xunshi/tests/cli/oidc/node_modules/oidc-provider/package.json";

fn main() {
    smtp_server();
    s3_server();
    ldap_server();
    office_suite();
    oidc_provider();
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
