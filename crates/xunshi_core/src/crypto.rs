//! Which algorithms protect what the system holds: the standard suite (SHA-256 and
//! AES-256-GCM) or the national cryptography option, 商用密码 (SM3 of GB/T 32905 and SM4 of
//! GB/T 32907 in GCM mode). The hash serves the audit chain and the names of evidence files;
//! the cipher, the sealed fields (the store implements it behind the `Cipher` port).
//!
//! An installation runs one suite, chosen in the configuration. The audit chain's head row
//! names the hash its records carry, and every stored file's name says which hash it is, so
//! nothing is read with the wrong one, even in the middle of a switch (`Services::switch_crypto`).

use serde::{Deserialize, Serialize};
use sha2::Digest;

/// The hash of the audit chain and of evidence content.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum HashAlg {
    #[default]
    Sha256,
    Sm3,
}

/// The prefix of an SM3-named file. SHA-256 names stay bare hex, as every installation has
/// always named them.
const SM3_PREFIX: &str = "sm3-";

impl HashAlg {
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha256",
            HashAlg::Sm3 => "sm3",
        }
    }

    pub fn parse(s: &str) -> Option<HashAlg> {
        match s {
            "sha256" => Some(HashAlg::Sha256),
            "sm3" => Some(HashAlg::Sm3),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sm3 => "SM3",
        }
    }

    pub fn hasher(self) -> Hasher {
        match self {
            HashAlg::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            HashAlg::Sm3 => Hasher::Sm3(sm3::Sm3::new()),
        }
    }

    /// The digest of `bytes`, lower-case hex (64 digits for both).
    pub fn hex(self, bytes: &[u8]) -> String {
        let mut h = self.hasher();
        h.update(bytes);
        h.finish_hex()
    }

    /// The name content is stored under: its digest, marked `sm3-` when it is SM3's.
    pub fn content_name(self, bytes: &[u8]) -> String {
        self.name_of_digest(&self.hex(bytes))
    }

    /// The stored name of a digest made by this hash.
    pub fn name_of_digest(self, hex: &str) -> String {
        match self {
            HashAlg::Sha256 => hex.to_owned(),
            HashAlg::Sm3 => format!("{SM3_PREFIX}{hex}"),
        }
    }
}

/// A running digest, for content streamed in pieces.
pub enum Hasher {
    Sha256(sha2::Sha256),
    Sm3(sm3::Sm3),
}

impl Hasher {
    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sm3(h) => h.update(bytes),
        }
    }

    pub fn finish_hex(self) -> String {
        match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sm3(h) => hex::encode(h.finalize()),
        }
    }
}

/// Reads a stored file's name: which hash made it and the digest, or `None` when it is no
/// such name (64 lower-case hex digits, SM3's after `sm3-`) — and so never a path.
pub fn parse_content_name(name: &str) -> Option<(HashAlg, &str)> {
    let (alg, hex) = match name.strip_prefix(SM3_PREFIX) {
        Some(hex) => (HashAlg::Sm3, hex),
        None => (HashAlg::Sha256, name),
    };
    let is_hex = hex.len() == 64
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    is_hex.then_some((alg, hex))
}

/// Where a stored file of a well-formed name is kept, below a store's root: `<aa>/<name>`, `aa`
/// the digest's first two hex digits, so that no folder (or listing) grows too large.
pub fn content_key(name: &str) -> Option<String> {
    let (_, hex) = parse_content_name(name)?;
    Some(format!("{}/{name}", &hex[..2]))
}

/// The algorithms an installation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Suite {
    /// SHA-256 and AES-256-GCM.
    #[default]
    Standard,
    /// 商用密码: SM3 and SM4-GCM.
    Sm,
}

impl Suite {
    pub fn as_str(self) -> &'static str {
        match self {
            Suite::Standard => "standard",
            Suite::Sm => "sm",
        }
    }

    pub fn parse(s: &str) -> Option<Suite> {
        match s {
            "standard" => Some(Suite::Standard),
            "sm" => Some(Suite::Sm),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Suite::Standard => "标准算法（SHA-256、AES-256-GCM）",
            Suite::Sm => "商用密码算法（SM3、SM4-GCM）",
        }
    }

    pub fn hash(self) -> HashAlg {
        match self {
            Suite::Standard => HashAlg::Sha256,
            Suite::Sm => HashAlg::Sm3,
        }
    }

    /// The suite whose hash the audit chain carries.
    pub fn of_hash(alg: HashAlg) -> Suite {
        match alg {
            HashAlg::Sha256 => Suite::Standard,
            HashAlg::Sm3 => Suite::Sm,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GB/T 32905-2016, appendix A: example 1 ("abc") and example 2 ("abcd" sixteen times).
    #[test]
    fn sm3_gives_the_known_answers_of_gb_t_32905() {
        assert_eq!(
            HashAlg::Sm3.hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            HashAlg::Sm3.hex("abcd".repeat(16).as_bytes()),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        // Fed in pieces, the same.
        let mut h = HashAlg::Sm3.hasher();
        for piece in ["ab", "c"] {
            h.update(piece.as_bytes());
        }
        assert_eq!(h.finish_hex(), HashAlg::Sm3.hex(b"abc"));
        assert_eq!(
            HashAlg::Sha256.hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn a_content_name_says_which_hash_made_it_and_is_never_a_path() {
        let sha = HashAlg::Sha256.content_name(b"abc");
        let sm = HashAlg::Sm3.content_name(b"abc");
        assert_eq!(sm, format!("sm3-{}", HashAlg::Sm3.hex(b"abc")));
        assert_eq!(
            parse_content_name(&sha),
            Some((HashAlg::Sha256, sha.as_str()))
        );
        assert_eq!(parse_content_name(&sm), Some((HashAlg::Sm3, &sm[4..])));
        assert_eq!(content_key(&sm), Some(format!("{}/{sm}", &sm[4..6])));
        assert_eq!(content_key(&sha), Some(format!("{}/{sha}", &sha[..2])));
        for bad in [
            "",
            "sm3-",
            "../../etc/passwd",
            &sha[..63],
            &sha.to_uppercase(),
            &format!("sm4-{}", &sm[4..]),
            &format!("sm3-../{}", &sm[7..]),
        ] {
            assert_eq!(parse_content_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn suites_name_their_hash() {
        for s in [Suite::Standard, Suite::Sm] {
            assert_eq!(Suite::parse(s.as_str()), Some(s));
            assert_eq!(Suite::of_hash(s.hash()), s);
        }
        assert_eq!(Suite::parse("gm"), None);
    }
}
