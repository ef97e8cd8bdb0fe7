//! The full-text index of Xunshi: tantivy, with jieba in search mode cutting Chinese text into
//! words at index and query time, behind the core's [`SearchIndex`] port. Each instance keeps
//! its own index in its data folder and follows the audit trail into it ([`follow`]); the
//! watermark (the last audit record applied) is the payload of the index's own commit, so the
//! documents and the watermark never disagree after a crash.

mod follow;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::indexer::LogMergePolicy;
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, TextAnalyzer, TokenStream};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use xunshi_core::search::{
    DocKind, IndexHit, IndexQuery, Marked, Reach, SearchDoc, SearchFilter, SearchIndex, Watermark,
};
use xunshi_core::{CoreError, Id, Result};

pub use follow::{catch_up, follow, reindex};

/// The tokenizer's name in the schema.
const JIEBA: &str = "jieba";
/// The indexing memory of the one writer thread (tantivy's least is 15 MB): the server's
/// resident memory stays small, at the cost of more segments to merge on a full reindex.
const WRITER_MEMORY: usize = 20_000_000;
/// Segments below this many documents are merged as one level. tantivy's default (10,000)
/// puts the segment of each follow step (a few hundred documents, one every half second under
/// steady writing) in the level of segments of thousands, which each merge of that level then
/// writes again; a lower floor merges the small ones among themselves first.
const MERGE_FLOOR: u32 = 1_000;
/// The longest title shown whole, in characters.
const TITLE_CHARS: usize = 400;
/// How long a snippet of the body is, in characters.
const SNIPPET_CHARS: usize = 120;

struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    parent: Field,
    title: Field,
    body: Field,
    /// The title twice and the body, the one field a query ranks by: a word is one term, so a
    /// word found in most records is ranked by block-max WAND over its postings (tantivy
    /// prunes a single term, a union of terms or an intersection of terms, not a term nested
    /// in a union of fields) instead of scoring every record that holds it.
    text: Field,
    inspection: Field,
    unit: Field,
    round: Field,
    year: Field,
    status: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(JIEBA)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_text_field("id", STORED),
        parent: b.add_text_field("parent", STORED),
        title: b.add_text_field("title", words.clone()),
        body: b.add_text_field("body", words),
        text: b.add_text_field(
            "text",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(JIEBA)
                    .set_index_option(IndexRecordOption::WithFreqs),
            ),
        ),
        inspection: b.add_text_field("inspection", STRING),
        unit: b.add_text_field("unit", STRING),
        round: b.add_text_field("round", STRING),
        year: b.add_text_field("year", STRING),
        status: b.add_text_field("status", STRING),
    };
    (b.build(), fields)
}

fn fault(e: impl std::fmt::Display) -> CoreError {
    CoreError::internal(format!("search index: {e}"))
}

fn key(kind: DocKind, id: Id) -> String {
    format!("{}:{id}", kind.code())
}

/// A tantivy index in a folder (or in memory, for tests).
pub struct TantivyIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
}

impl TantivyIndex {
    /// Opens the index in `dir`, creating it if there is none. An index of another schema
    /// (an older version of Xunshi) is emptied and made anew: it is rebuilt from the database.
    /// A second process on the same folder is refused (tantivy's writer lock).
    pub fn open(dir: &Path) -> Result<TantivyIndex> {
        std::fs::create_dir_all(dir)
            .map_err(|e| fault(format!("cannot create {}: {e}", dir.display())))?;
        let (schema, f) = schema();
        let open = |schema: Schema| -> tantivy::Result<Index> {
            Index::open_or_create(MmapDirectory::open(dir)?, schema)
        };
        let index = match open(schema.clone()) {
            Ok(i) => i,
            Err(tantivy::TantivyError::SchemaError(e)) => {
                tracing::warn!(error = %e, dir = %dir.display(), "the search index is of another schema; building it anew");
                std::fs::remove_dir_all(dir).map_err(fault)?;
                std::fs::create_dir_all(dir).map_err(fault)?;
                open(schema).map_err(fault)?
            }
            Err(e) => return Err(fault(e)),
        };
        TantivyIndex::over(index, f)
    }

