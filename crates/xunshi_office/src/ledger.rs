//! The rectification ledger (整改台账) as a workbook, in the columns of the ledgers units keep
//! in Excel today (domain.md §6): one row per measure, the problem's cells merged over its
//! measures, a frozen header with an autofilter, deadlines as real dates that sort and filter,
//! filled red or yellow as the ledger page colours them, and a totals row under the rows.

use jiff::civil::Date;
use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, FormatPattern, Workbook, Worksheet,
    XlsxError,
};

use crate::OfficeError;

/// When a measure is due, as the ledger shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// 立行立改, by a near date.
    Immediate(Date),
    By(Date),
    /// 长期坚持.
    LongTerm,
}

/// The fill of a row's deadline cell: the colour the caller's deadline rule gave the task.
/// The crate does not decide which colour a task has; it only paints what it is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fill {
    /// No fill: a closed task, or one the caller leaves plain.
    #[default]
    None,
    Green,
    Yellow,
    Red,
}

impl Fill {
    /// The fill colours, light enough that the text stays readable on paper.
    pub fn rgb(self) -> Option<u32> {
        match self {
            Fill::None => None,
            Fill::Green => Some(0xC6EFCE),
            Fill::Yellow => Some(0xFFEB9C),
            Fill::Red => Some(0xFFC7CE),
        }
    }
}

/// One measure of the ledger with its problem. Consecutive rows with the same `problem_key`
/// belong to one problem, whose cells are merged over them.
#[derive(Debug, Clone, Default)]
pub struct LedgerRow {
    /// Hierarchical: category.problem.measure, such as `1.2.1`.
    pub seq: String,
    pub problem_key: String,
    /// 问题来源.
    pub source: String,
    /// 问题归类.
    pub category: String,
    /// 反馈问题, verbatim.
    pub problem: String,
    pub target: String,
    pub measure: String,
    pub responsible_leader: String,
    pub lead_department: String,
    pub co_departments: String,
    pub responsible_person: String,
    pub deadline: Option<Deadline>,
    /// 整改标准 / 销号标准.
    pub standard: String,
    /// The latest progress, as text.
    pub progress: String,
    /// 未启动 / 整改中 / 已完成 / 长期坚持 / 逾期 / 已销号.
    pub status: String,
    /// The evidence files on record, by file name, one a line in the cell.
    pub evidence: Vec<String>,
    /// The fill of the deadline and status cells.
    pub fill: Fill,
    /// 建立制度: rules established or revised by the measure.
    pub mechanisms: String,
    /// 追责问责情况.
    pub accountability: String,
}

/// A whole ledger: a title line, a line saying what it covers, and the rows in order.
#[derive(Debug, Clone, Default)]
pub struct LedgerSheet {
    /// 自治区党委宣传部巡视整改台账
    pub title: String,
    /// What the sheet covers and as of when: 截至2020年6月30日.
    pub subtitle: String,
    pub rows: Vec<LedgerRow>,
    /// The totals line under the rows (合计：共 N 项；…), written as the caller counted;
    /// no line when empty.
    pub totals: String,
}

/// The columns: heading and width in characters. The last two, 建立制度 and 追责问责情况, are
/// written only when some row has something in them (see [`columns`]).
const COLUMNS: &[(&str, f64)] = &[
    ("序号", 7.0),
    ("问题来源", 10.0),
    ("问题归类", 12.0),
    ("反馈问题", 28.0),
    ("整改目标", 22.0),
    ("整改措施", 34.0),
    ("责任领导", 10.0),
    ("牵头部门", 12.0),
    ("配合部门", 12.0),
    ("责任人", 9.0),
    ("整改时限", 16.0),
    ("整改标准", 22.0),
    ("整改进展", 34.0),
    ("整改状态", 10.0),
    ("佐证材料", 18.0),
    ("建立制度", 20.0),
    ("追责问责情况", 20.0),
];

/// The columns of the first fifteen, always written.
const CORE_COLUMNS: usize = 15;

