//! Handshake and credentials (wire.md section 2): the 2-byte greetings, the
//! `N` + `user:password\0` credential message, and the server-side secret
//! (zero-padded to 256 bytes, compared in constant time).

use super::header::WIRE_VERSION;

/// Greeting length, both directions.
pub const GREETING_LEN: usize = 2;
/// Server's answer byte after credentials: accepted.
pub const AUTH_ACCEPTED: u8 = 0x00;
/// Server's answer byte after credentials: rejected (then it closes).
pub const AUTH_REJECTED: u8 = 0x01;
/// Longest credential text a client sends (`user:password`, without the
/// NUL): the length byte counts the NUL too and must not wrap to 0
/// (the reference's 255-character bug).
pub const MAX_CREDENTIAL_TEXT: usize = 254;
/// Padded secret width.
pub const SECRET_LEN: usize = 256;

/// What a client sends first.
pub fn client_greeting() -> [u8; GREETING_LEN] {
    [WIRE_VERSION, 0x00]
}

/// What the server answers to a greeting whose version byte is right.
pub fn server_greeting(auth_required: bool) -> [u8; GREETING_LEN] {
    [WIRE_VERSION, auth_required as u8]
}

/// The server-side check of a client greeting: only byte 0 matters.
pub fn client_greeting_ok(g: &[u8]) -> bool {
    g.first() == Some(&WIRE_VERSION)
}

/// A configured password, zero-padded to 256 bytes (truncated to 255).
#[derive(Clone)]
pub struct Secret {
    padded: [u8; SECRET_LEN],
    len: usize,
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret(<{} bytes>)", self.len)
    }
}

impl Secret {
    /// `None` for an empty secret, which means "no authentication".
    pub fn new(password: &[u8]) -> Option<Secret> {
        let len = password.len().min(SECRET_LEN - 1);
        if len == 0 {
            return None;
        }
        Some(Secret { padded: pad(&password[..len]), len })
    }

    /// The padded bytes (what the legacy C struct stores).
    pub fn padded(&self) -> &[u8; SECRET_LEN] {
        &self.padded
    }

    /// Constant-time comparison with the password a client sent.
    pub fn matches(&self, sent_password: &[u8]) -> bool {
        let n = sent_password.len().min(SECRET_LEN - 1);
        constant_time_eq(&self.padded, &pad(&sent_password[..n]))
    }
}

fn pad(b: &[u8]) -> [u8; SECRET_LEN] {
    let mut out = [0u8; SECRET_LEN];
    out[..b.len()].copy_from_slice(b);
    out
}

/// Compares every byte whatever the first difference is.
pub fn constant_time_eq(a: &[u8; SECRET_LEN], b: &[u8; SECRET_LEN]) -> bool {
    let mut diff = 0u8;
    for i in 0..SECRET_LEN {
        diff |= a[i] ^ b[i];
    }
    std::hint::black_box(diff) == 0
}

/// User and password parsed from a credential body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub user: Vec<u8>,
    pub password: Vec<u8>,
}

/// Splits a credential body by the reference's rule: password = bytes after
/// the first `:` (the whole body without a colon), minus one trailing NUL.
pub fn parse_credentials(body: &[u8]) -> Credentials {
    let (user, pw) = match body.iter().position(|&b| b == b':') {
        Some(i) => (&body[..i], &body[i + 1..]),
        None => (&body[..0], body),
    };
    let pw = pw.strip_suffix(&[0]).unwrap_or(pw);
    Credentials { user: user.to_vec(), password: pw.to_vec() }
}

/// The client's credential message: length byte, `user:password`, NUL.
/// `None` when the text is longer than `MAX_CREDENTIAL_TEXT`.
pub fn credential_message(user: Option<&[u8]>, password: &[u8]) -> Option<Vec<u8>> {
    let user = user.unwrap_or(b"");
    let text_len = user.len() + 1 + password.len();
    if text_len > MAX_CREDENTIAL_TEXT {
        return None;
    }
    let mut out = Vec::with_capacity(text_len + 2);
    out.push((text_len + 1) as u8);
    out.extend_from_slice(user);
    out.push(b':');
    out.extend_from_slice(password);
    out.push(0);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accepted(body: &[u8]) -> bool {
        Secret::new(b"secret").unwrap().matches(&parse_credentials(body).password)
    }

    #[test]
    fn credentials_follow_the_reference_rules() {
        assert!(accepted(b"user:secret\0"));
        assert!(accepted(b"user:secret"));
        assert!(accepted(b":secret\0"));
        assert!(accepted(b"secret\0"));
        assert!(!accepted(b"user:wrong\0"));
        assert!(!accepted(b"a:b:secret\0"));
        assert!(!accepted(b"u:secre\0"));
        assert!(!accepted(b"u:secretX\0"));
        assert!(!accepted(b""));
        assert_eq!(parse_credentials(b"ban:secret\0").user, b"ban");
    }

    #[test]
    fn empty_secret_means_no_authentication() {
        assert!(Secret::new(b"").is_none());
    }

    #[test]
    fn long_secrets_are_truncated_to_255_bytes_on_both_sides() {
        let long = vec![b'x'; 300];
        let s = Secret::new(&long).unwrap();
        assert!(s.matches(&long[..255]));
        assert!(s.matches(&long));
        assert!(!s.matches(&long[..254]));
    }

    #[test]
    fn credential_message_counts_the_nul_and_refuses_wrapping_lengths() {
        assert_eq!(credential_message(Some(b"user"), b"secret").unwrap(), b"\x0cuser:secret\0");
        assert_eq!(credential_message(None, b"pw").unwrap(), b"\x04:pw\0");
        assert!(credential_message(None, &[b'p'; 253]).is_some());
        assert!(credential_message(None, &[b'p'; 254]).is_none());
    }

    #[test]
    fn greetings_carry_version_and_auth_flag() {
        assert_eq!(client_greeting(), [3, 0]);
        assert_eq!(server_greeting(true), [3, 1]);
        assert!(client_greeting_ok(&[3, 0xff]));
        assert!(!client_greeting_ok(&[2, 0]));
    }
}
