//! Reading a unit's existing rectification ledger (整改台账) from `.xlsx`, `.xls` or `.csv` into
//! rows of text cells, each named by its field and its cell (`D7`), as real ledgers come: title
//! rows above the heading, a heading over two rows, heading synonyms, a problem merged down over
//! its measures, blank spacer rows, section rows (`一、政治建设方面`) and a totals row.
//!
//! Only the layout is decided here; what a cell means (a deadline, which problem a row answers)
//! is the core's to decide, so the preview and the confirmed import read the same rows.

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use jiff::civil::Date;

/// The most data rows one import reads: a ledger has a few hundred measures at most, and the
/// preview lists every row.
pub const MAX_ROWS: usize = 2000;
/// How far down the sheet the heading is looked for (title rows, dates, units above it).
const HEADING_SEARCH: usize = 15;
/// Columns beyond this are not read: ledgers have about twenty.
const MAX_COLUMNS: usize = 60;

/// A column of the ledger the import understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ImportField {
    Seq,
    Problem,
    Measure,
    Target,
    Standard,
    Leader,
    LeadDepartment,
    CoDepartments,
    Person,
    Deadline,
    Progress,
    Status,
    /// The heading of the taxonomy a problem falls under (政治建设), where a ledger has a
    /// column for it rather than section rows.
    Category,
}

/// Each field with the headings real ledgers give it; the first is the name the report uses.
const SYNONYMS: &[(ImportField, &[&str])] = &[
    (ImportField::Seq, &["序号", "编号"]),
    (
        ImportField::Problem,
        &[
            "反馈问题",
            "问题",
            "问题表现",
            "存在问题",
            "问题内容",
            "巡视反馈问题",
            "问题清单",
        ],
    ),
    (ImportField::Measure, &["整改措施", "具体措施", "措施"]),
    (ImportField::Target, &["整改目标", "目标"]),
    (
        ImportField::Standard,
        &["整改标准", "销号标准", "验收标准", "完成标准"],
    ),
    (
        ImportField::Leader,
        &["责任领导", "牵头领导", "分管领导", "责任领导（牵头领导）"],
    ),
    (
        ImportField::LeadDepartment,
        &[
            "牵头部门",
            "责任单位",
            "责任部门",
            "责任处室",
            "责任科室",
            "牵头单位",
        ],
    ),
    (
        ImportField::CoDepartments,
        &["配合部门", "协同单位", "配合单位", "协同部门"],
    ),
    (ImportField::Person, &["责任人", "具体责任人"]),
    (
        ImportField::Deadline,
        &["完成时限", "整改时限", "时限", "完成时间", "整改期限"],
    ),
    (
        ImportField::Progress,
        &[
            "完成情况",
            "进展情况",
            "整改情况",
            "整改进展",
            "整改进展情况",
        ],
    ),
    (
        ImportField::Status,
        &["状态", "是否完成", "销号情况", "整改状态", "完成状态"],
    ),
    (
        ImportField::Category,
        &[
            "问题类别",
            "类别",
            "问题类型",
            "问题分类",
            "方面",
            "所属方面",
        ],
    ),
];

impl ImportField {
    /// The heading the report names the field by.
    pub fn label(self) -> &'static str {
        SYNONYMS
            .iter()
            .find(|(f, _)| *f == self)
            .map_or("", |(_, names)| names[0])
    }

    /// The field a heading names, if any. Spaces, line breaks and a bracketed remark
    /// (`完成时限（年月日）`) do not count.
    pub fn from_heading(heading: &str) -> Option<ImportField> {
        let h = normalise_heading(heading);
        if h.is_empty() {
            return None;
        }
        SYNONYMS
            .iter()
            .find(|(_, names)| names.contains(&h.as_str()))
            .map(|(f, _)| *f)
    }
}

