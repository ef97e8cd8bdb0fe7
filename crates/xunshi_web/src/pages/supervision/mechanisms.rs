//! Long-term mechanisms (当下改、长久立): the rules established or revised, with the tasks that
//! produced them, and the form the unit's principal or liaison (or the office) records them
//! with.

use crate::http::FormPairs;
use crate::http::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use xunshi_core::CoreError;
use xunshi_core::page::SortedPage;
use xunshi_core::service::MechanismEntry;
use xunshi_core::supervision::MechanismInput;

use super::followups::{TaskChoice, task_choices};
use super::{Choice, filter_choices, inspection_label, link, opt_id};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;
use crate::http::filters::{MechanismParams, given};
use crate::pages::pager::{Asked, Pager};
use crate::pages::{FormErrors, Frame, OrPage, PageResult, error_page, render, see_other};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision/mechanisms", get(list).post(record))
        .route("/supervision/mechanisms/new", get(new))
}

struct Row {
    title: String,
    kind: &'static str,
    doc_no: String,
    issued_on: String,
    team: String,
    unit: String,
    tasks: Vec<(String, String)>,
}

impl Row {
    fn of(e: &MechanismEntry) -> Row {
        let m = &e.mechanism;
        Row {
            title: m.title.clone(),
            kind: if m.is_new { "新建" } else { "修订" },
            doc_no: m.doc_no.clone(),
            issued_on: m.issued_on.to_string(),
            team: e.team_name.clone(),
            unit: e.unit_name.clone(),
            tasks: e
                .tasks
                .iter()
                .map(|t| (t.id.to_string(), format!("{} {}", t.seq, t.measure)))
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "mechanisms.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    inspections: Vec<Choice>,
    units: Vec<Choice>,
    filtered: bool,
    q: String,
    total: i64,
    pages: Pager,
    may_record: bool,
    new_link: String,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    inspection_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    task_id: String,
    notice: Option<String>,
}

async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ListQuery>,
    Query(sq): Query<MechanismParams>,
) -> PageResult {
    let actor = &user.actor;
    // The parser of the API's list: a filter that cannot be read is refused, not dropped.
    let asked = Asked::read(sq.filter().and_then(|f| Ok((f, sq.sorted()?))), actor)?;
    let list = match &asked.filter {
        Some(f) => app
            .services
            .mechanisms_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let pages = Pager::of(
        "/supervision/mechanisms",
        &sq.query(),
        &asked,
        &list,
        sq.page,
    );
    let picks = app
        .services
        .rectifying_inspections(actor)
        .await
        .or_page(actor)?;
    let may_record = picks.iter().any(|i| {
        i.units
            .iter()
            .any(|u| app.services.may_record_mechanism(actor, u.id))
    });
    let (inspections, units) = filter_choices(&picks, &q.inspection_id, &q.unit_id);
    let page = ListPage {
        frame: Frame::new(&app, &user, "长效机制", "/supervision/mechanisms")
            .await
            .with_notice(q.notice.as_deref())
            .with_error(asked.refused.as_ref()),
        rows: list.items.iter().map(Row::of).collect(),
        inspections,
        units,
        filtered: !(q.inspection_id.is_empty()
            && q.unit_id.is_empty()
            && q.task_id.is_empty()
            && given(&sq.q).is_none()),
        q: given(&sq.q).unwrap_or_default().to_owned(),
        total: list.total,
        pages,
        may_record,
        new_link: link(
            "/supervision/mechanisms/new",
            &[("inspection_id", &q.inspection_id)],
        ),
    };
    Ok(render(super::super::list_status(&asked.refused), &page))
}

#[derive(Default, Clone)]
struct RecordForm {
    inspection_id: String,
    unit_id: String,
    title: String,
    /// `new` or `revised`.
    kind: String,
    doc_no: String,
    issued_on: String,
    task_ids: Vec<String>,
}

impl RecordForm {
    /// Reads the form by hand: the ticked tasks arrive as repeated `task_ids` fields, which the
    /// plain form extractor cannot collect.
    fn parse(pairs: FormPairs) -> RecordForm {
        let mut f = RecordForm::default();
        for (k, v) in pairs.0 {
            match k.as_str() {
                "inspection_id" => f.inspection_id = v,
                "unit_id" => f.unit_id = v,
                "title" => f.title = v,
                "kind" => f.kind = v,
                "doc_no" => f.doc_no = v,
                "issued_on" => f.issued_on = v,
                "task_ids" => f.task_ids.push(v),
                _ => {}
            }
        }
        f
    }

    fn input(&self) -> MechanismInput {
        MechanismInput {
            inspection_id: self.inspection_id.clone(),
            unit_id: self.unit_id.clone(),
            title: self.title.clone(),
            is_new: self.kind != "revised",
            doc_no: self.doc_no.clone(),
            issued_on: self.issued_on.clone(),
            task_ids: self.task_ids.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "mechanism_form.html")]
struct FormPage {
    frame: Frame,
    choose: Vec<Choice>,
    inspection_name: String,
    units: Vec<Choice>,
    tasks: Vec<TaskChoice>,
    form: RecordForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    inspection_id: String,
    #[serde(default)]
    task_id: String,
}

async fn new(State(app): State<AppState>, user: PageUser, Query(q): Query<NewQuery>) -> PageResult {
    let form = RecordForm {
        inspection_id: q.inspection_id,
        kind: "new".into(),
        task_ids: if q.task_id.is_empty() {
            Vec::new()
        } else {
            vec![q.task_id]
        },
        ..Default::default()
    };
    render_form(&app, &user, form, FormErrors::none(), StatusCode::OK).await
}

async fn render_form(
    app: &AppState,
    user: &PageUser,
    mut form: RecordForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let frame = Frame::new(app, user, "登记长效机制", "/supervision/mechanisms").await;
    let ctx = match opt_id(&form.inspection_id) {
        Some(id) => app.services.supervision_context(actor, id).await.ok(),
        None => None,
    };
    let Some(mut ctx) = ctx else {
        let picks = app
            .services
            .rectifying_inspections(actor)
            .await
            .or_page(actor)?;
        let choose: Vec<Choice> = picks
            .iter()
            .filter(|i| {
                i.units
                    .iter()
                    .any(|u| app.services.may_record_mechanism(actor, u.id))
            })
            .map(|i| Choice::new(i.id.to_string(), inspection_label(i), ""))
            .collect();
        let page = FormPage {
            frame,
            choose,
            inspection_name: String::new(),
            units: Vec::new(),
            tasks: Vec::new(),
            form,
            errors,
        };
        return Ok(render(status, &page));
    };
    // Only the units the actor records for, and their tasks.
    ctx.inspection
        .units
        .retain(|u| app.services.may_record_mechanism(actor, u.id));
    if ctx.inspection.units.is_empty() {
        return Err(CoreError::Forbidden(
            "长效机制由本单位主要负责人、联络员或巡视办登记".into(),
        ))
        .or_page(actor);
    }
    let units: Vec<_> = ctx.inspection.units.iter().map(|u| u.id).collect();
    ctx.tasks.retain(|t| units.contains(&t.unit_id));
    if form.unit_id.is_empty() && units.len() == 1 {
        form.unit_id = units[0].to_string();
    }
    let page = FormPage {
        frame,
        choose: Vec::new(),
        inspection_name: inspection_label(&ctx.inspection),
        units: ctx
            .inspection
            .units
            .iter()
            .map(|u| Choice::new(u.id.to_string(), u.name.clone(), &form.unit_id))
            .collect(),
        tasks: task_choices(&ctx, &form.task_ids),
        form,
        errors,
    };
    Ok(render(status, &page))
}

async fn record(State(app): State<AppState>, user: PageUser, pairs: FormPairs) -> PageResult {
    let actor = &user.actor;
    let f = RecordForm::parse(pairs);
    match app.services.record_mechanism(actor, &f.input()).await {
        Ok(m) => Ok(see_other(
            &link(
                "/supervision/mechanisms",
                &[
                    ("inspection_id", &m.inspection_id.to_string()),
                    ("unit_id", &m.unit_id.to_string()),
                ],
            ),
            "created",
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => render_form(&app, &user, f, FormErrors::from_error(&e), status_of(&e)).await,
    }
}
