-- In-app messages (站内消息): one row per recipient. A hand-over writes its messages in the
-- transaction of the change, so none is lost and none is sent for a change rolled back.
-- `event_key` names what the message is about (a plan submitted at a version, a task's deadline
-- on a day, …): the unique key per recipient makes a second writer of the same event — another
-- server instance running the reminder job at the same time — insert nothing.
CREATE TABLE messages (
    id          TEXT COLLATE "C" PRIMARY KEY,
    user_id     TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    event_key   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- What it is about, for the link to the page where it is handled: the kind of to-do item
    -- (`TodoKind`, snake_case), its object and its inspection.
    about         TEXT,
    object_id     TEXT COLLATE "C",
    inspection_id TEXT COLLATE "C",
    created_at  TEXT COLLATE "C" NOT NULL,
    read_at     TEXT COLLATE "C"
);
CREATE UNIQUE INDEX messages_event ON messages (event_key, user_id);
-- The inbox, newest first, paged by id (UUIDv7 ids sort by creation).
CREATE INDEX messages_inbox ON messages (user_id, id);
-- The unread count of every page's navigation.
CREATE INDEX messages_unread ON messages (user_id, id) WHERE read_at IS NULL;

-- An address for the messages by e-mail; NULL: none.
ALTER TABLE users ADD COLUMN email TEXT;

-- The e-mails still to send: one row per message whose recipient had an address when it was
-- written. The background job sends the due ones, records each failed attempt and tries again
-- later; a failed send never touches the message itself.
CREATE TABLE mail_outbox (
    message_id     TEXT COLLATE "C" PRIMARY KEY REFERENCES messages (id),
    address        TEXT NOT NULL,
    attempts       BIGINT NOT NULL DEFAULT 0,
    last_error     TEXT,
    next_attempt_at TEXT COLLATE "C" NOT NULL,
    sent_at        TEXT COLLATE "C",
    -- Set once attempts are exhausted; the message stays in the inbox.
    given_up_at    TEXT COLLATE "C"
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at, message_id)
    WHERE sent_at IS NULL AND given_up_at IS NULL;

-- The reminders of follow-up notices page through the unanswered ones by the day their answer
-- is due.
CREATE INDEX followups_open_due ON followups (answer_due, id)
    WHERE answered_on IS NULL AND answer_due IS NOT NULL;

-- The reminders of clue handling periods page through the transfers by their deadline.
CREATE INDEX clue_transfers_due ON clue_transfers (due_on, id);

-- The days whose reminders were written in full: the upkeep of every minute writes them once a
-- day, not every minute (a run cut short leaves no row, so the next one writes the rest).
CREATE TABLE reminder_days (
    day      TEXT PRIMARY KEY,
    done_at  TEXT NOT NULL
);