fn normalise_heading(heading: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in heading.chars() {
        match c {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' => depth = depth.saturating_sub(1),
            c if c.is_whitespace() => {}
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// One cell of a data row: where it is and what it says (trimmed; a date cell as `2020-06-30`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportCell {
    /// The cell's reference as Excel shows it, such as `D7`.
    pub cell: String,
    pub text: String,
}

/// One data row of the ledger: its line on the sheet (1-based, as Excel numbers rows) and its
/// cells by field. A problem merged down over several rows is repeated in each of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u32,
    pub cells: Vec<(ImportField, ImportCell)>,
    /// The section row above it (`一、政治建设方面`), if the ledger is divided into sections.
    pub section: Option<ImportCell>,
}

impl ImportRow {
    pub fn get(&self, field: ImportField) -> Option<&ImportCell> {
        self.cells.iter().find(|(f, _)| *f == field).map(|(_, c)| c)
    }
}

/// A row left out, and why (blank rows are left out without a word).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedRow {
    pub line: u32,
    pub reason: String,
}

/// The ledger as read: its columns, its data rows and the rows left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSheet {
    /// The sheet read (the first with a heading); `CSV` for a CSV file.
    pub sheet: String,
    /// The heading's rows on the sheet (1-based): one, or two for a two-row heading.
    pub heading_lines: (u32, u32),
    /// The understood columns: field, column letter, the heading as written.
    pub columns: Vec<(ImportField, String, String)>,
    pub rows: Vec<ImportRow>,
    pub skipped: Vec<SkippedRow>,
}

/// Why a file could not be read as a ledger; the messages are the users'.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("无法读取文件：{0}")]
    Unreadable(String),
    #[error("CSV 文件的编码无法识别，请以 UTF-8 或 GB18030（GBK）编码保存")]
    Encoding,
    #[error("未找到台账表头：前 15 行中没有同时含“问题”和“整改措施”（或其同义词）的表头行")]
    NoHeading,
    #[error("台账超过 {MAX_ROWS} 行，请分批导入")]
    TooManyRows,
}

/// The kind of file, by its name and then by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Workbook,
    Csv,
}

fn format_of(name: &str, bytes: &[u8]) -> Format {
    let lower = name.to_lowercase();
    if lower.ends_with(".csv") {
        Format::Csv
    } else if lower.ends_with(".xlsx")
        || lower.ends_with(".xls")
        || bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
    {
        Format::Workbook
    } else {
        Format::Csv
    }
}

/// Reads a ledger file. `name` is the file's name (its extension decides the format; without
/// one the first bytes do).
pub fn read_ledger(name: &str, bytes: &[u8]) -> Result<ImportSheet, ImportError> {
    match format_of(name, bytes) {
        Format::Csv => {
            let text = decode_csv(bytes)?;
            let grid = parse_csv(&text);
            find_ledger("CSV", &grid).ok_or(ImportError::NoHeading)?
        }
        Format::Workbook => {
            for (sheet, grid) in workbook_grids(bytes)? {
                if let Some(found) = find_ledger(&sheet, &grid) {
                    return found;
                }
            }
            Err(ImportError::NoHeading)
        }
    }
}

/// A sheet as text, by row and column from A1.
type Grid = Vec<Vec<String>>;
/// The understood columns of a heading: column index, field, the heading as written.
type Heading = Vec<(usize, ImportField, String)>;

/// Every sheet of a workbook as a grid of text with merged regions filled from their first
/// cell, addressed from A1 whatever the first used cell is.
fn workbook_grids(bytes: &[u8]) -> Result<Vec<(String, Grid)>, ImportError> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ImportError::Unreadable(e.to_string()))?;
    let names = book.sheet_names();
    let mut out = Vec::new();
    for name in names {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| ImportError::Unreadable(e.to_string()))?;
        let merges = match &mut book {
            calamine::Sheets::Xlsx(x) => x
                .merge_cells_by_sheet_name(&name)
                .map_err(|e| ImportError::Unreadable(e.to_string()))?,
            calamine::Sheets::Xls(x) => x
                .merge_cells_by_sheet_name(&name)
                .map_err(|e| ImportError::Unreadable(e.to_string()))?,
            // .xlsb and .ods are read without their merged regions.
            _ => Vec::new(),
        };
        let Some((r0, c0)) = range.start() else {
            continue;
        };
        let (height, width) = range.get_size();
        let rows = r0 as usize + height;
        if rows > MAX_ROWS + HEADING_SEARCH + 50 {
            return Err(ImportError::TooManyRows);
        }
        let cols = (c0 as usize + width).min(MAX_COLUMNS);
        let mut grid = vec![vec![String::new(); cols]; rows];
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (ar, ac) = (r0 as usize + r, c0 as usize + c);
                if ac < cols {
                    grid[ar][ac] = cell_text(v);
                }
            }
        }
        for m in merges {
            let (sr, sc) = (m.start.0 as usize, m.start.1 as usize);
            let Some(v) = grid.get(sr).and_then(|r| r.get(sc)).cloned() else {
                continue;
            };
            for row in grid.iter_mut().take(m.end.0 as usize + 1).skip(sr) {
                for cell in row.iter_mut().take(m.end.1 as usize + 1).skip(sc) {
                    cell.clone_from(&v);
                }
            }
        }
        out.push((name, grid));
    }
    Ok(out)
}

