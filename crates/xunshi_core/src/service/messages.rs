//! In-app messages (站内消息): the inbox of the person asking, and the messages a hand-over
//! writes. A hand-over calls [`notify`] inside its own write transaction, so its messages are
//! committed with the change or not at all. Who hears of it is decided by the rule that puts the
//! matter on their to-do ([`TodoKind::may_act`], [`speaks_for`], [`is_recipient`]), applied to
//! the accounts that could hold such a grant there ([`crate::store::MessageRead::audience`]):
//! the rules are reused, not copied.

use serde_json::json;

use super::auth::with_units_above;
use super::supervision::speaks_for;
use super::{Services, TodoKind, record};
use crate::audit::{Action, AuditEntry};
use crate::clue::{Recipient, is_recipient};
use crate::deadline::Clock;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::message::{Message, MessageKind, parse_email};
use crate::page::{Keyset, PageRequest, SortedPage};
use crate::permission::{Actor, Permission};
use crate::role::Role;
use crate::store::{MessageFilter, MessageRead, MessageSort, MessageWrite, ReadTx, Store, WriteTx};

/// The most accounts one hand-over looks at: the office, the supervisors and a unit's or
/// team's few people, never a table's worth.
const AUDIENCE_MAX: u32 = 500;

/// Who is to hear of something.
pub(crate) enum Audience<'a> {
    /// Whoever may act on a to-do item of this kind, of the inspection and the unit (none for
    /// a report), by the to-do's own rule.
    Acts(TodoKind, &'a Inspection, Option<Id>),
    /// Who speaks for the unit (its principal and liaison), who hear its decisions.
    Unit(Id),
    /// The body clues were transferred to.
    Recipient(&'a Inspection, Recipient),
    /// One account (the issuer of a notice hears its answer), while it is enabled.
    Person(Id),
    /// Whoever submits what stops the unit's clock, by the to-do's rule of submitting it
    /// ([`TodoKind::submits`]).
    Submits(Clock, &'a Inspection, Id),
    /// The inspection office: who decides on what another office user asked for (a disposal).
    Office,
    /// The office of one committee (`true`: the top committee, whose office is the global
    /// one), who hear of the filings (报备) made with it or by it.
    CommitteeOffice(Id, bool),
}

impl Audience<'_> {
    /// The roles a grant must be of to pass the rule somewhere, and the units and inspection
    /// its scope may name: the candidates' filter, never the rule itself.
    fn candidates(&self) -> (&'static [Role], Vec<Id>, Option<Id>) {
        use Role::*;
        const DECIDERS: &[Role] = &[
            Office,
            Leadership,
            Discipline,
            Organization,
            TeamLeader,
            TeamDeputy,
            UnitPrincipal,
            UnitLiaison,
        ];
        match self {
            // The unit's roles, and the own office of the committee that sends the inspection
            // (a grant scoped to that committee).
            Audience::Acts(_, insp, unit) => (
                DECIDERS,
                unit.iter().copied().chain([insp.dispatcher_id]).collect(),
                Some(insp.id),
            ),
            Audience::Unit(unit) | Audience::Submits(_, _, unit) => {
                (&[UnitPrincipal, UnitLiaison], vec![*unit], None)
            }
            Audience::Person(_) => (&[], Vec::new(), None),
            Audience::Office => (&[Office], Vec::new(), None),
            Audience::CommitteeOffice(committee, _) => (&[Office], vec![*committee], None),
            Audience::Recipient(insp, r) => match r {
                Recipient::Discipline => (&[Discipline], Vec::new(), Some(insp.id)),
                Recipient::Organization => (&[Organization], Vec::new(), Some(insp.id)),
                Recipient::Department { unit_id } => (
                    &[UnitPrincipal, UnitLiaison, UnitStaff],
                    vec![*unit_id],
                    Some(insp.id),
                ),
            },
        }
    }

    fn admits(&self, actor: &Actor) -> bool {
        match self {
            Audience::Acts(kind, insp, unit) => kind.may_act(actor, insp, *unit),
            Audience::Unit(unit) => speaks_for(actor, *unit),
            Audience::Recipient(insp, r) => is_recipient(actor, insp, r),
            Audience::Person(id) => actor.user_id() == Some(*id),
            Audience::Submits(clock, insp, unit) => {
                TodoKind::submits(*clock).may_act(actor, insp, Some(*unit))
            }
            // The office of the top committee, which keeps the archives' disposals.
            Audience::Office => {
                actor.has_role(Role::Office) && actor.can(Permission::ManagePlanning)
            }
            Audience::CommitteeOffice(committee, top) => {
                super::filings::answers(actor, *committee, *top)
            }
        }
    }
}

/// What a message says and what it is about. The text never holds more than the recipient's
/// to-do would show (a title, a unit's name, a number, a date; nothing of a clue).
pub(crate) struct Note {
    /// Names the event once per recipient (a second write of it is dropped).
    pub event_key: String,
    pub kind: MessageKind,
    pub title: String,
    pub body: String,
    pub about: Option<TodoKind>,
    pub object_id: Option<Id>,
    pub inspection_id: Option<Id>,
}

impl Note {
    /// A note of the event, about a to-do item of `about`'s kind, object and inspection.
    pub(crate) fn new(
        event_key: String,
        kind: MessageKind,
        title: &str,
        body: String,
        about: (TodoKind, Id, Id),
    ) -> Self {
        Note {
            event_key,
            kind,
            title: title.to_owned(),
            body,
            about: Some(about.0),
            object_id: Some(about.1),
            inspection_id: Some(about.2),
        }
    }
}

/// Writes the note to everyone the audience admits but the actor, in the caller's
/// transaction; with an address, the message goes to the e-mail outbox as well. Returns how
/// many messages were written.
pub(crate) async fn notify<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    audience: Audience<'_>,
    note: &Note,
    at: jiff::Timestamp,
) -> Result<usize> {
    let (roles, units, inspection) = audience.candidates();
    let mut people = tx.audience(roles, &units, inspection, AUDIENCE_MAX).await?;
    if let Audience::Person(id) = audience
        && let Some(user) = tx.get_user(id).await?
        && !user.disabled
    {
        let grants = tx.active_grants(id).await?;
        people.push((user, grants));
    }
    let mut written = 0;
    for (user, grants) in people {
        if Some(user.id) == actor.user_id() {
            continue;
        }
        let uid = user.id;
        let candidate = with_units_above(tx, Actor::user(user, grants, None)).await?;
        if !audience.admits(&candidate) {
            continue;
        }
        let email = tx.user_email(uid).await?;
        let m = Message {
            id: Id::new(),
            user_id: uid,
            event_key: note.event_key.clone(),
            kind: note.kind,
            title: note.title.clone(),
            body: note.body.clone(),
            about: note.about,
            object_id: note.object_id,
            inspection_id: note.inspection_id,
            created_at: at,
            read_at: None,
        };
        if tx.insert_message(&m, email.as_deref()).await? {
            written += 1;
        }
    }
    Ok(written)
}