/// How many columns the sheet has: the core ones, then 建立制度 and 追责问责情况 as far as
/// any row fills them, so a ledger never carries a column that nothing could fill.
fn columns(rows: &[LedgerRow]) -> usize {
    if rows.iter().any(|r| !r.accountability.is_empty()) {
        CORE_COLUMNS + 2
    } else if rows.iter().any(|r| !r.mechanisms.is_empty()) {
        CORE_COLUMNS + 1
    } else {
        CORE_COLUMNS
    }
}

const TITLE_ROW: u32 = 0;
const SUBTITLE_ROW: u32 = 1;
const HEADER_ROW: u32 = 2;
const FIRST_DATA_ROW: u32 = 3;
/// The columns that describe the problem, merged over its measures: 问题来源, 问题归类, 反馈问题.
const PROBLEM_COLUMNS: [u16; 3] = [1, 2, 3];
const BODY_FONT: &str = "宋体";

struct Formats {
    title: Format,
    totals: Format,
    subtitle: Format,
    header: Format,
    text: Format,
    centred: Format,
    immediate: Format,
    by: Format,
}

impl Formats {
    fn new() -> Formats {
        let cell = Format::new()
            .set_font_name(BODY_FONT)
            .set_font_size(10.5)
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        Formats {
            title: Format::new()
                .set_font_name("黑体")
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            subtitle: Format::new()
                .set_font_name(BODY_FONT)
                .set_font_size(10.5)
                .set_align(FormatAlign::Right),
            header: cell
                .clone()
                .set_font_name("黑体")
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xD9D9D9)),
            totals: cell
                .clone()
                .set_font_name("黑体")
                .set_align(FormatAlign::Left),
            centred: cell.clone().set_align(FormatAlign::Center),
            // The deadline stays a date (it sorts and filters as one) and reads as people
            // write it.
            immediate: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("\"立行立改（\"yyyy\"年\"m\"月\"d\"日前）\""),
            by: cell
                .clone()
                .set_align(FormatAlign::Center)
                .set_num_format("yyyy\"年\"m\"月\"d\"日前\""),
            text: cell,
        }
    }
}

fn excel_date(d: Date) -> Result<ExcelDateTime, XlsxError> {
    let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)
}

/// `format` with the row's fill, if it has one.
fn filled(format: &Format, fill: Fill) -> Format {
    match fill.rgb() {
        Some(rgb) => format
            .clone()
            .set_background_color(Color::RGB(rgb))
            .set_pattern(FormatPattern::Solid),
        None => format.clone(),
    }
}

fn write_deadline(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: Option<Deadline>,
    fill: Fill,
    f: &Formats,
) -> Result<(), XlsxError> {
    match d {
        Some(Deadline::Immediate(date)) => {
            ws.write_datetime_with_format(
                row,
                col,
                excel_date(date)?,
                &filled(&f.immediate, fill),
            )?;
        }
        Some(Deadline::By(date)) => {
            ws.write_datetime_with_format(row, col, excel_date(date)?, &filled(&f.by, fill))?;
        }
        Some(Deadline::LongTerm) => {
            ws.write_string_with_format(row, col, "长期坚持", &filled(&f.centred, fill))?;
        }
        None => {
            ws.write_blank(row, col, &filled(&f.centred, fill))?;
        }
    }
    Ok(())
}

fn write_row(
    ws: &mut Worksheet,
    row: u32,
    r: &LedgerRow,
    f: &Formats,
    columns: usize,
    problem_cells: bool,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(row, 0, &r.seq, &f.centred)?;
    // A problem's later measures leave its cells to the merge above them.
    if problem_cells {
        ws.write_string_with_format(row, 1, &r.source, &f.centred)?;
        ws.write_string_with_format(row, 2, &r.category, &f.centred)?;
        ws.write_string_with_format(row, 3, &r.problem, &f.text)?;
    }
    ws.write_string_with_format(row, 4, &r.target, &f.text)?;
    ws.write_string_with_format(row, 5, &r.measure, &f.text)?;
    ws.write_string_with_format(row, 6, &r.responsible_leader, &f.centred)?;
    ws.write_string_with_format(row, 7, &r.lead_department, &f.centred)?;
    ws.write_string_with_format(row, 8, &r.co_departments, &f.centred)?;
    ws.write_string_with_format(row, 9, &r.responsible_person, &f.centred)?;
    write_deadline(ws, row, 10, r.deadline, r.fill, f)?;
    ws.write_string_with_format(row, 11, &r.standard, &f.text)?;
    ws.write_string_with_format(row, 12, &r.progress, &f.text)?;
    ws.write_string_with_format(row, 13, &r.status, &filled(&f.centred, r.fill))?;
    ws.write_string_with_format(row, 14, r.evidence.join("\n"), &f.text)?;
    if columns > CORE_COLUMNS {
        ws.write_string_with_format(row, 15, &r.mechanisms, &f.text)?;
    }
    if columns > CORE_COLUMNS + 1 {
        ws.write_string_with_format(row, 16, &r.accountability, &f.text)?;
    }
    Ok(())
}

