//! Sending the messages by e-mail over SMTP (lettre on tokio, TLS by rustls). The core decides
//! what goes to whom and keeps the outbox; this only hands one mail to the configured server.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use xunshi_core::message::Mailer;
use xunshi_core::store::BoxFuture;

use crate::config::{SmtpConfig, SmtpSecurity};

/// A mail server that does not answer within this is a failed attempt, tried again later.
const TIMEOUT: Duration = Duration::from_secs(30);

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(c: &SmtpConfig) -> Result<Self, String> {
        let from: Mailbox = c
            .from
            .parse()
            .map_err(|e| format!("smtp sender “{}” is not an address: {e}", c.from))?;
        let builder = match c.security {
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host),
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host),
            SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &c.host,
            )),
        }
        .map_err(|e| format!("smtp host “{}”: {e}", c.host))?;
        let mut builder = builder.port(c.port).timeout(Some(TIMEOUT));
        if let (Some(user), Some(password)) = (&c.username, &c.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
            from,
        })
    }
}

impl Mailer for SmtpMailer {
    fn send<'a>(
        &'a self,
        to: &'a str,
        subject: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let to: Mailbox = to.parse().map_err(|e| format!("address “{to}”: {e}"))?;
            let mail = lettre::Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(subject)
                .header(ContentType::TEXT_PLAIN)
                .body(body.to_owned())
                .map_err(|e| e.to_string())?;
            self.transport
                .send(mail)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}
