//! Secrets: random tokens (session ids, single-use links, API tokens), their stored hashes, and
//! password hashing with argon2id.
//!
//! Tokens are 256 random bits from the operating system, shown base64url-encoded; the database
//! keeps only their SHA-256 (a fast hash is right here: the input is random and long, so there
//! is nothing to guess). Passwords are chosen by people and guessable, so they get argon2id, a
//! slow memory-hard hash, stored as a PHC string that carries its own parameters.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A fresh random token of 32 bytes, base64url without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS random source failing is not something a request can recover from.
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// How expensive a password hash is. Production always uses [`PasswordCost::Production`] (the
/// argon2 crate's defaults, OWASP's recommendation: 19 MiB, 2 passes); tests may choose
/// [`PasswordCost::TestsOnly`], which is not reachable from the command line or environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PasswordCost {
    #[default]
    Production,
    /// 64 KiB, 1 pass: fast and worthless against guessing. Only for test configurations.
    TestsOnly,
}

impl PasswordCost {
    fn hasher(self) -> Argon2<'static> {
        let params = match self {
            PasswordCost::Production => Params::default(),
            PasswordCost::TestsOnly => {
                Params::new(64, 1, 1, None).expect("valid argon2 parameters")
            }
        };
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }
}

/// Hashes a password into a PHC string (`$argon2id$v=19$m=…`).
pub fn hash_password(password: &str, cost: PasswordCost) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("random salt: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = cost
        .hasher()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string. The parameters come from the string, so
/// hashes made with other costs still verify. A malformed stored hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Spends about as long as [`verify_password`] against a real hash, for sign-ins with an
/// unknown e-mail address: the answer's timing must not tell whether an account exists.
pub fn verify_nothing(password: &str, cost: PasswordCost) {
    static DUMMY: std::sync::OnceLock<(PasswordCost, String)> = std::sync::OnceLock::new();
    let (_, hash) = DUMMY.get_or_init(|| {
        (
            cost,
            hash_password("not a password anyone has", cost).unwrap_or_default(),
        )
    });
    let _ = verify_password(password, hash);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_fixed() {
        let a = random_token();
        let b = random_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), token_hash(&b));
        assert_eq!(token_hash(&a).len(), 64);
    }

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse battery", PasswordCost::TestsOnly).unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("x", "not a phc string"));
        let production = Params::default();
        assert!(production.m_cost() >= 19 * 1024, "production memory cost");
    }
}