/// Merges the problem's cells over the rows `first..=last` of one problem.
fn merge_problem(
    ws: &mut Worksheet,
    first: u32,
    last: u32,
    r: &LedgerRow,
    f: &Formats,
) -> Result<(), XlsxError> {
    if first == last {
        return Ok(());
    }
    for col in PROBLEM_COLUMNS {
        let (text, format) = match col {
            1 => (&r.source, &f.centred),
            2 => (&r.category, &f.centred),
            _ => (&r.problem, &f.text),
        };
        ws.merge_range(first, col, last, col, text, format)?;
    }
    Ok(())
}

/// Which of the two optional columns a sheet carries, decided before its first row is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerColumns {
    /// The fifteen core columns only.
    Core,
    /// And 建立制度.
    WithMechanisms,
    /// And 建立制度 and 追责问责情况.
    All,
}

impl LedgerColumns {
    /// As many as `rows` fill (see [`columns`]).
    pub fn of(rows: &[LedgerRow]) -> LedgerColumns {
        match columns(rows) - CORE_COLUMNS {
            0 => LedgerColumns::Core,
            1 => LedgerColumns::WithMechanisms,
            _ => LedgerColumns::All,
        }
    }

    fn count(self) -> usize {
        match self {
            LedgerColumns::Core => CORE_COLUMNS,
            LedgerColumns::WithMechanisms => CORE_COLUMNS + 1,
            LedgerColumns::All => CORE_COLUMNS + 2,
        }
    }
}

/// Writes the ledger's sheet row by row, in order: the title, subtitle and header first, then
/// each row as it is pushed, then the totals line. The one layout of the ledger: the web's
/// whole-ledger workbook ([`ledger_xlsx`]) is written by it too.
///
/// A writer made by [`LedgerWriter::streaming`] keeps only the current row (and the rows of
/// the problem being written, whose cells are merged over them) in memory, spilling the rest
/// to a temporary file as rust_xlsxwriter's constant-memory mode does, so a ledger of any
/// length is written without holding its rows. The merged cells themselves are remembered by
/// rust_xlsxwriter until the end, to check for overlaps: about a hundred bytes a merged row
/// (bench/RESULTS.md).
pub struct LedgerWriter {
    wb: Workbook,
    f: Formats,
    columns: usize,
    /// The row the next measure goes to.
    next_row: u32,
    /// The measures of the problem being written, not yet on the sheet: a problem's cells
    /// are merged over its measures, and rows must be written in order.
    group: Vec<LedgerRow>,
}

impl LedgerWriter {
    /// A writer keeping the whole sheet in memory (small sheets; no temporary file).
    pub fn in_memory(
        title: &str,
        subtitle: &str,
        columns: LedgerColumns,
    ) -> Result<LedgerWriter, OfficeError> {
        Self::new(title, subtitle, columns, false)
    }

    /// A writer in constant memory: rows are written to a temporary file as they come.
    pub fn streaming(
        title: &str,
        subtitle: &str,
        columns: LedgerColumns,
    ) -> Result<LedgerWriter, OfficeError> {
        Self::new(title, subtitle, columns, true)
    }

