//! Official documents (公文) as `.docx`, in the essentials of GB/T 9704-2012: A4, top margin
//! 37 mm and binding margin 28 mm (a text block of 156 × 225 mm, 22 lines), the title in 2号
//! 小标宋 centred, the body in 3号 仿宋 with a two-character indent, headings 一、 in 黑体 and
//! （一） in 楷体, the date written 2020年3月25日, page numbers “— 1 —” in 4号 宋体, outside on
//! odd and even pages.
//!
//! Tables (the three lists of a rectification plan, the list annexed to a transfer letter) are
//! set in 4号 仿宋 with the headings in 黑体, across the width of the text block; an annex
//! (附件) starts on a page of its own after the signature.
//!
//! Every run names its East-Asian font itself: a document opened where the default font is a
//! Latin one would otherwise show the Chinese text in whatever the word processor substitutes.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, FieldCharType, Footer, InstrPAGE, InstrText, LineSpacing, LineSpacingType,
    PageMargin, Paragraph, Run, RunFonts, SpecialIndentType, Table, TableCell, TableLayoutType,
    TableRow, VAlignType, WidthType,
};
use jiff::civil::Date;

use crate::OfficeError;

/// One paragraph of a document's body, by the level its first characters give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// 一、…
    Heading1(String),
    /// （一）…
    Heading2(String),
    /// Everything else, 1. and （1） items included: GB/T 9704 sets them in the body font.
    Para(String),
    /// A table across the text block.
    Table(DocTable),
}

impl Block {
    /// The text of a paragraph; a table has no single text and gives "".
    pub fn text(&self) -> &str {
        match self {
            Block::Heading1(t) | Block::Heading2(t) | Block::Para(t) => t,
            Block::Table(_) => "",
        }
    }
}

/// A table of a document: its headings, the relative width of each column, and the rows. A
/// cell's lines (split at `\n`) become paragraphs of the cell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocTable {
    pub headers: Vec<String>,
    /// One weight per column; the text block's width is shared out in these proportions.
    pub widths: Vec<u32>,
    pub rows: Vec<Vec<String>>,
}

/// A document annexed after the signature (附件), on a page of its own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Annex {
    /// 附件 or 附件1, written top left in 黑体.
    pub label: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

const NUMERALS: &str = "一二三四五六七八九十";

/// Whether `s` starts with a Chinese numeral (一 … 九十九) followed by `end`.
fn numbered(s: &str, end: char) -> bool {
    let n = s.chars().take_while(|c| NUMERALS.contains(*c)).count();
    n > 0 && n <= 3 && s.chars().nth(n) == Some(end)
}

/// Reads a text as people type an official document: one paragraph a line, the level of
/// each heading given by its numbering. Blank lines are dropped.
pub fn parse_blocks(text: &str) -> Vec<Block> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            if numbered(l, '、') {
                Block::Heading1(l.to_owned())
            } else if let Some(rest) = l.strip_prefix('（')
                && numbered(rest, '）')
            {
                Block::Heading2(l.to_owned())
            } else {
                Block::Para(l.to_owned())
            }
        })
        .collect()
}

/// A date as official documents write it: 2020年3月25日.
pub fn chinese_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A document to write: its title, to whom it goes, its body, who issues it and when.
#[derive(Debug, Clone, Default)]
pub struct OfficialDoc {
    pub title: String,
    /// 密级 (or 内部), written top left above everything else.
    pub secrecy: Option<String>,
    /// 发文字号 such as 桂巡办函〔2020〕3号, centred above the title.
    pub doc_no: Option<String>,
    /// 主送机关, written above the body followed by a full-width colon.
    pub addressee: Option<String>,
    pub blocks: Vec<Block>,
    /// 发文机关署名.
    pub issuer: Option<String>,
    /// 成文日期.
    pub date: Option<Date>,
    /// 附件, each after the signature on a new page.
    pub annexes: Vec<Annex>,
}

// Sizes in half-points: 2号 is 22 pt, 3号 16 pt, 4号 14 pt.
const TITLE_SIZE: usize = 44;
const BODY_SIZE: usize = 32;
const PAGE_NUMBER_SIZE: usize = 28;
const TABLE_SIZE: usize = 28;