/// A cell as text: numbers without a needless `.0`, dates as `2020-06-30`.
fn cell_text(v: &Data) -> String {
    match v {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(d) => serial_date(d.as_f64())
            .map(|d| d.to_string())
            .unwrap_or_else(|| d.as_f64().to_string()),
        Data::DateTimeIso(s) => s.chars().take(10).collect(),
        Data::DurationIso(s) => s.clone(),
    }
}

/// An Excel serial day number (1900 system) as a date: day 1 is 1900-01-01, and Excel counts
/// a 29 February 1900 that never was, so from day 61 on the count starts a day earlier.
pub fn serial_date(serial: f64) -> Option<Date> {
    if !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = if days >= 61 {
        jiff::civil::date(1899, 12, 30)
    } else {
        jiff::civil::date(1899, 12, 31)
    };
    base.checked_add(jiff::Span::new().days(days)).ok()
}

/// UTF-8 (with or without its mark) when the bytes are valid UTF-8, GB18030 otherwise — the
/// two encodings Excel and WPS save a Chinese CSV in. Anything that is neither is refused
/// rather than read with replacement characters.
fn decode_csv(bytes: &[u8]) -> Result<String, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(ImportError::Encoding);
    }
    Ok(text.into_owned())
}

/// RFC 4180 CSV: commas, quoted fields with doubled quotes and line breaks inside; CRLF or LF.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field).trim().to_owned()),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field).trim().to_owned());
                rows.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field.trim().to_owned());
        rows.push(row);
    }
    for r in &mut rows {
        r.truncate(MAX_COLUMNS);
    }
    rows
}

