//! Envelope encryption of personal data (issue 14: referrals).
//!
//! Every referral gets its own random *data key*; its personal fields (name or initials,
//! contact, note) are sealed with it (XChaCha20-Poly1305, a fresh random nonce per field), and
//! the data key is stored only *wrapped* by the instance's *master key*, which comes from the
//! configuration and never from the database. So:
//! - a copy of the database alone reveals no personal field;
//! - erasing a referral's wrapped key erases its personal data at once, also in backups
//!   ("crypto-shredding"), while its anonymous facts (status, dates, category) stay countable;
//! - each sealed value is bound (as associated data) to its referral and field, so a value
//!   cannot be moved to another referral or field in the database and still open.
//!
//! The master key carries an id, stored with each wrapped key, so that a new master key can be
//! introduced while data wrapped by the old one is re-wrapped. Keys are wiped from memory when
//! dropped (the cipher's `zeroize` feature).

use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, Generate, Key, KeyInit, Payload};

/// Nonce length of XChaCha20-Poly1305: random nonces of this size never repeat in practice.
const NONCE_LEN: usize = 24;
/// Bytes of one key.
pub const KEY_LEN: usize = 32;

/// The instance's key-encryption key, from the configuration.
pub struct MasterKey {
    id: String,
    cipher: XChaCha20Poly1305,
    /// Derived from the master key for [`MasterKey::tag`], so that a tag never reveals the
    /// key that wraps the data keys.
    tag_key: zeroize::Zeroizing<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for MasterKey {
    // Never print key material, also not by accident in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id).finish()
    }
}

/// One referral's data key, unwrapped in memory only while it is used.
pub struct DataKey {
    cipher: XChaCha20Poly1305,
}

/// Why sealing or opening failed. Deliberately without detail: a wrong key, a tampered value
/// and a value moved to another field all look the same to an attacker.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivacyError {
    #[error("de gegevens kunnen niet worden geopend")]
    CannotOpen,
    #[error("de sleutel is onbekend: {0}")]
    UnknownMasterKey(String),
    #[error("een hoofdsleutel moet {KEY_LEN} bytes zijn (64 hexadecimale tekens)")]
    BadMasterKey,
}

/// A data key as stored: the master key's id and the sealed key bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub master_key_id: String,
    pub sealed: Vec<u8>,
}

impl MasterKey {
    /// From 64 hexadecimal characters (how an operator writes it in the configuration).
    pub fn from_hex(id: impl Into<String>, hex: &str) -> Result<Self, PrivacyError> {
        let hex = hex.trim();
        if hex.len() != KEY_LEN * 2 || !hex.is_ascii() {
            return Err(PrivacyError::BadMasterKey);
        }
        let mut bytes = [0u8; KEY_LEN];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16)
                .map_err(|_| PrivacyError::BadMasterKey)?;
        }
        Ok(Self::from_bytes(id, bytes))
    }

    pub fn from_bytes(id: impl Into<String>, bytes: [u8; KEY_LEN]) -> Self {
        let mut tag_key = zeroize::Zeroizing::new([0u8; KEY_LEN]);
        tag_key.copy_from_slice(&hmac_sha256(&bytes, b"wijkwijzer/tag-key/v1"));
        MasterKey {
            id: id.into(),
            cipher: XChaCha20Poly1305::new(&Key::<XChaCha20Poly1305>::from(bytes)),
            tag_key,
        }
    }

    /// A keyed hash of `value` for `purpose`: equal values give equal tags, so a database can
    /// find "the same resident" without holding the value, and without the master key nobody
    /// can test a guess (a phone number has too few possibilities for a plain hash).
    pub fn tag(&self, purpose: &str, value: &str) -> Vec<u8> {
        let mut input = Vec::with_capacity(purpose.len() + value.len() + 1);
        input.extend_from_slice(purpose.as_bytes());
        input.push(0);
        input.extend_from_slice(value.as_bytes());
        hmac_sha256(self.tag_key.as_slice(), &input)
    }

    /// A new random master key as 64 hexadecimal characters, for an operator to keep.
    pub fn generate_hex() -> String {
        let key = Key::<XChaCha20Poly1305>::generate();
        key.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Makes a new data key for one referral: the key to use, and its wrapped form to store.
    /// The wrapping is bound to `referral` (its id), so a wrapped key copied onto another
    /// referral does not open.
    pub fn new_data_key(&self, referral: &str) -> Result<(DataKey, WrappedKey), PrivacyError> {
        let key = Key::<XChaCha20Poly1305>::generate();
        let sealed = seal_with(&self.cipher, &key, &wrap_context(referral))?;
        Ok((
            DataKey {
                cipher: XChaCha20Poly1305::new(&key),
            },
            WrappedKey {
                master_key_id: self.id.clone(),
                sealed,
            },
        ))
    }

    /// Unwraps a stored data key of `referral`.
    pub fn unwrap_key(
        &self,
        referral: &str,
        wrapped: &WrappedKey,
    ) -> Result<DataKey, PrivacyError> {
        if wrapped.master_key_id != self.id {
            return Err(PrivacyError::UnknownMasterKey(
                wrapped.master_key_id.clone(),
            ));
        }
        let bytes = open_with(&self.cipher, &wrapped.sealed, &wrap_context(referral))?;
        let key: [u8; KEY_LEN] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| PrivacyError::CannotOpen)?;
        Ok(DataKey {
            cipher: XChaCha20Poly1305::new(&Key::<XChaCha20Poly1305>::from(key)),
        })
    }
}