// Lengths in twentieths of a point; 1 mm is 56.7 of them.
const A4_WIDTH: u32 = 11906;
const A4_HEIGHT: u32 = 16838;
const MARGIN_TOP: i32 = 2098; // 37 mm
const MARGIN_LEFT: i32 = 1588; // 28 mm, the binding side
const MARGIN_RIGHT: i32 = 1474; // 26 mm: 210 − 28 − 156
const MARGIN_BOTTOM: i32 = 1984; // 35 mm: 297 − 37 − 225
const FOOTER_DISTANCE: i32 = 1588; // the page number 7 mm below the text block
/// The text block's width, 156 mm: what a table spans.
const TEXT_WIDTH: u32 = 8845;
/// 22 lines in 225 mm.
const LINE_PITCH: i32 = 579;
/// Two characters of 3号.
const TWO_CHARS: i32 = 640;
/// Four characters of 3号: the date stands that far from the right edge.
const FOUR_CHARS: i32 = 1280;
/// One character of 4号: the page number's distance from the edge.
const ONE_CHAR_4: i32 = 280;

const TITLE_FONT: &str = "方正小标宋简体";
const BODY_FONT: &str = "仿宋_GB2312";
const H1_FONT: &str = "黑体";
const H2_FONT: &str = "楷体_GB2312";
const PAGE_NUMBER_FONT: &str = "宋体";
const LATIN_FONT: &str = "Times New Roman";

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN_FONT)
        .hi_ansi(LATIN_FONT)
        .cs(LATIN_FONT)
}

fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(text).fonts(fonts(font)).size(size)
}

fn exact_lines() -> LineSpacing {
    LineSpacing::new()
        .line(LINE_PITCH)
        .line_rule(LineSpacingType::Exact)
}

fn body_paragraph(text: &str, font: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, font, BODY_SIZE))
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(TWO_CHARS)),
            None,
            None,
        )
        .line_spacing(exact_lines())
}

fn blank_line() -> Paragraph {
    Paragraph::new()
        .add_run(run("", BODY_FONT, BODY_SIZE))
        .line_spacing(exact_lines())
}

/// “— N —”, with the number as a PAGE field in the same font as the dashes.
fn page_number(align: AlignmentType, left: Option<i32>, right: Option<i32>) -> Footer {
    let field = Run::new()
        .fonts(fonts(PAGE_NUMBER_FONT))
        .size(PAGE_NUMBER_SIZE)
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(InstrPAGE::new()))
        .add_field_char(FieldCharType::Separate, false)
        .add_text("1")
        .add_field_char(FieldCharType::End, false);
    Footer::new().add_paragraph(
        Paragraph::new()
            .add_run(run("— ", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE))
            .add_run(field)
            .add_run(run(" —", PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE))
            .align(align)
            .indent(left, None, right, None),
    )
}

/// One cell: its lines as paragraphs, single-spaced so a long cell stays compact.
fn table_cell(text: &str, font: &str, align: AlignmentType, width: usize) -> TableCell {
    let mut cell = TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center);
    let mut lines = text.lines().peekable();
    if lines.peek().is_none() {
        return cell.add_paragraph(Paragraph::new().add_run(run("", font, TABLE_SIZE)));
    }
    for line in lines {
        cell = cell.add_paragraph(
            Paragraph::new()
                .add_run(run(line, font, TABLE_SIZE))
                .align(align),
        );
    }
    cell
}

fn table(t: &DocTable) -> Table {
    let total: u32 = t.widths.iter().sum::<u32>().max(1);
    let widths: Vec<usize> = (0..t.headers.len())
        .map(|i| (TEXT_WIDTH * t.widths.get(i).copied().unwrap_or(1) / total) as usize)
        .collect();
    let header = TableRow::new(
        t.headers
            .iter()
            .zip(&widths)
            .map(|(h, w)| table_cell(h, H1_FONT, AlignmentType::Center, *w))
            .collect(),
    )
    .cant_split();
    let mut rows = vec![header];
    for r in &t.rows {
        rows.push(TableRow::new(
            widths
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let text = r.get(i).map(String::as_str).unwrap_or_default();
                    table_cell(text, BODY_FONT, AlignmentType::Left, *w)
                })
                .collect(),
        ));
    }
    Table::new(rows)
        .set_grid(widths)
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH as usize, WidthType::Dxa)
}