    fn new(
        title: &str,
        subtitle: &str,
        columns: LedgerColumns,
        constant_memory: bool,
    ) -> Result<LedgerWriter, OfficeError> {
        let f = Formats::new();
        let mut wb = Workbook::new();
        let ws = if constant_memory {
            wb.add_worksheet_with_constant_memory()
        } else {
            wb.add_worksheet()
        };
        let columns = columns.count();
        let last_col = (columns - 1) as u16;
        ws.set_name("整改台账")?;
        ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, title, &f.title)?;
        ws.set_row_height(TITLE_ROW, 30)?;
        ws.merge_range(
            SUBTITLE_ROW,
            0,
            SUBTITLE_ROW,
            last_col,
            subtitle,
            &f.subtitle,
        )?;
        for (col, (heading, width)) in COLUMNS.iter().take(columns).enumerate() {
            let col = col as u16;
            ws.write_string_with_format(HEADER_ROW, col, *heading, &f.header)?;
            ws.set_column_width(col, *width)?;
        }
        ws.set_row_height(HEADER_ROW, 24)?;
        // The header stays in view while scrolling, and on every printed page.
        ws.set_freeze_panes(FIRST_DATA_ROW, 0)?;
        ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
        ws.set_landscape();
        ws.set_paper_size(9); // A4
        ws.set_print_fit_to_pages(1, 0);
        ws.set_footer("&C第 &P 页，共 &N 页");
        Ok(LedgerWriter {
            wb,
            f,
            columns,
            next_row: FIRST_DATA_ROW,
            group: Vec::new(),
        })
    }

    /// The next measure. Consecutive rows with the same `problem_key` are one problem.
    pub fn push(&mut self, row: LedgerRow) -> Result<(), OfficeError> {
        if self
            .group
            .first()
            .is_some_and(|g| g.problem_key != row.problem_key)
        {
            self.flush_group()?;
        }
        self.group.push(row);
        Ok(())
    }

    /// How many measures have been pushed.
    pub fn rows(&self) -> usize {
        (self.next_row - FIRST_DATA_ROW) as usize + self.group.len()
    }

    fn flush_group(&mut self) -> Result<(), OfficeError> {
        let group = std::mem::take(&mut self.group);
        let Some(first) = group.first() else {
            return Ok(());
        };
        let ws = self.wb.worksheet_from_index(0)?;
        let start = self.next_row;
        let end = start + group.len() as u32 - 1;
        write_row(ws, start, first, &self.f, self.columns, true)?;
        // The merge writes the first row's cells and, ahead, the blanks below them.
        merge_problem(ws, start, end, first, &self.f)?;
        for (i, r) in group.iter().enumerate().skip(1) {
            write_row(ws, start + i as u32, r, &self.f, self.columns, false)?;
        }
        self.next_row = end + 1;
        Ok(())
    }

    fn finish_sheet(&mut self, totals: &str) -> Result<(), OfficeError> {
        self.flush_group()?;
        let last_col = (self.columns - 1) as u16;
        let rows = self.next_row - FIRST_DATA_ROW;
        let ws = self.wb.worksheet_from_index(0)?;
        // The filter arrows sit on the header and cover every row (not the totals line, which
        // would otherwise sort in among them).
        let last_data_row = match rows {
            0 => HEADER_ROW,
            n => FIRST_DATA_ROW + n - 1,
        };
        ws.autofilter(HEADER_ROW, 0, last_data_row, last_col)?;
        if !totals.is_empty() {
            // One blank row apart, so the autofilter's range ends at the last measure.
            let row = FIRST_DATA_ROW + rows + 1;
            ws.merge_range(row, 0, row, last_col, totals, &self.f.totals)?;
            ws.set_row_height(row, 24)?;
        }
        Ok(())
    }

    /// Writes the totals line (none when empty) and returns the workbook.
    pub fn finish(mut self, totals: &str) -> Result<Vec<u8>, OfficeError> {
        self.finish_sheet(totals)?;
        Ok(self.wb.save_to_buffer()?)
    }

    /// Writes the totals line (none when empty) and saves the workbook to `path`.
    pub fn finish_to_path(
        mut self,
        totals: &str,
        path: &std::path::Path,
    ) -> Result<(), OfficeError> {
        self.finish_sheet(totals)?;
        Ok(self.wb.save(path)?)
    }
}

