//! Messages by e-mail: the background job that sends the outbox (migration 0021). A mail is
//! claimed for a while before it is sent, so two instances do not both send it; it is marked
//! sent after the server took it, or its failure is recorded and it is tried again later, up to
//! [`MAIL_ATTEMPTS`] times. The message in the inbox is never touched by any of this.

use jiff::SignedDuration;

use super::Services;
use crate::error::Result;
use crate::message::Mailer;
use crate::store::{MessageWrite, Store, WriteTx};

/// How many attempts a mail gets before it is given up.
pub const MAIL_ATTEMPTS: i64 = 5;

/// Mails taken per run: a run stays short, the next one a minute later takes more.
const MAILS_PER_RUN: u32 = 50;

/// How long a claimed mail is left to the one sending it before another may take it (should
/// it die while sending), where no job lease says otherwise (`xunshi mail send`).
pub const MAIL_LEASE: SignedDuration = SignedDuration::from_mins(10);

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailRun {
    pub sent: usize,
    pub failed: usize,
}

/// The wait before the next attempt after `attempts` failures: 1, 2, 4, 8 minutes …
fn retry_after(attempts: i64) -> SignedDuration {
    SignedDuration::from_mins(1_i64 << attempts.clamp(0, 10))
}

/// The mail's text: the message, and where to read it.
fn mail_body(title: &str, body: &str) -> String {
    format!(
        "{title}\n\n{body}\n\n——\n此邮件由巡视巡察信息系统自动发送，请登录系统查看“我的消息”办理。"
    )
}

impl<S: Store> Services<S> {
    /// Sends the mails due now through `mailer`, each claimed for `lease` first; returns how
    /// many went and how many failed.
    pub async fn send_mails(&self, mailer: &dyn Mailer, lease: SignedDuration) -> Result<MailRun> {
        let now = self.now();
        let mails = {
            let mut tx = self.store.write().await?;
            let m = tx.claim_mails(now, now + lease, MAILS_PER_RUN).await?;
            tx.commit().await?;
            m
        };
        let mut run = MailRun::default();
        for mail in mails {
            let subject = format!("【巡视巡察】{}", mail.message.title);
            let text = mail_body(&mail.message.title, &mail.message.body);
            let outcome = mailer.send(&mail.address, &subject, &text).await;
            let at = self.now();
            let mut tx = self.store.write().await?;
            match outcome {
                Ok(()) => {
                    tx.mail_sent(mail.message.id, at).await?;
                    run.sent += 1;
                }
                Err(e) => {
                    let tried = mail.attempts + 1;
                    let retry = (tried < MAIL_ATTEMPTS).then(|| at + retry_after(mail.attempts));
                    tx.mail_failed(mail.message.id, &e, retry, at).await?;
                    run.failed += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time() {
        assert_eq!(retry_after(0), SignedDuration::from_mins(1));
        assert_eq!(retry_after(3), SignedDuration::from_mins(8));
    }
}