    /// An index held in memory only.
    pub fn in_memory() -> Result<TantivyIndex> {
        let (schema, f) = schema();
        TantivyIndex::over(Index::create_in_ram(schema), f)
    }

    fn over(index: Index, f: Fields) -> Result<TantivyIndex> {
        index.tokenizers().register(
            JIEBA,
            TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
                .filter(LowerCaser)
                .build(),
        );
        let writer: IndexWriter = index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => {
                    CoreError::Conflict("检索索引正被另一个进程使用（服务是否仍在运行？）".into())
                }
                e => fault(e),
            })?;
        let mut merges = LogMergePolicy::default();
        merges.set_min_layer_size(MERGE_FLOOR);
        writer.set_merge_policy(Box::new(merges));
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(fault)?;
        Ok(TantivyIndex {
            index,
            reader,
            writer: Mutex::new(writer),
            f,
        })
    }

    fn document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.f;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, key(d.kind, d.id));
        doc.add_text(f.kind, d.kind.code());
        doc.add_text(f.id, d.id.to_string());
        if let Some(p) = d.parent_id {
            doc.add_text(f.parent, p.to_string());
        }
        doc.add_text(f.title, &d.title);
        doc.add_text(f.body, &d.body);
        // The title counts twice, as a word of the title says more of the record.
        doc.add_text(f.text, &d.title);
        doc.add_text(f.text, &d.title);
        doc.add_text(f.text, &d.body);
        if let Some(i) = d.inspection_id {
            doc.add_text(f.inspection, i.to_string());
        }
        for u in &d.unit_ids {
            doc.add_text(f.unit, u.to_string());
        }
        if let Some(r) = d.round_id {
            doc.add_text(f.round, r.to_string());
        }
        if let Some(y) = d.year {
            doc.add_text(f.year, y.to_string());
        }
        doc.add_text(f.status, &d.status);
        doc
    }

    fn term(&self, field: Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    /// Any of `values` in `field`.
    fn any_of(&self, field: Field, values: impl Iterator<Item = String>) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            values
                .map(|v| (Occur::Should, self.term(field, &v)))
                .collect(),
        ))
    }

    /// The records of the reach: of its inspections, of its units, or of its open kinds.
    fn within(&self, reach: &Reach) -> Box<dyn Query> {
        let f = &self.f;
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for i in &reach.inspections {
            any.push((Occur::Should, self.term(f.inspection, &i.to_string())));
        }
        for u in &reach.units {
            any.push((Occur::Should, self.term(f.unit, &u.to_string())));
        }
        for k in &reach.open_kinds {
            any.push((Occur::Should, self.term(f.kind, k.code())));
        }
        Box::new(BooleanQuery::new(any))
    }

    fn filters(&self, filter: &SearchFilter, clauses: &mut Vec<(Occur, Box<dyn Query>)>) {
        let f = &self.f;
        if !filter.kinds.is_empty() {
            clauses.push((
                Occur::Must,
                self.any_of(f.kind, filter.kinds.iter().map(|k| k.code().to_owned())),
            ));
        }
        let exact = [
            (f.unit, filter.unit_id.map(|i| i.to_string())),
            (f.inspection, filter.inspection_id.map(|i| i.to_string())),
            (f.round, filter.round_id.map(|i| i.to_string())),
            (f.year, filter.year.map(|y| y.to_string())),
            (f.status, filter.status.clone()),
        ];
        for (field, value) in exact {
            if let Some(v) = value {
                clauses.push((Occur::Must, self.term(field, &v)));
            }
        }
    }

    /// The words of what was typed, cut as the index cut its text. Whatever is typed is words
    /// to find: no field names, ranges or operators. Empty when nothing typed is a word (only
    /// punctuation).
    fn words(&self, text: &str) -> Result<BTreeSet<String>> {
        let mut analyzer = self
            .index
            .tokenizer_for_field(self.f.title)
            .map_err(fault)?;
        let mut stream = analyzer.token_stream(text);
        let mut words = BTreeSet::new();
        while let Some(t) = stream.next() {
            if t.text.chars().any(char::is_alphanumeric) {
                words.insert(t.text.clone());
            }
        }
        Ok(words)
    }

    /// Each word required in the title or the body, as one term of `text` (see [`Fields`]).
    fn word_terms<'a>(
        &'a self,
        words: &'a BTreeSet<String>,
    ) -> impl Iterator<Item = Box<dyn Query>> + 'a {
        words.iter().map(|w| {
            Box::new(TermQuery::new(
                Term::from_field_text(self.f.text, w),
                IndexRecordOption::WithFreqs,
            )) as Box<dyn Query>
        })
    }

    /// The words in the title and the body apart, for marking them in the snippets.
    fn marking(&self, words: &BTreeSet<String>) -> BooleanQuery {
        let f = &self.f;
        BooleanQuery::new(
            words
                .iter()
                .flat_map(|w| {
                    [
                        (Occur::Should, self.term(f.title, w)),
                        (Occur::Should, self.term(f.body, w)),
                    ]
                })
                .collect(),
        )
    }

    fn text(doc: &TantivyDocument, field: Field) -> String {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    }
}