/// The inbox's page and the number unread.
#[derive(Debug, Clone)]
pub struct Inbox {
    pub messages: SortedPage<Message>,
    pub unread: i64,
}

fn own_id(actor: &Actor) -> Result<Id> {
    actor
        .user_id()
        .ok_or_else(|| CoreError::Unauthenticated("请先登录".into()))
}

impl<S: Store> Services<S> {
    /// The actor's own messages, newest first (only unread ones if asked). Nobody reads
    /// another's: the inbox is always the asker's.
    pub async fn inbox(
        &self,
        actor: &Actor,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Inbox> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let f = MessageFilter {
            unread_only,
            q: None,
        };
        self.inbox_page(actor, &f, MessageSort::default(), at.as_ref(), page.limit)
            .await
    }

    /// A page of the actor's own messages under `f`, sorted by `sort` (newest first unless
    /// told), from the cursor `at`, `limit` of them, with the cursors of the pages next to it,
    /// the total the filter matches and the number unread, all counted by the database.
    pub async fn inbox_page(
        &self,
        actor: &Actor,
        f: &MessageFilter,
        sort: MessageSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Inbox> {
        let uid = own_id(actor)?;
        let mut tx = self.store.read().await?;
        let total = tx.count_messages(uid, f).await?;
        let want = SortedPage::<Message>::want(at, total, limit)?;
        let rows = tx.messages_sorted(uid, f, sort, at, want).await?;
        let messages =
            SortedPage::from_walk(rows, sort, at, want, total, |m| (sort.key_of(m), m.id));
        let unread = tx.unread_messages(uid).await?;
        Ok(Inbox { messages, unread })
    }

    /// Marks one of the actor's messages read. Another's message, or none, is not found;
    /// one read already stays as it was. Reading one's own mail is not a record of the
    /// work, so it is not audited (as log-in counters are not).
    pub async fn mark_message_read(&self, actor: &Actor, id: Id) -> Result<()> {
        let uid = own_id(actor)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        if !tx.mark_message_read(uid, id, now).await? && tx.message_of(uid, id).await?.is_none() {
            return Err(CoreError::NotFound("消息".into()));
        }
        tx.commit().await
    }

    /// Marks every message of the actor read; returns how many were unread.
    pub async fn mark_all_messages_read(&self, actor: &Actor) -> Result<u64> {
        let uid = own_id(actor)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let n = tx.mark_all_messages_read(uid, now).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The account's e-mail address: the person's own, or anyone's for the administrator.
    pub async fn user_email(&self, actor: &Actor, user_id: Id) -> Result<Option<String>> {
        may_edit_email(actor, user_id)?;
        let mut tx = self.store.read().await?;
        if tx.get_user(user_id).await?.is_none() {
            return Err(CoreError::NotFound("用户".into()));
        }
        tx.user_email(user_id).await
    }

    /// Sets (or clears, when empty) the account's e-mail address: the person for themself
    /// under 我的账号, the administrator for anyone on the user form. Audited with the before
    /// and after.
    pub async fn set_user_email(
        &self,
        actor: &Actor,
        user_id: Id,
        email: &str,
    ) -> Result<Option<String>> {
        may_edit_email(actor, user_id)?;
        let email = parse_email(email)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        if tx.get_user(user_id).await?.is_none() {
            return Err(CoreError::NotFound("用户".into()));
        }
        let before = tx.user_email(user_id).await?;
        if before == email {
            return Ok(email);
        }
        tx.set_user_email(user_id, email.as_deref()).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::EmailChanged,
                "user",
                Some(user_id),
                json!({ "before": before, "after": email }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(email)
    }
}

fn may_edit_email(actor: &Actor, user_id: Id) -> Result<()> {
    if actor.user_id() == Some(user_id) || actor.can(Permission::ManageUsers) {
        Ok(())
    } else {
        Err(CoreError::Forbidden("只能修改本人的电子邮箱".into()))
    }
}
