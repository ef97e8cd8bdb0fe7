//! Storage of fieldwork: the entry announcement, the register of letters with their notes,
//! files and handlers, the talk plan and records, document requests, the other methods'
//! records, and the citations of papers and clues.

use std::future::Future;

use crate::error::Result;
use crate::fieldwork::{
    Announcement, Channel, Citation, CitingKind, Discipline, DocRequest, FieldRecord, Letter,
    LetterNote, LetterScope, LetterStatus, SourceKind, Talk, TalkPlanEntry,
};
use crate::id::Id;
use crate::paper::FileKind;

/// The most rows of a list bounded by nature (a letter's notes and files, a team's talk plan),
/// read whole.
pub const FIELDWORK_LIST_MAX: u32 = 500;

#[derive(Debug, Clone, Default)]
pub struct LetterFilter {
    pub channel: Option<Channel>,
    pub status: Option<LetterStatus>,
    pub scope: Option<LetterScope>,
    /// Part of the content or of whom it is about.
    pub q: Option<String>,
}

/// One group of the register's counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterCount {
    pub channel: Channel,
    pub discipline: Option<Discipline>,
    pub scope: LetterScope,
    pub count: i64,
}

/// A file of a fieldwork record (a letter's scan, a forum's minutes, an appraisal's tally); the
/// content is in the blob store under its hash.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FieldworkFile {
    pub id: Id,
    pub owner_kind: SourceKind,
    pub owner_id: Id,
    pub filename: String,
    pub size: i64,
    pub kind: FileKind,
    /// The hash of the content (see `Evidence::sha256`).
    pub sha256: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

pub trait FieldworkRead: Send {
    fn get_announcement(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Option<Announcement>>> + Send;
    /// The announcements of inspections on site whose period includes `day`, by opening day.
    fn open_announcements(
        &mut self,
        day: jiff::civil::Date,
    ) -> impl Future<Output = Result<Vec<Announcement>>> + Send;

    fn get_letter(&mut self, id: Id) -> impl Future<Output = Result<Option<Letter>>> + Send;
    /// A letter by its number in the inspection's register.
    fn letter_by_number(
        &mut self,
        inspection_id: Id,
        number: i64,
    ) -> impl Future<Output = Result<Option<Letter>>> + Send;
    fn letter_by_receipt(
        &mut self,
        receipt_hash: &str,
    ) -> impl Future<Output = Result<Option<Letter>>> + Send;
    /// A page of an inspection's letters, newest number first, after the cursor's letter.
    fn letters_page(
        &mut self,
        inspection_id: Id,
        f: &LetterFilter,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Letter>>> + Send;
    fn count_letters(
        &mut self,
        inspection_id: Id,
        f: &LetterFilter,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// The register counted by channel, discipline and scope, in one grouped statement.
    fn letter_counts(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Vec<LetterCount>>> + Send;
    fn next_letter_number(&mut self, inspection_id: Id)
    -> impl Future<Output = Result<i64>> + Send;
    fn letter_notes(
        &mut self,
        letter_id: Id,
    ) -> impl Future<Output = Result<Vec<LetterNote>>> + Send;
    /// A record's files, oldest first (at most `FIELDWORK_LIST_MAX`).
    fn fieldwork_files(
        &mut self,
        owner_kind: SourceKind,
        owner_id: Id,
    ) -> impl Future<Output = Result<Vec<FieldworkFile>>> + Send;
    fn get_fieldwork_file(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<FieldworkFile>>> + Send;
    /// The inspectors (pool ids) appointed to handle the inspection's letters.
    fn letter_handlers(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Vec<Id>>> + Send;

    fn talk_plan(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Vec<TalkPlanEntry>>> + Send;
    fn get_talk_plan_entry(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<TalkPlanEntry>>> + Send;
    fn get_talk(&mut self, id: Id) -> impl Future<Output = Result<Option<Talk>>> + Send;
    /// A page of an inspection's talks, newest first, after the cursor's talk.
    fn talks_page(
        &mut self,
        inspection_id: Id,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Talk>>> + Send;
    fn count_talks(&mut self, inspection_id: Id) -> impl Future<Output = Result<i64>> + Send;

    fn get_doc_request(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<DocRequest>>> + Send;
    /// A page of an inspection's document requests, newest first; to the given units only when
    /// `units` is given.
    fn doc_requests_page(
        &mut self,
        inspection_id: Id,
        units: Option<&[Id]>,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DocRequest>>> + Send;
    fn count_doc_requests(
        &mut self,
        inspection_id: Id,
        units: Option<&[Id]>,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// The requests still waiting for an answer from any of `units`, oldest first, at most
    /// [`FIELDWORK_LIST_MAX`].
    fn doc_requests_waiting(
        &mut self,
        units: &[Id],
    ) -> impl Future<Output = Result<Vec<DocRequest>>> + Send;
    fn next_doc_request_number(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<i64>> + Send;

    fn get_field_record(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<FieldRecord>>> + Send;
    fn field_records_page(
        &mut self,
        inspection_id: Id,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<FieldRecord>>> + Send;
    fn count_field_records(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<i64>> + Send;

    /// What a paper or clue cites, oldest first (labels empty: the service names them).
    fn citations_of(
        &mut self,
        citing_kind: CitingKind,
        citing_id: Id,
    ) -> impl Future<Output = Result<Vec<Citation>>> + Send;
    /// The papers and clues citing a source, oldest first (labels empty).
    fn cited_by(
        &mut self,
        source_kind: SourceKind,
        source_id: Id,
    ) -> impl Future<Output = Result<Vec<Citation>>> + Send;
}

pub trait FieldworkWrite: Send {
    /// Stores the announcement: a first one when `a.version` is 1, otherwise if the stored
    /// version is still `a.version - 1` (else `StaleVersion`).
    fn put_announcement(&mut self, a: &Announcement) -> impl Future<Output = Result<()>> + Send;
    /// Stores a letter; a public one with the hash of its receipt code.
    fn insert_letter(
        &mut self,
        l: &Letter,
        receipt_hash: Option<&str>,
        recorded_by: Option<Id>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores `l` if the stored version is still `l.version - 1`; otherwise `StaleVersion`.
    fn update_letter(&mut self, l: &Letter) -> impl Future<Output = Result<()>> + Send;
    fn insert_letter_note(
        &mut self,
        n: &LetterNote,
        author_id: Option<Id>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn insert_fieldwork_file(
        &mut self,
        f: &FieldworkFile,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Appoints (or, with `on` false, withdraws) an inspector as a handler of the letters.
    fn set_letter_handler(
        &mut self,
        inspection_id: Id,
        inspector_id: Id,
        on: bool,
        by: Option<Id>,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert_talk_plan_entry(
        &mut self,
        e: &TalkPlanEntry,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores a talk, and marks its plan entry as held by it.
    fn insert_talk(&mut self, t: &Talk) -> impl Future<Output = Result<()>> + Send;

    fn insert_doc_request(&mut self, d: &DocRequest) -> impl Future<Output = Result<()>> + Send;
    /// Stores `d` if the stored version is still `d.version - 1`; otherwise `StaleVersion`.
    fn update_doc_request(&mut self, d: &DocRequest) -> impl Future<Output = Result<()>> + Send;

    fn insert_field_record(&mut self, r: &FieldRecord) -> impl Future<Output = Result<()>> + Send;

    /// Stores a citation; false when it was there already.
    fn insert_citation(
        &mut self,
        c: &Citation,
        by: Option<Id>,
    ) -> impl Future<Output = Result<bool>> + Send;
}
