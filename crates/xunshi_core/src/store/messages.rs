//! Storage of in-app messages (站内消息), the e-mail outbox and the reminders' reads: the
//! inbox is paged by id, the unread count comes from the database, and a message is written
//! once per (event, recipient) whoever writes it (`insert_message` answers whether it was new).

use std::future::Future;

use jiff::civil::Date;

use crate::clue::Recipient;
use crate::error::Result;
use crate::id::Id;
use crate::message::Message;
use crate::page::{Keyset, Sort, SortKey};
use crate::role::{Grant, Role};
use crate::user::User;

/// What narrows an inbox.
#[derive(Debug, Clone, Default)]
pub struct MessageFilter {
    /// Only the messages not read yet.
    pub unread_only: bool,
    /// Part of the title or the text.
    pub q: Option<String>,
}

/// The columns an inbox sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MessageSortKey {
    /// As they came (by id); the inbox's own order is newest first.
    #[default]
    Seq,
    /// By kind code, each kind together.
    Kind,
    /// By title.
    Title,
}

impl MessageSortKey {
    pub const ALL: [MessageSortKey; 3] = [
        MessageSortKey::Seq,
        MessageSortKey::Kind,
        MessageSortKey::Title,
    ];
}

impl SortKey for MessageSortKey {
    /// The inbox reads newest first unless told otherwise.
    const DEFAULT_DESC: bool = true;

    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            MessageSortKey::Seq => "seq",
            MessageSortKey::Kind => "kind",
            MessageSortKey::Title => "title",
        }
    }

    fn label(self) -> &'static str {
        match self {
            MessageSortKey::Seq => "时间",
            MessageSortKey::Kind => "类别",
            MessageSortKey::Title => "消息",
        }
    }
}

/// The order of a sorted inbox (`-seq`, the default, newest first; `kind`, `-title`).
pub type MessageSort = Sort<MessageSortKey>;

impl MessageSort {
    /// The sort key of a message, as the cursor carries it and the store compares it.
    pub fn key_of(self, m: &Message) -> String {
        match self.key {
            MessageSortKey::Seq => String::new(),
            MessageSortKey::Kind => m.kind.as_str().to_owned(),
            MessageSortKey::Title => m.title.clone(),
        }
    }
}

/// One e-mail waiting to be sent, with the message it carries.
#[derive(Debug, Clone)]
pub struct Mail {
    pub message: Message,
    pub address: String,
    /// How many attempts failed before this one.
    pub attempts: i64,
}

/// An open dated task, as the reminders need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTask {
    pub id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    pub seq: String,
    pub due: Date,
}

/// An unanswered follow-up notice with the day its answer is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueFollowUp {
    pub id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    pub number: String,
    pub due: Date,
}

/// A clue transfer with its handling deadline and how many of its clues still wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTransfer {
    pub id: Id,
    pub inspection_id: Id,
    pub recipient: Recipient,
    pub due: Date,
    /// Its clues not disposed of yet (none: nothing to remind of).
    pub waiting: i64,
}

pub trait MessageRead: Send {
    /// A page of the recipient's messages under `f` sorted by `sort`, starting at `at`
    /// (`None`: the first page), `limit + 1` rows at most, in the order walked: going back,
    /// the rows before the cursor, nearest first.
    fn messages_sorted(
        &mut self,
        user_id: Id,
        f: &MessageFilter,
        sort: MessageSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Message>>> + Send;
    /// How many messages [`MessageRead::messages_sorted`] would list over all its pages.
    fn count_messages(
        &mut self,
        user_id: Id,
        f: &MessageFilter,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// One of the recipient's messages; none when it is another's.
    fn message_of(
        &mut self,
        user_id: Id,
        id: Id,
    ) -> impl Future<Output = Result<Option<Message>>> + Send;
    fn unread_messages(&mut self, user_id: Id) -> impl Future<Output = Result<i64>> + Send;
    /// The account that issued a follow-up notice, if it was issued by one.
    fn followup_issuer(&mut self, id: Id) -> impl Future<Output = Result<Option<Id>>> + Send;
    /// The e-mail address of the account, if it has one.
    fn user_email(&mut self, user_id: Id) -> impl Future<Output = Result<Option<String>>> + Send;
    /// The enabled accounts holding an active grant of one of `roles` that is global, of one
    /// of `units` or of `inspection`, with all their active grants: those who may have to
    /// hear of something there. At most `limit`, by id.
    fn audience(
        &mut self,
        roles: &[Role],
        units: &[Id],
        inspection: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(User, Vec<Grant>)>>> + Send;
    /// Open tasks whose deadline is in `from..=to`, after `(due, id)` of `after`, by deadline
    /// and id, at most `limit` (the reminders page through the open-deadline index).
    fn tasks_due_between(
        &mut self,
        from: Date,
        to: Date,
        after: Option<(Date, Id)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DueTask>>> + Send;
    /// Unanswered follow-up notices of inspections under rectification whose answer is due
    /// in `from..=to`, paged as [`MessageRead::tasks_due_between`].
    fn followups_due_between(
        &mut self,
        from: Date,
        to: Date,
        after: Option<(Date, Id)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DueFollowUp>>> + Send;
    /// Whether the reminders of `day` were written in full.
    fn reminders_done(&mut self, day: Date) -> impl Future<Output = Result<bool>> + Send;
    /// Clue transfers whose handling deadline is in `from..=to`, paged as
    /// [`MessageRead::tasks_due_between`], each with how many of its clues wait.
    fn transfers_due_between(
        &mut self,
        from: Date,
        to: Date,
        after: Option<(Date, Id)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DueTransfer>>> + Send;
}

pub trait MessageWrite: Send {
    /// Writes the message unless one of the same event already reached the recipient; true
    /// when it was written. With `email`, the message is put in the outbox as well.
    fn insert_message(
        &mut self,
        m: &Message,
        email: Option<&str>,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Marks one of the recipient's messages read; false when the recipient has no such
    /// unread message.
    fn mark_message_read(
        &mut self,
        user_id: Id,
        id: Id,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Marks every message of the recipient read; returns how many were unread.
    fn mark_all_messages_read(
        &mut self,
        user_id: Id,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Notes that the reminders of `day` were written in full (again: no change).
    fn reminders_written(
        &mut self,
        day: Date,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
    fn set_user_email(
        &mut self,
        user_id: Id,
        email: Option<&str>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Takes up to `limit` mails due at `now` for sending, and moves their next attempt to
    /// `lease_until`, so that another instance does not take them while they are being sent
    /// (the claim is one conditional update, see the store).
    fn claim_mails(
        &mut self,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Mail>>> + Send;
    fn mail_sent(
        &mut self,
        message_id: Id,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Records a failed attempt: tried again at `retry_at`, or given up when `None`.
    fn mail_failed(
        &mut self,
        message_id: Id,
        error: &str,
        retry_at: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
}
