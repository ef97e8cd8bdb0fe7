//! Time-based one-time passwords (RFC 6238): the second factor of a log-in, as the
//! authenticator apps officials already carry compute them — HMAC-SHA1, 30-second steps, six
//! digits — and the recovery codes that stand in for a lost phone.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Seconds per step.
pub const STEP: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps either side of now that are still accepted: a phone's clock a little off.
pub const WINDOW: i64 = 1;
/// How many recovery codes are issued at once.
pub const RECOVERY_CODES: usize = 10;

/// The code of `secret` at time step `step` (RFC 4226 §5.3, dynamic truncation).
pub fn code_at(secret: &[u8], step: i64, digits: u32) -> u32 {
    let mut mac =
        <Hmac<Sha1> as KeyInit>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(&step.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h[h.len() - 1] & 0x0f);
    let bin = u32::from_be_bytes([
        h[offset] & 0x7f,
        h[offset + 1],
        h[offset + 2],
        h[offset + 3],
    ]);
    bin % 10u32.pow(digits)
}

/// The time step of `unix_seconds`.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP)
}

/// The step at which `code` (six digits, spaces allowed) is right for `secret` within the
/// window around `now_step`, later than `after_step` (a code once used is not taken again).
pub fn verify(secret: &[u8], code: &str, now_step: i64, after_step: i64) -> Option<i64> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = digits.parse().ok()?;
    (now_step - WINDOW..=now_step + WINDOW)
        .filter(|s| *s > after_step)
        .find(|s| code_at(secret, *s, DIGITS) == wanted)
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take a secret typed in.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(ALPHABET[((n >> (35 - 5 * i)) & 31) as usize] as char);
        }
    }
    out
}

/// Reads base32 (either case, spaces and padding ignored); `None` for any other character.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = ALPHABET
            .iter()
            .position(|a| *a as char == c.to_ascii_uppercase())? as u32;
        acc = (acc << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The `otpauth://` address an authenticator app reads (from a QR code or a link).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

/// A recovery code as people type it: letters and digits, case and separators ignored.
pub fn normalise_recovery(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1, eight digits, key "12345678901234567890".
    #[test]
    fn the_rfc_6238_test_vectors_hold() {
        let key = b"12345678901234567890";
        for (t, want) in [
            (59_i64, 94287082_u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(code_at(key, step_of(t), 8), want, "T = {t}");
        }
        // The six digits the apps show are the last six.
        assert_eq!(code_at(key, step_of(59), 6), 287082);
    }

    #[test]
    fn a_code_is_taken_within_the_window_once() {
        let key = b"12345678901234567890";
        let now = step_of(1111111109);
        let code = format!("{:06}", code_at(key, now, 6));
        assert_eq!(verify(key, &code, now, 0), Some(now));
        assert_eq!(verify(key, &code, now + 1, 0), Some(now), "a step late");
        assert_eq!(verify(key, &code, now + 2, 0), None, "too late");
        assert_eq!(verify(key, &code, now, now), None, "used already");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(key, &spaced, now, 0), Some(now));
        assert_eq!(verify(key, "12345", now, 0), None);
        assert_eq!(verify(key, "abcdef", now, 0), None);
    }

    #[test]
    fn base32_reads_back_what_it_writes() {
        // RFC 4648 §10.
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"fooba"), "MZXW6YTB");
        assert_eq!(from_base32("mzxw6ytboi======").unwrap(), b"foobar");
        let key: Vec<u8> = (0u8..20).collect();
        assert_eq!(from_base32(&base32(&key)).unwrap(), key);
        assert!(from_base32("MZ1W").is_none());
    }

    #[test]
    fn the_address_names_the_issuer_and_the_account() {
        let uri = otpauth_uri("巡视系统", "zhang wei", b"12345678901234567890");
        assert!(uri.starts_with("otpauth://totp/%E5%B7%A1"), "{uri}");
        assert!(
            uri.contains(":zhang%20wei?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"),
            "{uri}"
        );
        assert!(uri.ends_with("&digits=6&period=30"), "{uri}");
    }
}