fn add_blocks(mut d: Docx, blocks: &[Block]) -> Docx {
    for b in blocks {
        d = match b {
            Block::Heading1(t) => d.add_paragraph(body_paragraph(t, H1_FONT)),
            Block::Heading2(t) => d.add_paragraph(body_paragraph(t, H2_FONT)),
            Block::Para(t) => d.add_paragraph(body_paragraph(t, BODY_FONT)),
            Block::Table(t) => d.add_table(table(t)),
        };
    }
    d
}

fn title_paragraph(line: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(line, TITLE_FONT, TITLE_SIZE))
        .align(AlignmentType::Center)
        .line_spacing(
            LineSpacing::new()
                .line(700)
                .line_rule(LineSpacingType::Exact),
        )
}

fn build(doc: &OfficialDoc) -> Docx {
    let mut d = Docx::new()
        .page_size(A4_WIDTH, A4_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .bottom(MARGIN_BOTTOM)
                .header(851)
                .footer(FOOTER_DISTANCE)
                .gutter(0),
        )
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE)
        // Odd pages carry the number on the right, even pages on the left, one character in.
        .footer(page_number(AlignmentType::Right, None, Some(ONE_CHAR_4)))
        .even_footer(page_number(AlignmentType::Left, Some(ONE_CHAR_4), None));

    if let Some(s) = doc.secrecy.as_deref().filter(|s| !s.trim().is_empty()) {
        d = d.add_paragraph(
            Paragraph::new()
                .add_run(run(s.trim(), H1_FONT, BODY_SIZE))
                .line_spacing(exact_lines()),
        );
    }
    d = d.add_paragraph(blank_line());
    if let Some(n) = doc.doc_no.as_deref().filter(|n| !n.trim().is_empty()) {
        d = d
            .add_paragraph(
                Paragraph::new()
                    .add_run(run(n.trim(), BODY_FONT, BODY_SIZE))
                    .align(AlignmentType::Center)
                    .line_spacing(exact_lines()),
            )
            .add_paragraph(blank_line());
    }
    for line in doc.title.lines().map(str::trim).filter(|l| !l.is_empty()) {
        d = d.add_paragraph(title_paragraph(line));
    }
    d = d.add_paragraph(blank_line());
    if let Some(a) = doc.addressee.as_deref().filter(|a| !a.trim().is_empty()) {
        d = d.add_paragraph(
            Paragraph::new()
                .add_run(run(&format!("{}：", a.trim()), BODY_FONT, BODY_SIZE))
                .line_spacing(exact_lines()),
        );
    }
    d = add_blocks(d, &doc.blocks);
    if doc.issuer.is_some() || doc.date.is_some() {
        d = d.add_paragraph(blank_line()).add_paragraph(blank_line());
    }
    let signature = |text: &str| {
        Paragraph::new()
            .add_run(run(text, BODY_FONT, BODY_SIZE))
            .align(AlignmentType::Right)
            .indent(None, None, Some(FOUR_CHARS), None)
            .line_spacing(exact_lines())
    };
    if let Some(i) = doc.issuer.as_deref().filter(|i| !i.trim().is_empty()) {
        d = d.add_paragraph(signature(i.trim()));
    }
    if let Some(date) = doc.date {
        d = d.add_paragraph(signature(&chinese_date(date)));
    }
    for a in &doc.annexes {
        d = d.add_paragraph(
            Paragraph::new()
                .add_run(run(&a.label, H1_FONT, BODY_SIZE))
                .line_spacing(exact_lines())
                .page_break_before(true),
        );
        for line in a.title.lines().map(str::trim).filter(|l| !l.is_empty()) {
            d = d.add_paragraph(title_paragraph(line));
        }
        d = d.add_paragraph(blank_line());
        d = add_blocks(d, &a.blocks);
    }
    d
}