/// The ledger as an `.xlsx` workbook with one sheet, 整改台账.
pub fn ledger_xlsx(sheet: &LedgerSheet) -> Result<Vec<u8>, OfficeError> {
    let mut w = LedgerWriter::in_memory(
        &sheet.title,
        &sheet.subtitle,
        LedgerColumns::of(&sheet.rows),
    )?;
    for r in &sheet.rows {
        w.push(r.clone())?;
    }
    w.finish(&sheet.totals)
}

/// The ledger as CSV in UTF-8 with a byte-order mark (so that Excel and WPS read it as
/// UTF-8): the header line and one line per measure, in the workbook's columns, written as
/// they come. No title, merging, colours or totals line: CSV is for programs and filters.
pub struct LedgerCsvWriter<W: std::io::Write> {
    out: W,
    columns: usize,
    rows: usize,
}

impl<W: std::io::Write> LedgerCsvWriter<W> {
    pub fn new(mut out: W, columns: LedgerColumns) -> std::io::Result<Self> {
        let columns = columns.count();
        out.write_all("\u{feff}".as_bytes())?;
        let header: Vec<&str> = COLUMNS.iter().take(columns).map(|(h, _)| *h).collect();
        csv_line(&mut out, &header)?;
        Ok(LedgerCsvWriter {
            out,
            columns,
            rows: 0,
        })
    }

    pub fn push(&mut self, r: &LedgerRow) -> std::io::Result<()> {
        let deadline = match r.deadline {
            Some(Deadline::Immediate(d)) | Some(Deadline::By(d)) => d.to_string(),
            Some(Deadline::LongTerm) => "长期坚持".to_owned(),
            None => String::new(),
        };
        let evidence = r.evidence.join("\n");
        let cells = [
            r.seq.as_str(),
            &r.source,
            &r.category,
            &r.problem,
            &r.target,
            &r.measure,
            &r.responsible_leader,
            &r.lead_department,
            &r.co_departments,
            &r.responsible_person,
            &deadline,
            &r.standard,
            &r.progress,
            &r.status,
            &evidence,
            &r.mechanisms,
            &r.accountability,
        ];
        csv_line(&mut self.out, &cells[..self.columns])?;
        self.rows += 1;
        Ok(())
    }

    /// How many measures have been written.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Flushes the output and hands it back.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One CSV line (RFC 4180): a field holding a comma, quote or line break is quoted, its
/// quotes doubled; lines end in CRLF.
pub(crate) fn csv_line(out: &mut impl std::io::Write, cells: &[&str]) -> std::io::Result<()> {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        if c.contains([',', '"', '\n', '\r']) {
            write!(out, "\"{}\"", c.replace('"', "\"\""))?;
        } else {
            out.write_all(c.as_bytes())?;
        }
    }
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use jiff::civil::date;

    use super::*;

    fn row(seq: &str, key: &str, problem: &str, measure: &str, d: Option<Deadline>) -> LedgerRow {
        LedgerRow {
            seq: seq.into(),
            problem_key: key.into(),
            source: "本轮巡视".into(),
            category: "政治建设".into(),
            problem: problem.into(),
            target: "职责落实到位".into(),
            measure: measure.into(),
            responsible_leader: "范晓莉".into(),
            lead_department: "办公室".into(),
            co_departments: "宣传处、理论处".into(),
            responsible_person: "张三".into(),
            deadline: d,
            standard: "制度印发".into(),
            progress: "（60%）已起草初稿".into(),
            status: "整改中".into(),
            evidence: vec![
                "部务会议事规则（修订稿）.pdf".into(),
                "会议纪要.docx".into(),
            ],
            fill: Fill::Green,
            mechanisms: String::new(),
            accountability: String::new(),
        }
    }

    fn read(bytes: Vec<u8>) -> calamine::Range<Data> {
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("opens as xlsx");
        assert_eq!(wb.sheet_names(), vec!["整改台账".to_string()]);
        wb.worksheet_range("整改台账").expect("the sheet")
    }

    /// Excel's serial day (1900 system) as a date.
    fn serial_to_date(serial: f64) -> Date {
        date(1899, 12, 30)
            .checked_add(jiff::Span::new().days(serial as i64))
            .unwrap()
    }

