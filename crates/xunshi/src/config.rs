//! Layered configuration: defaults, then `xunshi.toml` in the data folder, then `XUNSHI_*`
//! environment variables and flags (clap reads both, the flag winning).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::{Global, ServeArgs};

/// What `xunshi.toml` may set. Unknown keys are refused, so a typo does not go unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    database_url: Option<String>,
    trust_proxy: Option<bool>,
    max_connections: Option<u32>,
    log_format: Option<String>,
}

pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: SocketAddr,
    pub trust_proxy: bool,
    pub max_connections: u32,
    pub log_json: bool,
}

/// Never print a database password, in logs or in `Debug` output.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{}{user}:***{}", &url[..s + 3], &url[at..])
            } else {
                url.to_owned()
            }
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("trust_proxy", &self.trust_proxy)
            .field("max_connections", &self.max_connections)
            .field("log_json", &self.log_json)
            .finish()
    }
}

fn read_file(data_dir: &Path) -> Result<FileConfig, String> {
    let path = data_dir.join("xunshi.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

impl Config {
    pub fn load(global: &Global, serve: Option<&ServeArgs>) -> Result<Config, String> {
        let data_dir = global
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("xunshi-data"));
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| format!("cannot create the data folder {}: {e}", data_dir.display()))?;
        let file = read_file(&data_dir)?;
        let database_url = global
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| xunshi_store::sqlite_url(&data_dir));
        let log_format = global
            .log_format
            .clone()
            .or(file.log_format)
            .unwrap_or_else(|| "text".into());
        let log_json = match log_format.as_str() {
            "text" => false,
            "json" => true,
            other => return Err(format!("log format “{other}” is neither text nor json")),
        };
        let listen = serve
            .and_then(|s| s.listen)
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let trust_proxy = serve
            .and_then(|s| s.trust_proxy)
            .or(file.trust_proxy)
            .unwrap_or(false);
        let max_connections = serve
            .and_then(|s| s.max_connections)
            .or(file.max_connections)
            .unwrap_or(10);
        if max_connections == 0 {
            return Err("max_connections must be at least 1".into());
        }
        Ok(Config {
            data_dir,
            database_url,
            listen,
            trust_proxy,
            max_connections,
            log_json,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            redact_url("postgres://xs:s3cret@db:5432/xunshi"),
            "postgres://xs:***@db:5432/xunshi"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn the_file_is_read_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("xunshi.toml"),
            "listen = \"127.0.0.1:9000\"\nmax_connections = 4\n",
        )
        .unwrap();
        let global = Global {
            data_dir: Some(dir.path().to_owned()),
            database_url: None,
            log_format: None,
        };
        let from_file = Config::load(&global, None).unwrap();
        assert_eq!(from_file.listen.port(), 9000);
        assert_eq!(from_file.max_connections, 4);
        let serve = ServeArgs {
            listen: Some("127.0.0.1:9100".parse().unwrap()),
            trust_proxy: None,
            max_connections: None,
            demo: false,
        };
        assert_eq!(
            Config::load(&global, Some(&serve)).unwrap().listen.port(),
            9100
        );
    }

    #[test]
    fn a_typo_in_the_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("xunshi.toml"), "lisen = \"x\"\n").unwrap();
        let global = Global {
            data_dir: Some(dir.path().to_owned()),
            database_url: None,
            log_format: None,
        };
        let err = Config::load(&global, None).err().unwrap();
        assert!(err.contains("lisen"), "{err}");
    }
}