/// The document as a `.docx` file.
pub fn official_docx(doc: &OfficialDoc) -> Result<Vec<u8>, OfficeError> {
    let mut out = Cursor::new(Vec::new());
    build(doc)
        .build()
        .pack(&mut out)
        .map_err(|e| OfficeError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use jiff::civil::date;

    use super::*;

    fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a docx is a zip archive");
        let mut f = zip.by_name(name).unwrap_or_else(|_| panic!("no {name}"));
        let mut s = String::new();
        f.read_to_string(&mut s).expect("UTF-8 XML");
        s
    }

    #[test]
    fn lines_become_headings_by_their_numbering() {
        let blocks = parse_blocks(
            "一、加强组织领导\n\n（一）关于落实党管宣传思想文化职责存在薄弱点的问题\n\
             1.修订议事规则。\n十一、其他\n（十二）又一项\n一二三四、不是标题\n（一）\n一句话。",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Heading1("一、加强组织领导".into()),
                Block::Heading2("（一）关于落实党管宣传思想文化职责存在薄弱点的问题".into()),
                Block::Para("1.修订议事规则。".into()),
                Block::Heading1("十一、其他".into()),
                Block::Heading2("（十二）又一项".into()),
                Block::Para("一二三四、不是标题".into()),
                Block::Heading2("（一）".into()),
                Block::Para("一句话。".into()),
            ]
        );
    }

    #[test]
    fn the_document_holds_its_text_in_the_official_layout() {
        let doc = OfficialDoc {
            title: "中共自治区党委宣传部关于巡视整改进展情况的通报".into(),
            addressee: None,
            secrecy: None,
            doc_no: None,
            annexes: Vec::new(),
            blocks: parse_blocks(
                "根据自治区党委统一部署，现将巡视整改进展情况予以公布。\n一、整改工作组织情况\n（一）关于“两个责任”的问题",
            ),
            issuer: Some("中共自治区党委宣传部".into()),
            date: Some(date(2020, 6, 30)),
        };
        let bytes = official_docx(&doc).expect("written");
        let xml = part(&bytes, "word/document.xml");
        assert!(xml.contains("中共自治区党委宣传部关于巡视整改进展情况的通报"));
        assert!(xml.contains("现将巡视整改进展情况予以公布。"));
        assert!(xml.contains("2020年6月30日"));
        // The fonts of each level, named per run for East-Asian text.
        for font in [TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT] {
            assert!(
                xml.contains(&format!("w:eastAsia=\"{font}\"")),
                "no run in {font}"
            );
        }
        // A4 with the GB/T 9704 margins, 3号 body and 2号 title.
        assert!(xml.contains("w:w=\"11906\"") && xml.contains("w:h=\"16838\""));
        assert!(xml.contains("w:top=\"2098\"") && xml.contains("w:left=\"1588\""));
        assert!(xml.contains("<w:sz w:val=\"44\""));
        assert!(xml.contains("<w:sz w:val=\"32\""));
        let footers: String = (1..=2)
            .map(|n| part(&bytes, &format!("word/footer{n}.xml")))
            .collect();
        assert!(footers.contains("— ") && footers.contains("PAGE"));
        assert!(part(&bytes, "word/settings.xml").contains("evenAndOddHeaders"));
    }

    #[test]
    fn tables_and_annexes_are_written_with_their_cells() {
        let doc = OfficialDoc {
            title: "关于移交问题线索的函".into(),
            secrecy: Some("机密".into()),
            doc_no: Some("桂巡办函〔2020〕3号".into()),
            addressee: Some("自治区纪委监委".into()),
            blocks: vec![
                Block::Para("现将有关问题线索移交你委。".into()),
                Block::Table(DocTable {
                    headers: vec!["序号".into(), "反馈问题".into()],
                    widths: vec![1, 5],
                    rows: vec![vec!["1".into(), "第一行\n第二行".into()]],
                }),
            ],
            issuer: Some("自治区党委巡视工作领导小组办公室".into()),
            date: Some(date(2020, 4, 1)),
            annexes: vec![Annex {
                label: "附件".into(),
                title: "问题线索清单".into(),
                blocks: vec![Block::Table(DocTable {
                    headers: vec!["被反映人".into()],
                    widths: vec![1],
                    rows: vec![vec!["张某".into()]],
                })],
            }],
        };
        let xml = part(&official_docx(&doc).expect("written"), "word/document.xml");
        for text in [
            "机密",
            "桂巡办函〔2020〕3号",
            "自治区纪委监委：",
            "反馈问题",
            "第一行",
            "第二行",
            "附件",
            "问题线索清单",
            "张某",
        ] {
            assert!(xml.contains(text), "no {text}");
        }
        assert_eq!(xml.matches("<w:tbl>").count(), 2);
        // The two lines of a cell are two paragraphs, and the annex starts a page.
        assert!(xml.contains("<w:pageBreakBefore"));
        // The columns share the text block 1 : 5.
        assert!(xml.contains("w:w=\"1474\""), "{xml}");
    }

    #[test]
    fn the_date_is_written_in_chinese() {
        assert_eq!(chinese_date(date(2020, 3, 25)), "2020年3月25日");
    }
}