    #[test]
    fn the_ledger_reads_back_with_its_header_text_and_dates() {
        let sheet = LedgerSheet {
            title: "自治区党委宣传部巡视整改台账".into(),
            subtitle: "截至2020年6月30日".into(),
            totals: String::new(),
            rows: vec![
                row(
                    "1.1.1",
                    "p1",
                    "落实党管宣传思想文化职责存在薄弱点",
                    "修订部务会议事规则",
                    Some(Deadline::By(date(2020, 6, 30))),
                ),
                row(
                    "1.1.2",
                    "p1",
                    "落实党管宣传思想文化职责存在薄弱点",
                    "建立意识形态工作责任制考评体系",
                    Some(Deadline::LongTerm),
                ),
                LedgerRow {
                    accountability: "对2人诫勉谈话".into(),
                    ..row(
                        "1.2.1",
                        "p2",
                        "协调督察全区意识形态工作力度不够",
                        "开展专项督察",
                        Some(Deadline::Immediate(date(2020, 4, 10))),
                    )
                },
            ],
        };
        let r = read(ledger_xlsx(&sheet).expect("written"));
        let text = |row: u32, col: u32| match r.get_value((row, col)) {
            Some(Data::String(s)) => s.clone(),
            other => panic!("({row}, {col}) holds {other:?}"),
        };
        assert_eq!(text(0, 0), "自治区党委宣传部巡视整改台账");
        let header: Vec<String> = (0..COLUMNS.len() as u32).map(|c| text(2, c)).collect();
        assert_eq!(header[0], "序号");
        assert_eq!(header[3], "反馈问题");
        assert_eq!(header[10], "整改时限");
        assert_eq!(header[16], "追责问责情况");
        assert_eq!(text(3, 0), "1.1.1");
        assert_eq!(text(3, 3), "落实党管宣传思想文化职责存在薄弱点");
        assert_eq!(text(4, 5), "建立意识形态工作责任制考评体系");
        // The problem's cell is merged over its two measures: the second row holds nothing.
        assert!(matches!(r.get_value((4, 3)), Some(Data::Empty) | None));
        assert_eq!(text(5, 3), "协调督察全区意识形态工作力度不够");
        // Deadlines are dates, not text.
        let Some(Data::DateTime(d)) = r.get_value((3, 10)) else {
            panic!("the deadline is not a date: {:?}", r.get_value((3, 10)));
        };
        assert_eq!(serial_to_date(d.as_f64()), date(2020, 6, 30));
        let Some(Data::DateTime(d)) = r.get_value((5, 10)) else {
            panic!("the immediate deadline is not a date");
        };
        assert_eq!(serial_to_date(d.as_f64()), date(2020, 4, 10));
        assert_eq!(text(4, 10), "长期坚持");
        assert_eq!(text(3, 14), "部务会议事规则（修订稿）.pdf\n会议纪要.docx");
        assert_eq!(text(5, 16), "对2人诫勉谈话");
    }

    /// One part of the workbook's zip archive, as text.
    fn part(bytes: &[u8], name: &str) -> String {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("an xlsx is a zip archive");
        let mut f = zip.by_name(name).unwrap_or_else(|_| panic!("no {name}"));
        let mut s = String::new();
        f.read_to_string(&mut s).expect("UTF-8 XML");
        s
    }

