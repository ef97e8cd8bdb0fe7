//! Log-in checked by the organisation's directory: OpenLDAP's slapd, started by the test on a
//! free port of 127.0.0.1 with a directory of its own, and `xunshi serve` configured to bind
//! against it. A person the directory knows gets an account with no role at first log-in;
//! the directory's refusal is a wrong password like any other; local accounts go on as before;
//! a directory account's password is never set here.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use super::{
    Instance, PASSWORD, PATIENCE, api_login, assert_trail_whole, block_on, free_port, http, stdout,
};

const SUFFIX: &str = "dc=xunshi,dc=test";
const LI_PASSWORD: &str = "Directory-Pass-1";

/// slapd with the people of the test's directory; stopped when dropped.
struct Slapd {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Slapd {
    fn start() -> Slapd {
        let dir = tempfile::tempdir().expect("a folder for the directory");
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        let conf = dir.path().join("slapd.conf");
        std::fs::write(
            &conf,
            format!(
                "include /etc/ldap/schema/core.schema\n\
                 include /etc/ldap/schema/cosine.schema\n\
                 include /etc/ldap/schema/inetorgperson.schema\n\
                 modulepath /usr/lib/ldap\n\
                 moduleload back_mdb\n\
                 pidfile {pid}\n\
                 database mdb\n\
                 maxsize 10485760\n\
                 suffix \"{SUFFIX}\"\n\
                 rootdn \"cn=admin,{SUFFIX}\"\n\
                 rootpw admin-only-in-this-test\n\
                 directory {data}\n",
                pid = dir.path().join("slapd.pid").display(),
                data = data.display(),
            ),
        )
        .unwrap();
        let ldif = dir.path().join("people.ldif");
        std::fs::write(
            &ldif,
            format!(
                "dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: xunshi\ndc: xunshi\n\n\
                 dn: ou=people,{SUFFIX}\nobjectClass: organizationalUnit\nou: people\n\n\
                 dn: uid=liqiang,ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: liqiang\n\
                 cn: 李强\nsn: 李\nmail: liqiang@xunshi.test\nuserPassword: {LI_PASSWORD}\n\n\
                 dn: uid=zhangwei,ou=people,{SUFFIX}\nobjectClass: inetOrgPerson\nuid: zhangwei\n\
                 cn: 张伟（目录）\nsn: 张\nuserPassword: Directory-Pass-2\n"
            ),
        )
        .unwrap();
        let out = Command::new("/usr/sbin/slapadd")
            .arg("-f")
            .arg(&conf)
            .arg("-l")
            .arg(&ldif)
            .output()
            .expect("run slapadd");
        assert!(
            out.status.success(),
            "slapadd: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let child = Command::new("/usr/sbin/slapd")
            .arg("-f")
            .arg(&conf)
            .arg("-h")
            .arg(format!("ldap://127.0.0.1:{port}/"))
            .args(["-d", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start slapd");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < PATIENCE, "slapd did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Slapd {
            child,
            port,
            _dir: dir,
        }
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn configure(x: &Instance, port: u16, provision: bool) {
    std::fs::write(
        x.data_dir.path().join("xunshi.toml"),
        // Every log-in of the test comes from 127.0.0.1, and the count of an address's attempts
        // is kept in the database across restarts of the server.
        format!(
            "login_attempts_per_minute = 100\n[ldap]\nurl = \"ldap://127.0.0.1:{port}\"\n\
             user_dn = \"uid={{username}},ou=people,{SUFFIX}\"\nprovision = {provision}\n"
        ),
    )
    .unwrap();
}

fn me(port: u16, token: &str) -> serde_json::Value {
    let r = http(
        port,
        "GET",
        "/api/v1/me",
        &[("Authorization", &format!("Bearer {token}"))],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

pub(super) fn the_directory_checks_its_people_and_xunshi_grants_their_roles(x: &Instance) {
    let slapd = Slapd::start();
    assert!(Path::new("/etc/ldap/schema/core.schema").exists());
    // A local account, made before the directory was configured, keeps its own password even
    // where the directory holds the same name.
    x.add_user("zhangwei", "office");
    configure(x, slapd.port, true);
    let server = x.serve();
    let port = server.port;

    // First log-in of a person the directory knows: an account with the directory's name
    // and address, and no role.
    let login = api_login(port, "liqiang", LI_PASSWORD);
    assert_eq!(login.status, 201, "{}", login.body);
    let token = login.json()["token"].as_str().unwrap().to_owned();
    let who = me(port, &token);
    assert_eq!(who["username"], "liqiang");
    assert_eq!(who["display_name"], "李强");
    assert_eq!(who["grants"].as_array().map(Vec::len), Some(0), "{who}");
    // Again: the same account, not another.
    let again = api_login(port, "liqiang", LI_PASSWORD);
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(
        me(port, again.json()["token"].as_str().unwrap())["id"],
        who["id"]
    );

    // The directory's refusals are wrong passwords like any other; an empty password (an
    // anonymous bind, which the directory would accept) opens nothing.
    for (name, password) in [
        ("liqiang", "wrong"),
        ("liqiang", ""),
        ("nobody", "Whatever-1"),
    ] {
        let r = api_login(port, name, password);
        assert!(
            matches!(r.status, 400 | 401),
            "{name}/{password}: {} {}",
            r.status,
            r.body
        );
    }
    // The local account: its own password, not the directory's.
    assert_eq!(api_login(port, "zhangwei", PASSWORD).status, 201);
    assert_eq!(api_login(port, "zhangwei", "Directory-Pass-2").status, 401);

    // A directory account's password is changed in the directory, not here.
    let change = http(
        port,
        "POST",
        "/api/v1/auth/password",
        &[
            ("Authorization", &format!("Bearer {token}")),
            ("Content-Type", "application/json"),
        ],
        Some(
            &serde_json::json!({"username": "liqiang", "current_password": LI_PASSWORD, "new_password": "Local-Pass-123"})
                .to_string(),
        ),
    );
    assert_eq!(change.status, 422, "{}", change.body);
    assert!(change.body.contains("统一身份认证"), "{}", change.body);
    let out = x.run(
        &["user", "passwd", "liqiang", "--password-stdin"],
        Some("Local-Pass-123\n"),
    );
    assert!(!out.status.success(), "{}", stdout(&out));
    drop(server);

    // Without provisioning, a person the directory knows but Xunshi does not gets nothing;
    // the account made before still opens.
    configure(x, slapd.port, false);
    let server = x.serve();
    assert_eq!(api_login(server.port, "liqiang", LI_PASSWORD).status, 201);
    drop(server);

    // A directory that cannot be reached is a service down (503), said as such; local
    // accounts go on.
    configure(x, free_port(), true);
    let server = x.serve();
    let down = api_login(server.port, "liqiang", LI_PASSWORD);
    assert_eq!(down.status, 503, "{}", down.body);
    assert!(down.body.contains("暂时无法访问"), "{}", down.body);
    assert_eq!(api_login(server.port, "zhangwei", PASSWORD).status, 201);
    drop(server);
    assert_trail_whole(x);
    // The account's making is in the trail once, naming the directory and the address.
    let url = x.url();
    let summaries: Vec<(String,)> = block_on(async move {
        let db = xunshi_store::Db::open(&url, 1)
            .await
            .expect("open the database");
        let rows =
            sqlx::query_as("SELECT summary FROM audit_log WHERE action = 'user_provisioned'")
                .fetch_all(&db.pool)
                .await
                .expect("the trail");
        db.close().await;
        rows
    });
    assert_eq!(summaries.len(), 1, "{summaries:?}");
    assert!(
        summaries[0].0.contains("liqiang@xunshi.test")
            && summaries[0].0.contains("ldap://127.0.0.1"),
        "{summaries:?}"
    );
}