/// Byte ranges sorted, and those that overlap or touch merged: jieba's search mode cuts a long
/// word and its parts (意识形态, 意识, 形态), each of which matches.
fn merged(ranges: impl Iterator<Item = (usize, usize)>) -> Vec<(usize, usize)> {
    let mut rs: Vec<(usize, usize)> = ranges.collect();
    rs.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(rs.len());
    for (a, b) in rs {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn marked(snippet: &tantivy::snippet::Snippet, text: Option<String>) -> Marked {
    // Given the whole text, the ranges are moved from the fragment to it.
    let at = if text.is_some() {
        snippet.fragment_range().start
    } else {
        0
    };
    Marked {
        marks: merged(
            snippet
                .highlighted()
                .iter()
                .map(|r| (r.start + at, r.end + at)),
        ),
        text: text.unwrap_or_else(|| snippet.fragment().to_owned()),
    }
}

/// The first `n` characters of `text`, for a hit whose body holds none of the words.
fn opening(text: &str, n: usize) -> Marked {
    let cut = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    Marked {
        text: text[..cut].to_owned(),
        marks: Vec::new(),
    }
}

impl SearchIndex for TantivyIndex {
    fn watermark(&self) -> Result<Option<Watermark>> {
        let metas = self.index.load_metas().map_err(fault)?;
        Ok(metas.payload.as_deref().and_then(Watermark::decode))
    }

    fn apply(
        &self,
        docs: Vec<SearchDoc>,
        gone: &[(DocKind, Id)],
        watermark: Option<&Watermark>,
    ) -> Result<()> {
        let mut w = self
            .writer
            .lock()
            .map_err(|_| fault("the writer was poisoned"))?;
        for d in &docs {
            w.delete_term(Term::from_field_text(self.f.key, &key(d.kind, d.id)));
            w.add_document(self.document(d)).map_err(fault)?;
        }
        for (kind, id) in gone {
            w.delete_term(Term::from_field_text(self.f.key, &key(*kind, *id)));
        }
        let mut commit = w.prepare_commit().map_err(fault)?;
        commit.set_payload(&watermark.map(Watermark::encode).unwrap_or_default());
        commit.commit().map_err(fault)?;
        drop(w);
        self.reader.reload().map_err(fault)
    }

    fn clear(&self) -> Result<()> {
        let mut w = self
            .writer
            .lock()
            .map_err(|_| fault("the writer was poisoned"))?;
        w.delete_all_documents().map_err(fault)?;
        let mut commit = w.prepare_commit().map_err(fault)?;
        commit.set_payload("");
        commit.commit().map_err(fault)?;
        drop(w);
        self.reader.reload().map_err(fault)
    }

    fn search(&self, q: &IndexQuery) -> Result<Vec<IndexHit>> {
        let f = &self.f;
        let words = self.words(&q.text)?;
        if words.is_empty() {
            return Ok(Vec::new());
        }
        // One flat query of terms, so that tantivy can prune: a single word alone, the words
        // and the filters as one intersection.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            self.word_terms(&words).map(|t| (Occur::Must, t)).collect();
        self.filters(&q.filter, &mut clauses);
        if let Some(reach) = &q.reach {
            clauses.push((Occur::Must, self.within(reach)));
        }
        let query: Box<dyn Query> = match clauses.len() {
            1 => clauses.remove(0).1,
            _ => Box::new(BooleanQuery::new(clauses)),
        };
        let searcher = self.reader.searcher();
        let top = searcher
            .search(
                &*query,
                &TopDocs::with_limit(q.limit.max(1))
                    .and_offset(q.offset)
                    .order_by_score(),
            )
            .map_err(fault)?;
        if top.is_empty() {
            return Ok(Vec::new());
        }
        let marking = self.marking(&words);
        let mut titles = SnippetGenerator::create(&searcher, &marking, f.title).map_err(fault)?;
        titles.set_max_num_chars(TITLE_CHARS);
        let mut bodies = SnippetGenerator::create(&searcher, &marking, f.body).map_err(fault)?;
        bodies.set_max_num_chars(SNIPPET_CHARS);
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(fault)?;
            let kind = DocKind::parse(&TantivyIndex::text(&doc, f.kind))?;
            let id: Id = TantivyIndex::text(&doc, f.id).parse()?;
            let parent = TantivyIndex::text(&doc, f.parent);
            let title = TantivyIndex::text(&doc, f.title);
            let body = TantivyIndex::text(&doc, f.body);
            let t = titles.snippet(&title);
            let title = if t.highlighted().is_empty() {
                opening(&title, TITLE_CHARS)
            } else {
                // The whole title, with its matches: a title is short.
                marked(&t, Some(title))
            };
            let s = bodies.snippet(&body);
            let snippet = if s.highlighted().is_empty() {
                opening(&body, SNIPPET_CHARS)
            } else {
                marked(&s, None)
            };
            hits.push(IndexHit {
                kind,
                id,
                parent_id: if parent.is_empty() {
                    None
                } else {
                    Some(parent.parse()?)
                },
                title,
                snippet,
                score,
            });
        }
        Ok(hits)
    }

    fn similar(
        &self,
        kind: DocKind,
        id: Id,
        reach: Option<&Reach>,
        limit: usize,
    ) -> Result<Vec<(Id, f32)>> {
        let f = &self.f;
        let searcher = self.reader.searcher();
        let own = searcher
            .search(
                &*self.term(f.key, &key(kind, id)),
                &TopDocs::with_limit(1).order_by_score(),
            )
            .map_err(fault)?;
        let Some((_, address)) = own.first() else {
            return Ok(Vec::new());
        };
        // Words of two characters or more (a CJK character is three bytes), found at least
        // once in the record and in one other, and in no more than a tenth of the records: the
        // phrasing every paper shares says nothing of what it found; shared rare words weigh
        // most.
        let common = (searcher.num_docs() / 10).max(20);
        let like = MoreLikeThisQuery::builder()
            .with_min_doc_frequency(2)
            .with_max_doc_frequency(common)
            .with_min_term_frequency(1)
            .with_min_word_length(4)
            .with_max_query_terms(30)
            .with_document(*address);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(like)),
            (Occur::Must, self.term(f.kind, kind.code())),
        ];
        if let Some(reach) = reach {
            // The record itself is always counted in, for the score it is measured against.
            clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, self.within(reach)),
                    (Occur::Should, self.term(f.key, &key(kind, id))),
                ])),
            ));
        }
        let top = searcher
            .search(
                &BooleanQuery::new(clauses),
                &TopDocs::with_limit(limit + 1).order_by_score(),
            )
            .map_err(fault)?;
        let mut own_score = None;
        let mut out = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(fault)?;
            let found: Id = TantivyIndex::text(&doc, f.id).parse()?;
            if found == id {
                own_score = Some(score);
            } else {
                out.push((found, score));
            }
        }
        // A record is most like itself; where it ranked below others, the best stands in.
        let base = own_score
            .or_else(|| out.first().map(|(_, s)| *s))
            .unwrap_or(1.0)
            .max(f32::EPSILON);
        out.truncate(limit);
        Ok(out
            .into_iter()
            .map(|(i, s)| (i, (s / base).clamp(0.0, 1.0)))
            .collect())
    }
}

#[cfg(test)]
mod tests;