/// The column letters Excel shows: A … Z, AA …
pub fn column_letter(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The fields a heading row names, by column; with `below`, a second heading row whose
/// sub-headings (under a merged group heading such as 责任主体) take precedence.
fn heading_fields(top: &[String], below: Option<&[String]>) -> Vec<(usize, ImportField, String)> {
    let width = top.len().max(below.map_or(0, <[String]>::len));
    let mut out: Vec<(usize, ImportField, String)> = Vec::new();
    for c in 0..width {
        let upper = top.get(c).map_or("", String::as_str);
        let lower = below.and_then(|b| b.get(c)).map_or("", String::as_str);
        let found = ImportField::from_heading(lower)
            .map(|f| (f, lower))
            .or_else(|| ImportField::from_heading(upper).map(|f| (f, upper)));
        // A field named twice keeps its first column (责任单位 and 牵头部门 side by side).
        if let Some((f, h)) = found
            && !out.iter().any(|(_, g, _)| *g == f)
        {
            out.push((c, f, h.to_owned()));
        }
    }
    out
}

fn is_heading(fields: &[(usize, ImportField, String)]) -> bool {
    let has = |f| fields.iter().any(|(_, g, _)| *g == f);
    has(ImportField::Problem) && has(ImportField::Measure)
}

/// Finds the heading in the first rows (one row or two) and reads the rows under it.
fn find_ledger(sheet: &str, grid: &[Vec<String>]) -> Option<Result<ImportSheet, ImportError>> {
    let mut best: Option<(usize, bool, Heading)> = None;
    for r in 0..grid.len().min(HEADING_SEARCH) {
        let one = heading_fields(&grid[r], None);
        let two = grid
            .get(r + 1)
            .map(|b| heading_fields(&grid[r], Some(b)))
            .unwrap_or_default();
        // The second row is part of the heading only when it names more columns, and the first
        // names some itself (a title row above a one-row heading names none).
        let (double, fields) = if two.len() > one.len() && one.len() >= 2 {
            (true, two)
        } else {
            (false, one)
        };
        if is_heading(&fields) && best.as_ref().is_none_or(|(_, _, b)| fields.len() > b.len()) {
            best = Some((r, double, fields));
        }
    }
    let (start, double, fields) = best?;
    let first_data = start + if double { 2 } else { 1 };
    let data = grid.len().saturating_sub(first_data);
    if data > MAX_ROWS {
        return Some(Err(ImportError::TooManyRows));
    }
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut section: Option<ImportCell> = None;
    for (r, line) in grid.iter().enumerate().skip(first_data) {
        let line_no = (r + 1) as u32;
        let cells: Vec<(ImportField, ImportCell)> = fields
            .iter()
            .map(|(c, f, _)| {
                let text = line.get(*c).map_or("", |s| s.trim()).to_owned();
                let cell = format!("{}{}", column_letter(*c), line_no);
                (*f, ImportCell { cell, text })
            })
            .collect();
        let texts: Vec<&str> = line
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        let filled: Vec<&str> = cells
            .iter()
            .filter(|(f, c)| *f != ImportField::Seq && !c.text.is_empty())
            .map(|(_, c)| c.text.as_str())
            .collect();
        if texts.is_empty() || filled.is_empty() {
            continue;
        }
        if texts.iter().any(|t| is_totals(t)) && filled.iter().all(|t| !is_long_text(t)) {
            skipped.push(SkippedRow {
                line: line_no,
                reason: "合计行".into(),
            });
            continue;
        }
        // A section row (`一、政治建设方面`) is one text merged across the row.
        if filled.len() > 1 && filled.iter().all(|t| *t == filled[0]) {
            skipped.push(SkippedRow {
                line: line_no,
                reason: format!("分类标题行“{}”", filled[0]),
            });
            section = cells
                .iter()
                .find(|(f, c)| *f != ImportField::Seq && !c.text.is_empty())
                .map(|(_, c)| c.clone());
            continue;
        }
        rows.push(ImportRow {
            line: line_no,
            cells,
            section: section.clone(),
        });
    }
    let heading_line = (start + 1) as u32;
    Some(Ok(ImportSheet {
        sheet: sheet.to_owned(),
        heading_lines: (heading_line, heading_line + u32::from(double)),
        columns: fields
            .into_iter()
            .map(|(c, f, h)| (f, column_letter(c), h))
            .collect(),
        rows,
        skipped,
    }))
}

/// `合计` / `总计` / `小计` as the label of a totals row, with or without spaces between.
fn is_totals(text: &str) -> bool {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    t.starts_with("合计") || t.starts_with("总计") || t.starts_with("小计")
}

/// A cell long enough to be a problem or a measure rather than a count.
fn is_long_text(text: &str) -> bool {
    text.chars().count() > 20
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Format, Workbook};

    fn field(row: &ImportRow, f: ImportField) -> &str {
        row.get(f).map_or("", |c| c.text.as_str())
    }

    /// A ledger as units keep it: a title and a date line above a two-row heading (责任主体
    /// merged over 责任领导 / 责任单位), a section row, a problem merged down over its two
    /// measures, a spacer row, a deadline as a real date and a totals row.
    fn messy_xlsx() -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let f = Format::new();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        ws.merge_range(0, 0, 0, 6, "某某单位巡视整改台账", &f)
            .unwrap();
        ws.write_string(1, 0, "填报日期：2020年4月10日").unwrap();
        ws.merge_range(2, 0, 3, 0, "序号", &f).unwrap();
        ws.merge_range(2, 1, 3, 1, "问题表现", &f).unwrap();
        ws.merge_range(2, 2, 3, 2, "具体措施", &f).unwrap();
        ws.merge_range(2, 3, 2, 4, "责任主体", &f).unwrap();
        ws.write_string(3, 3, "牵头领导").unwrap();
        ws.write_string(3, 4, "责任 部门").unwrap();
        ws.merge_range(2, 5, 3, 5, "完成时限（年月日）", &f)
            .unwrap();
        ws.merge_range(2, 6, 3, 6, "是否完成", &f).unwrap();
        ws.merge_range(4, 0, 4, 6, "一、政治建设方面", &f).unwrap();
        ws.write_number(5, 0, 1).unwrap();
        ws.merge_range(5, 1, 6, 1, "理论学习不深入", &f).unwrap();
        ws.write_string(5, 2, "制定学习计划").unwrap();
        ws.write_string(5, 3, "张三").unwrap();
        ws.write_string(5, 4, "办公室").unwrap();
        ws.write_string(5, 5, "立行立改").unwrap();
        ws.write_number(6, 0, 2).unwrap();
        ws.write_string(6, 2, "开展专题研讨").unwrap();
        ws.write_string(6, 3, "李四").unwrap();
        ws.write_string(6, 4, "宣传处").unwrap();
        ws.write_datetime_with_format(
            6,
            5,
            rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 6, 30).unwrap(),
            &date,
        )
        .unwrap();
        ws.write_string(8, 0, "合计").unwrap();
        ws.write_number(8, 2, 2).unwrap();
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_messy_workbook_is_read_row_by_row() {
        let sheet = read_ledger("台账.xlsx", &messy_xlsx()).unwrap();
        assert_eq!(sheet.heading_lines, (3, 4), "the heading spans two rows");
        let fields: Vec<_> = sheet
            .columns
            .iter()
            .map(|(f, c, _)| (*f, c.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                (ImportField::Seq, "A"),
                (ImportField::Problem, "B"),
                (ImportField::Measure, "C"),
                (ImportField::Leader, "D"),
                (ImportField::LeadDepartment, "E"),
                (ImportField::Deadline, "F"),
                (ImportField::Status, "G"),
            ]
        );
        assert_eq!(sheet.rows.len(), 2, "{:?}", sheet.rows);
        let (a, b) = (&sheet.rows[0], &sheet.rows[1]);
        assert_eq!((a.line, b.line), (6, 7));
        assert_eq!(field(a, ImportField::Problem), "理论学习不深入");
        assert_eq!(
            field(b, ImportField::Problem),
            "理论学习不深入",
            "the merged problem fills down"
        );
        assert_eq!(field(b, ImportField::Measure), "开展专题研讨");
        assert_eq!(field(b, ImportField::Deadline), "2020-06-30");
        assert_eq!(b.get(ImportField::Deadline).unwrap().cell, "F7");
        let section = b.section.as_ref().expect("the section row above");
        assert_eq!(
            (section.cell.as_str(), section.text.as_str()),
            ("B5", "一、政治建设方面")
        );
        assert_eq!(a.section, b.section);
        assert_eq!(
            sheet.skipped,
            [
                SkippedRow {
                    line: 5,
                    reason: "分类标题行“一、政治建设方面”".into()
                },
                SkippedRow {
                    line: 9,
                    reason: "合计行".into()
                },
            ]
        );
    }

    const CSV: &str = "关于巡视反馈问题整改落实情况台账\n\
        序号,存在问题,整改措施,整改目标,分管领导,责任处室,协同单位,具体责任人,整改时限,进展情况\n\
        1,\"干部选拔程序不规范，\"\"带病提拔\"\"\",修订选任办法,程序规范,王五,组织处,纪检组,赵六,2020年6月底前,已完成\n\
        ,,,,,,,,,\n\
        2,经费管理松散,清理账目,账实相符,王五,财务处,,,长期坚持,推进中\n";

    /// An Excel 97 workbook (.xls) as LibreOffice Calc saves it, made from
    /// `testdata/ledger-merged.html`: a merged title, a two-row heading under a merged 责任主体,
    /// a merged section row, a problem merged over its two measures, a spacer and a totals row.
    #[test]
    fn an_xls_workbook_is_read_with_its_merged_cells() {
        let bytes = include_bytes!("../testdata/ledger-merged.xls");
        let sheet = read_ledger("台账.xls", bytes).expect("the .xls ledger");
        assert_eq!(sheet.heading_lines, (3, 4));
        let fields: Vec<ImportField> = sheet.columns.iter().map(|(f, _, _)| *f).collect();
        assert_eq!(
            fields,
            [
                ImportField::Seq,
                ImportField::Problem,
                ImportField::Measure,
                ImportField::Leader,
                ImportField::LeadDepartment,
                ImportField::Deadline,
                ImportField::Target,
            ]
        );
        assert_eq!(sheet.rows.len(), 2, "{:?}", sheet.rows);
        let (a, b) = (&sheet.rows[0], &sheet.rows[1]);
        assert_eq!((a.line, b.line), (6, 7));
        assert_eq!(field(b, ImportField::Problem), "理论学习不深入");
        assert_eq!(b.get(ImportField::Problem).unwrap().cell, "B7");
        assert_eq!(field(a, ImportField::Deadline), "立行立改");
        assert_eq!(field(b, ImportField::Deadline), "2020年6月底前");
        assert_eq!(field(b, ImportField::LeadDepartment), "宣传处");
        assert_eq!(field(b, ImportField::Target), "研讨见效");
        assert_eq!(
            b.section.as_ref().map(|c| c.text.as_str()),
            Some("一、政治建设方面")
        );
        let skipped: Vec<(u32, &str)> = sheet
            .skipped
            .iter()
            .map(|s| (s.line, s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [(5, "分类标题行“一、政治建设方面”"), (9, "合计行")]
        );
    }

    #[test]
    fn csv_is_read_in_utf8_and_in_gb18030() {
        let (gb, _, _) = encoding_rs::GB18030.encode(CSV);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(CSV.as_bytes());
        for bytes in [CSV.as_bytes().to_vec(), bom, gb.into_owned()] {
            let sheet = read_ledger("ledger.csv", &bytes).unwrap();
            assert_eq!(sheet.heading_lines, (2, 2));
            assert_eq!(sheet.rows.len(), 2);
            let a = &sheet.rows[0];
            assert_eq!(
                field(a, ImportField::Problem),
                "干部选拔程序不规范，\"带病提拔\""
            );
            assert_eq!(field(a, ImportField::Leader), "王五");
            assert_eq!(field(a, ImportField::LeadDepartment), "组织处");
            assert_eq!(field(a, ImportField::CoDepartments), "纪检组");
            assert_eq!(field(a, ImportField::Person), "赵六");
            assert_eq!(field(a, ImportField::Progress), "已完成");
            assert_eq!(a.get(ImportField::Deadline).unwrap().cell, "I3");
            assert_eq!(sheet.rows[1].line, 5, "the blank line still counts");
        }
    }

    #[test]
    fn a_file_without_a_heading_or_in_another_encoding_is_refused() {
        assert_eq!(
            read_ledger("x.csv", "a,b\n1,2\n".as_bytes()),
            Err(ImportError::NoHeading)
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("問題,措置\n");
        let mut bad = sjis.into_owned();
        bad.extend_from_slice(&[0xFF, 0xFF, 0x80]);
        assert_eq!(read_ledger("x.csv", &bad), Err(ImportError::Encoding));
        assert!(matches!(
            read_ledger("x.xlsx", b"PK\x03\x04 not a zip"),
            Err(ImportError::Unreadable(_))
        ));
    }

    #[test]
    fn headings_are_read_through_synonyms_spaces_and_remarks() {
        assert_eq!(
            ImportField::from_heading("完 成\n时 限（年月日）"),
            Some(ImportField::Deadline)
        );
        assert_eq!(
            ImportField::from_heading("问题内容"),
            Some(ImportField::Problem)
        );
        assert_eq!(
            ImportField::from_heading("销号情况"),
            Some(ImportField::Status)
        );
        assert_eq!(ImportField::from_heading("问题来源"), None);
    }

    #[test]
    fn serial_days_and_column_letters_are_excels() {
        assert_eq!(serial_date(43982.0), Some(jiff::civil::date(2020, 5, 31)));
        assert_eq!(serial_date(1.0), Some(jiff::civil::date(1900, 1, 1)));
        assert_eq!(serial_date(61.0), Some(jiff::civil::date(1900, 3, 1)));
        assert_eq!(serial_date(0.0), None);
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
    }
}