impl DataKey {
    /// Seals one personal field of `referral`; the result is nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, referral: &str, field: &str, value: &str) -> Result<Vec<u8>, PrivacyError> {
        seal_with(
            &self.cipher,
            value.as_bytes(),
            &field_context(referral, field),
        )
    }

    /// Opens what [`Self::seal`] sealed for the same referral and field.
    pub fn open(&self, referral: &str, field: &str, sealed: &[u8]) -> Result<String, PrivacyError> {
        let bytes = open_with(&self.cipher, sealed, &field_context(referral, field))?;
        String::from_utf8(bytes).map_err(|_| PrivacyError::CannotOpen)
    }
}

fn hmac_sha256(key: &[u8], input: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(input);
    mac.finalize().into_bytes().to_vec()
}

fn wrap_context(referral: &str) -> Vec<u8> {
    format!("wijkwijzer/data-key/{referral}").into_bytes()
}

fn field_context(referral: &str, field: &str) -> Vec<u8> {
    format!("wijkwijzer/field/{referral}/{field}").into_bytes()
}

fn seal_with(
    cipher: &XChaCha20Poly1305,
    plaintext: &[u8],
    context: &[u8],
) -> Result<Vec<u8>, PrivacyError> {
    let nonce = chacha20poly1305::XNonce::generate();
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: plaintext,
                aad: context,
            },
        )
        .map_err(|_| PrivacyError::CannotOpen)?;
    let mut out = Vec::with_capacity(NONCE_LEN + ciphertext.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ciphertext);
    Ok(out)
}

fn open_with(
    cipher: &XChaCha20Poly1305,
    sealed: &[u8],
    context: &[u8],
) -> Result<Vec<u8>, PrivacyError> {
    if sealed.len() < NONCE_LEN {
        return Err(PrivacyError::CannotOpen);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
    let nonce = chacha20poly1305::XNonce::try_from(nonce).map_err(|_| PrivacyError::CannotOpen)?;
    cipher
        .decrypt(
            &nonce,
            Payload {
                msg: ciphertext,
                aad: context,
            },
        )
        .map_err(|_| PrivacyError::CannotOpen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master() -> MasterKey {
        MasterKey::from_hex("2026-12", &"ab".repeat(32)).unwrap()
    }

    #[test]
    fn a_field_opens_with_its_key_referral_and_field_only() {
        let master = master();
        let (key, wrapped) = master.new_data_key("r1").unwrap();
        let sealed = key.seal("r1", "contact", "06-12345678").unwrap();
        assert!(
            !sealed.windows(8).any(|w| w == b"06-12345"),
            "no clear text in the sealed value"
        );
        // Stored and read back later: unwrap, open.
        let again = master.unwrap_key("r1", &wrapped).unwrap();
        assert_eq!(again.open("r1", "contact", &sealed).unwrap(), "06-12345678");
        // Moved to another field or referral: refused.
        assert_eq!(
            again.open("r1", "name", &sealed),
            Err(PrivacyError::CannotOpen)
        );
        assert_eq!(
            again.open("r2", "contact", &sealed),
            Err(PrivacyError::CannotOpen)
        );
        // Another referral's key, or a wrapped key copied onto another referral: refused.
        let (other, _) = master.new_data_key("r2").unwrap();
        assert_eq!(
            other.open("r1", "contact", &sealed),
            Err(PrivacyError::CannotOpen)
        );
        assert!(master.unwrap_key("r2", &wrapped).is_err());
    }

    #[test]
    fn tampering_and_the_wrong_master_key_are_refused() {
        let master = master();
        let (key, wrapped) = master.new_data_key("r1").unwrap();
        let mut sealed = key.seal("r1", "note", "belt liever 's ochtends").unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(
            key.open("r1", "note", &sealed),
            Err(PrivacyError::CannotOpen)
        );
        assert_eq!(
            key.open("r1", "note", &sealed[..10]),
            Err(PrivacyError::CannotOpen)
        );
        let other = MasterKey::from_hex("2026-12", &"cd".repeat(32)).unwrap();
        assert!(other.unwrap_key("r1", &wrapped).is_err());
        let renamed = MasterKey::from_hex("2027-01", &"ab".repeat(32)).unwrap();
        assert_eq!(
            renamed.unwrap_key("r1", &wrapped).err(),
            Some(PrivacyError::UnknownMasterKey("2026-12".into()))
        );
    }

    #[test]
    fn tags_are_equal_for_equal_values_and_depend_on_key_and_purpose() {
        let master = master();
        let a = master.tag("duplicate", "jdv|0612345678");
        assert_eq!(a, master.tag("duplicate", "jdv|0612345678"));
        assert_ne!(a, master.tag("duplicate", "jdv|0612345679"));
        assert_ne!(a, master.tag("contact", "jdv|0612345678"));
        let other = MasterKey::from_hex("2026-12", &"cd".repeat(32)).unwrap();
        assert_ne!(a, other.tag("duplicate", "jdv|0612345678"));
        assert!(!a.windows(4).any(|w| w == b"0612"));
    }

    #[test]
    fn the_same_value_seals_differently_each_time() {
        let (key, _) = master().new_data_key("r1").unwrap();
        let a = key.seal("r1", "name", "J.").unwrap();
        let b = key.seal("r1", "name", "J.").unwrap();
        assert_ne!(a, b, "a fresh nonce per value");
    }

    #[test]
    fn master_keys_are_64_hex_characters_and_never_printed() {
        assert_eq!(
            MasterKey::from_hex("x", "abc").err(),
            Some(PrivacyError::BadMasterKey)
        );
        assert_eq!(
            MasterKey::from_hex("x", &"zz".repeat(32)).err(),
            Some(PrivacyError::BadMasterKey)
        );
        let generated = MasterKey::generate_hex();
        assert_eq!(generated.len(), 64);
        let key = MasterKey::from_hex("k1", &generated).unwrap();
        let printed = format!("{key:?}");
        assert!(!printed.contains(&generated[..16]) && printed.contains("k1"));
    }
}
