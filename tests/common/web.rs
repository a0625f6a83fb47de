//! A browser without JavaScript for tests over real HTTP: keeps cookies, reads CSRF tokens
//! from pages, posts forms, speaks from one client address (`X-Forwarded-For`, for servers
//! that trust 127.0.0.1 as a proxy), and reads the mails the server wrote to its folder.

use std::collections::HashMap;
use std::path::Path;

use reqwest::StatusCode;

pub struct Browser {
    base: String,
    http: reqwest::Client,
    /// Name → value, as the server set them (tests plant their own, too).
    pub cookies: HashMap<String, String>,
    address: String,
}

pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn location(&self) -> String {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect()
    }

    /// The first form's CSRF token.
    pub fn csrf(&self) -> String {
        field_value(&self.body, "csrf").unwrap_or_else(|| panic!("no csrf field in {}", self.body))
    }
}

/// The value of the first input called `name`.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_string())
}

impl Browser {
    pub fn new(base: &str, address: &str) -> Self {
        Browser {
            base: base.to_string(),
            http: super::http(),
            cookies: HashMap::new(),
            address: address.to_string(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Page {
        let response = request
            .header("x-forwarded-for", &self.address)
            .header("cookie", self.cookie_header())
            .send()
            .await
            .expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all("set-cookie") {
            let text = value.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || text.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
        let body = response.text().await.unwrap_or_default();
        Page {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let request = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    /// Gets the page at `form_page`, then posts `form` with its CSRF token to `action`.
    pub async fn submit(&mut self, form_page: &str, action: &str, form: &[(&str, &str)]) -> Page {
        let page = self.get(form_page).await;
        let csrf = page.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(form);
        self.post(action, &all).await
    }

    /// The session cookie's value (over http: its name without the `__Host-` prefix).
    pub fn session(&self) -> Option<String> {
        self.cookies.get("wijkwijzer_sessie").cloned()
    }

    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        self.submit(
            "/inloggen",
            "/inloggen",
            &[("email", email), ("password", password)],
        )
        .await
    }
}

/// The newest mail to `to` in a server's mail folder (`<data dir>/mail`), decoded.
pub fn mail_to(data_dir: &Path, to: &str) -> Option<String> {
    let mut newest: Option<(std::time::SystemTime, String)> = None;
    for entry in std::fs::read_dir(data_dir.join("mail")).ok()? {
        let path = entry.ok()?.path();
        let raw = std::fs::read_to_string(&path).ok()?;
        if !raw.lines().any(|l| l.starts_with("To:") && l.contains(to)) {
            continue;
        }
        let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
        if newest.as_ref().is_none_or(|(t, _)| modified >= *t) {
            newest = Some((modified, decode_mail(&raw)));
        }
    }
    newest.map(|(_, text)| text)
}

/// A mail's body as text (base64 or quoted-printable, as lettre writes them).
pub fn decode_mail(raw: &str) -> String {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    if head.contains("Content-Transfer-Encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        return String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap(),
        )
        .unwrap();
    }
    let body = body.replace("=\r\n", "").replace("=\n", "");
    // Quoted-printable: =XX bytes.
    let bytes = body.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&body[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The path of the link in a mail that starts with `prefix` (e.g. `/uitnodiging/`).
pub fn link_in(mail: &str, prefix: &str) -> String {
    let at = mail
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {mail}"));
    mail[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim()
        .to_string()
}
