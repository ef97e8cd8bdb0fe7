//! A plain list as a workbook: a title line, what it covers, a frozen header with a filter on
//! every column, and rows of text. For lists kept for the record (the audit trail) rather than
//! worked on as a ledger.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook};

use crate::OfficeError;

/// A list to write: column headings with their widths in characters, and rows of the same
/// number of cells.
#[derive(Debug, Clone, Default)]
pub struct TableSheet {
    pub sheet_name: String,
    pub title: String,
    pub subtitle: String,
    pub columns: Vec<(String, f64)>,
    pub rows: Vec<Vec<String>>,
}

const TITLE_ROW: u32 = 0;
const SUBTITLE_ROW: u32 = 1;
const HEADER_ROW: u32 = 2;
const FIRST_DATA_ROW: u32 = 3;

/// The same kind of list as CSV in UTF-8 with a byte-order mark, as the ledger's CSV is
/// written: the headings, then the rows, for programs rather than for printing.
pub fn table_csv(columns: &[&str], rows: &[Vec<String>]) -> std::io::Result<Vec<u8>> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    crate::ledger::csv_line(&mut out, columns)?;
    for r in rows {
        let cells: Vec<&str> = r.iter().map(String::as_str).collect();
        crate::ledger::csv_line(&mut out, &cells)?;
    }
    Ok(out)
}

/// The workbook of `t`. A row shorter than the headings leaves its last cells empty; a longer
/// one is cut to them.
pub fn table_xlsx(t: &TableSheet) -> Result<Vec<u8>, OfficeError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(&t.sheet_name)?;
    let cols = u16::try_from(t.columns.len().max(1)).unwrap_or(u16::MAX);
    let cell = Format::new()
        .set_font_name("宋体")
        .set_font_size(10.5)
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let header = cell
        .clone()
        .set_font_name("黑体")
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9D9D9));
    let title = Format::new()
        .set_font_name("黑体")
        .set_font_size(16)
        .set_align(FormatAlign::Center);
    let subtitle = Format::new()
        .set_font_name("宋体")
        .set_font_size(10.5)
        .set_align(FormatAlign::Right);
    ws.merge_range(TITLE_ROW, 0, TITLE_ROW, cols - 1, &t.title, &title)?;
    ws.set_row_height(TITLE_ROW, 28)?;
    ws.merge_range(
        SUBTITLE_ROW,
        0,
        SUBTITLE_ROW,
        cols - 1,
        &t.subtitle,
        &subtitle,
    )?;
    for (i, (name, width)) in t.columns.iter().enumerate() {
        let c = i as u16;
        ws.write_string_with_format(HEADER_ROW, c, name, &header)?;
        ws.set_column_width(c, *width)?;
    }
    for (i, r) in t.rows.iter().enumerate() {
        let row = FIRST_DATA_ROW + i as u32;
        for c in 0..t.columns.len() {
            let v = r.get(c).map(String::as_str).unwrap_or("");
            ws.write_string_with_format(row, c as u16, v, &cell)?;
        }
    }
    let last = FIRST_DATA_ROW + t.rows.len() as u32;
    ws.autofilter(
        HEADER_ROW,
        0,
        last.saturating_sub(1).max(HEADER_ROW),
        cols - 1,
    )?;
    ws.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    ws.set_print_fit_to_pages(1, 0);
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    use std::io::{Cursor, Read};

    #[test]
    fn a_list_is_written_with_its_header_filter_and_rows() {
        let t = TableSheet {
            sheet_name: "审计日志".into(),
            title: "审计日志".into(),
            subtitle: "导出时间 2026年12月3日".into(),
            columns: vec![("序号".into(), 8.0), ("内容".into(), 40.0)],
            rows: vec![
                vec!["2".into(), "状态：计划 → 准备".into()],
                vec!["1".into()],
            ],
        };
        let bytes = table_xlsx(&t).unwrap();
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
        let range = wb.worksheet_range("审计日志").unwrap();
        let cell = |r: u32, c: u32| range.get_value((r, c)).map(|v| v.to_string());
        assert_eq!(cell(0, 0).as_deref(), Some("审计日志"));
        assert_eq!(cell(2, 1).as_deref(), Some("内容"));
        assert_eq!(cell(3, 1).as_deref(), Some("状态：计划 → 准备"));
        assert_eq!(cell(4, 0).as_deref(), Some("1"));
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut sheet = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut sheet)
            .unwrap();
        assert!(sheet.contains("<autoFilter ref=\"A3:B5\""), "{sheet}");
        assert!(sheet.contains("state=\"frozen\""), "{sheet}");
    }
}