    /// The elements `<tag …>` (or `<tag …/>`) of `xml`, each as its opening tag's text with the
    /// content up to its end, in order.
    fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
        let open = format!("<{tag}");
        let close = format!("</{tag}>");
        let mut out = Vec::new();
        let mut rest = xml;
        while let Some(i) = rest.find(&open) {
            let after = &rest[i + open.len()..];
            // `<c` must not match `<cellXfs` or `<col`: the name ends at a space, `>` or `/`.
            if !after.starts_with([' ', '>', '/']) {
                rest = after;
                continue;
            }
            let head_end = after.find('>').expect("a closed tag");
            let end = if after[..head_end].ends_with('/') {
                head_end + 1
            } else {
                after
                    .find(&close)
                    .map(|e| e + close.len())
                    .expect("an end tag")
            };
            out.push(&rest[i..i + open.len() + end]);
            rest = &after[end..];
        }
        out
    }

    fn attr<'a>(element: &'a str, name: &str) -> Option<&'a str> {
        let key = format!(" {name}=\"");
        let i = element.find(&key)? + key.len();
        Some(&element[i..i + element[i..].find('"')?])
    }

    /// The fill colour (RRGGBB) of the cell `cell` (such as `K4`), read through the cell's
    /// style index, its format record and the fill record it names.
    fn fill_of(bytes: &[u8], cell: &str) -> Option<String> {
        let sheet = part(bytes, "xl/worksheets/sheet1.xml");
        let c = elements(&sheet, "c")
            .into_iter()
            .find(|c| attr(c, "r") == Some(cell))
            .unwrap_or_else(|| panic!("no cell {cell}"));
        let style: usize = attr(c, "s").unwrap_or("0").parse().unwrap();
        let styles = part(bytes, "xl/styles.xml");
        let xfs = &styles[styles.find("<cellXfs").unwrap()..];
        let xf = elements(xfs, "xf")[style];
        let fill: usize = attr(xf, "fillId").unwrap_or("0").parse().unwrap();
        let fills = &styles[styles.find("<fills").unwrap()..styles.find("</fills>").unwrap()];
        let f = elements(fills, "fill")[fill];
        let fg = elements(f, "fgColor").into_iter().next()?;
        // ARGB: the alpha byte first.
        attr(fg, "rgb").map(|rgb| rgb.strip_prefix("FF").unwrap_or(rgb).to_owned())
    }

    #[test]
    fn deadlines_are_filled_by_colour_under_an_autofilter_with_a_totals_row() {
        let mut red = row(
            "1.1.1",
            "p1",
            "问题一",
            "措施一",
            Some(Deadline::By(date(2020, 3, 1))),
        );
        red.fill = Fill::Red;
        let mut yellow = row(
            "1.1.2",
            "p1",
            "问题一",
            "措施二",
            Some(Deadline::By(date(2020, 7, 1))),
        );
        yellow.fill = Fill::Yellow;
        let mut plain = row("1.2.1", "p2", "问题二", "措施三", Some(Deadline::LongTerm));
        plain.fill = Fill::None;
        plain.evidence = Vec::new();
        let sheet = LedgerSheet {
            title: "台账".into(),
            subtitle: "截至2020年6月30日".into(),
            rows: vec![red, yellow, plain],
            totals: "合计：共 3 项；逾期 1 项，临期 1 项".into(),
        };
        let bytes = ledger_xlsx(&sheet).expect("written");
        // The deadline (K) and status (N) cells of rows 4 and 5 carry the colours.
        assert_eq!(fill_of(&bytes, "K4").as_deref(), Some("FFC7CE"));
        assert_eq!(fill_of(&bytes, "N4").as_deref(), Some("FFC7CE"));
        assert_eq!(fill_of(&bytes, "K5").as_deref(), Some("FFEB9C"));
        assert_eq!(fill_of(&bytes, "N5").as_deref(), Some("FFEB9C"));
        assert_eq!(fill_of(&bytes, "K6"), None);
        // The filter spans the header and the three rows, all fifteen columns.
        let ws = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(ws.contains("<autoFilter ref=\"A3:O6\""), "{ws}");
        // The header stays in view.
        assert!(ws.contains("ySplit=\"3\"") && ws.contains("state=\"frozen\""));
        let r = read(bytes);
        assert_eq!(
            r.get_value((7, 0)),
            Some(&Data::String("合计：共 3 项；逾期 1 项，临期 1 项".into()))
        );
        assert!(
            matches!(r.get_value((5, 14)), Some(Data::String(s)) if s.is_empty())
                || matches!(r.get_value((5, 14)), Some(Data::Empty) | None)
        );
    }

    #[test]
    fn an_empty_ledger_still_has_its_header() {
        let r = read(
            ledger_xlsx(&LedgerSheet {
                title: "台账".into(),
                ..Default::default()
            })
            .expect("written"),
        );
        assert_eq!(r.get_value((2, 13)), Some(&Data::String("整改状态".into())));
        // Nothing fills 建立制度 or 追责问责情况, so neither is there.
        assert_eq!(r.end(), Some((2, CORE_COLUMNS as u32 - 1)));
        assert_eq!(
            r.get_value((2, CORE_COLUMNS as u32 - 1)),
            Some(&Data::String("佐证材料".into()))
        );
    }

    /// The streaming writer gives the same cells as the whole-sheet one, merges and totals
    /// included, written through its temporary file to a path.
    #[test]
    fn the_streaming_writer_writes_the_same_sheet_row_by_row() {
        let rows: Vec<LedgerRow> = (0..2_000u32)
            .map(|i| {
                let p = i / 3;
                let mut r = row(
                    &format!("1.{p}.{}", i % 3 + 1),
                    &format!("p{p}"),
                    &format!("问题{p}"),
                    &format!("措施{i}"),
                    Some(Deadline::By(date(2020, 6, 30))),
                );
                if i == 1_000 {
                    r.mechanisms = "制定督办制度".into();
                }
                r
            })
            .collect();
        let sheet = LedgerSheet {
            title: "台账".into(),
            subtitle: "截至2020年6月30日".into(),
            rows: rows.clone(),
            totals: "合计：共 2000 项".into(),
        };
        let dir = std::env::temp_dir().join(format!("xunshi-ledger-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("整改台账.xlsx");
        let mut w = LedgerWriter::streaming("台账", "截至2020年6月30日", LedgerColumns::of(&rows))
            .expect("a writer");
        for r in rows {
            w.push(r).expect("pushed");
        }
        assert_eq!(w.rows(), 2_000);
        w.finish_to_path("合计：共 2000 项", &path).expect("saved");
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let streamed = read(bytes.clone());
        let whole = read(ledger_xlsx(&sheet).expect("written"));
        assert_eq!(streamed.end(), whole.end());
        assert_eq!(streamed.end(), Some((2_000 + 4, CORE_COLUMNS as u32)));
        for (a, b) in streamed.cells().zip(whole.cells()) {
            assert_eq!(a, b);
        }
        assert_eq!(
            streamed.get_value((3, 3)),
            Some(&Data::String("问题0".into()))
        );
        // Merged over its three measures, as in the whole sheet.
        assert!(matches!(
            streamed.get_value((4, 3)),
            Some(Data::Empty) | None
        ));
        assert_eq!(
            streamed.get_value((3 + 1_999, 5)),
            Some(&Data::String("措施1999".into()))
        );
        assert_eq!(
            streamed.get_value((3 + 2_001, 0)),
            Some(&Data::String("合计：共 2000 项".into()))
        );
        let ws = part(&bytes, "xl/worksheets/sheet1.xml");
        assert!(ws.contains("<autoFilter ref=\"A3:P2003\""));
        assert!(
            ws.contains("<mergeCell ref=\"D4:D6\"/>"),
            "the problem's cells are merged"
        );
    }

    #[test]
    fn the_csv_ledger_has_a_bom_its_header_and_quoted_fields() {
        let mut r = row(
            "1.1.1",
            "p1",
            "问题,含逗号",
            "措施\"引号\"",
            Some(Deadline::By(date(2020, 6, 30))),
        );
        r.evidence = vec!["甲.pdf".into(), "乙.docx".into()];
        let mut w = LedgerCsvWriter::new(Vec::new(), LedgerColumns::Core).unwrap();
        w.push(&r).unwrap();
        let mut long = row("1.1.2", "p1", "问题", "措施二", Some(Deadline::LongTerm));
        long.evidence = Vec::new();
        w.push(&long).unwrap();
        assert_eq!(w.rows(), 2);
        let bytes = w.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert!(lines[0].starts_with("序号,问题来源,问题归类,反馈问题,"));
        assert!(lines[0].ends_with(",佐证材料"));
        assert!(lines[1].starts_with("1.1.1,本轮巡视,政治建设,\"问题,含逗号\","));
        assert!(lines[1].contains(",\"措施\"\"引号\"\"\","));
        assert!(lines[1].contains(",2020-06-30,"));
        assert!(lines[1].ends_with(",\"甲.pdf\n乙.docx\""));
        assert!(lines[2].contains(",长期坚持,"));
        assert_eq!(lines[3], "");
    }
}
