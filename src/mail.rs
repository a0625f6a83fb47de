//! Outgoing mail (password resets, invitations): through the operator's SMTP server with
//! `lettre` when `--smtp-url` is set, else written as `.eml` files into `<data dir>/mail/` so
//! that a test instance or a laptop loses nothing (the log says where at startup).
//!
//! Mails carry links, never passwords.

use std::path::PathBuf;

use anyhow::Context;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// One mail to send: plain text, in Dutch.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder {
        dir: PathBuf,
        files: AsyncFileTransport<Tokio1Executor>,
    },
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    /// SMTP when `smtp_url` is given (`smtp://user:pass@host:587?tls=required` for STARTTLS,
    /// `smtps://…:465` for TLS; the URL format of lettre's `from_url`), else the mail folder
    /// under `data_dir`.
    pub fn new(
        smtp_url: Option<&str>,
        from: &str,
        data_dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let from: Mailbox = from
            .parse()
            .with_context(|| format!("--mail-from {from:?} is geen e-mailadres"))?;
        let transport = match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("--smtp-url is geen geldige SMTP-URL")?
                    .build();
                tracing::info!(
                    server = %crate::config::redact_url(url),
                    "mail goes out through SMTP"
                );
                Transport::Smtp(transport)
            }
            None => {
                let dir = data_dir.join("mail");
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating the mail folder {}", dir.display()))?;
                tracing::info!(
                    folder = %dir.display(),
                    "no SMTP server configured (--smtp-url): mails are written as .eml files into this folder"
                );
                Transport::Folder {
                    files: AsyncFileTransport::new(&dir),
                    dir,
                }
            }
        };
        Ok(Self { transport, from })
    }

    /// Where mails go, for people: the SMTP server or the folder.
    pub fn folder(&self) -> Option<&std::path::Path> {
        match &self.transport {
            Transport::Folder { dir, .. } => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let to: Mailbox = mail
            .to
            .parse()
            .with_context(|| format!("{:?} is geen e-mailadres", mail.to))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .context("building a mail")?;
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await.context("sending a mail by SMTP")?;
            }
            Transport::Folder { files, .. } => {
                files
                    .send(message)
                    .await
                    .context("writing a mail to the mail folder")?;
            }
        }
        Ok(())
    }
}
