//! A round's or a term's clusters of recurring problems as a workbook, for the page and the API
//! alike.

use axum::response::Response;
use xunshi_core::CoreError;
use xunshi_core::service::ClusterExport;
use xunshi_office::{TableSheet, table_xlsx};

use super::files::attachment;

/// The workbook of a round's or a term's clusters: one row per cluster, the most widespread
/// first, with the units it spans and how many of its problems each has (and, for a term, the
/// rounds its problems were found in).
pub fn clusters_xlsx(x: &ClusterExport) -> Result<Response, CoreError> {
    let listed = x.clusters.len();
    let subtitle = format!(
        "共{}组同类问题{}；计算时间：{}",
        x.total,
        if i64::try_from(listed).unwrap_or(i64::MAX) < x.total {
            format!("，本表列出涉及单位最多的{listed}组")
        } else {
            String::new()
        },
        x.computed_at.as_deref().unwrap_or("尚未计算")
    );
    let mut columns = vec![
        ("序号".into(), 6.0),
        ("共性问题（代表问题）".into(), 48.0),
        ("问题类别".into(), 22.0),
        ("涉及单位数".into(), 10.0),
    ];
    if x.of_term {
        columns.push(("涉及轮次数".into(), 10.0));
    }
    columns.extend([("问题数".into(), 8.0), ("涉及单位及问题数".into(), 60.0)]);
    let sheet = TableSheet {
        sheet_name: "同类问题".into(),
        title: format!("{}同类问题分析", x.name),
        subtitle,
        columns,
        rows: x
            .clusters
            .iter()
            .map(|c| {
                let mut row = vec![
                    c.cluster.seq.to_string(),
                    c.cluster.title.clone(),
                    c.cluster.category_name.clone(),
                    c.cluster.units.to_string(),
                ];
                if x.of_term {
                    row.push(c.cluster.rounds.to_string());
                }
                row.extend([
                    c.cluster.problems.to_string(),
                    c.units
                        .iter()
                        .map(|(name, n)| format!("{name}（{n}）"))
                        .collect::<Vec<_>>()
                        .join("、"),
                ]);
                row
            })
            .collect(),
    };
    let bytes = table_xlsx(&sheet).map_err(CoreError::internal)?;
    Ok(attachment(
        bytes,
        xunshi_office::XLSX_CONTENT_TYPE,
        &format!("{}同类问题分析", x.name),
        "xlsx",
    ))
}
