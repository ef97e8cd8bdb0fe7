//! Accountability (追责问责): the records of an inspection's units and the form the office and
//! the supervisors record them with. The measure is picked from the lists (a list, then an
//! item of it), so nothing outside them can be typed.

use crate::http::Form;
use crate::http::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use xunshi_core::CoreError;
use xunshi_core::page::SortedPage;
use xunshi_core::rectify::{Form as DisciplineForm, MEASURES};
use xunshi_core::service::AccountabilityEntry;
use xunshi_core::supervision::{AccountabilityInput, split_measure};

use super::followups::{TaskChoice, task_choices};
use super::{Choice, filter_choices, inspection_label, link, opt_id};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;
use crate::http::filters::{AccountabilityParams, given};
use crate::pages::pager::{Asked, Pager};
use crate::pages::{FormErrors, Frame, OrPage, PageResult, error_page, render, see_other};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision/accountability", get(list).post(record))
        .route("/supervision/accountability/new", get(new))
}

struct Row {
    person: String,
    post: String,
    team: String,
    unit: String,
    problem: String,
    task: Option<(String, String)>,
    form: &'static str,
    measure_list: String,
    measure: String,
    deciding_body: String,
    decided_on: String,
}

impl Row {
    fn of(e: &AccountabilityEntry) -> Row {
        let a = &e.record;
        let (list, measure) = split_measure(&a.measure);
        Row {
            person: a.person.clone(),
            post: a.post.clone(),
            team: e.team_name.clone(),
            unit: e.unit_name.clone(),
            problem: e.problem_title.clone().unwrap_or_default(),
            task: e
                .task
                .as_ref()
                .map(|t| (t.id.to_string(), format!("{} {}", t.seq, t.measure))),
            form: a.form.label(),
            measure_list: list.to_owned(),
            measure: measure.to_owned(),
            deciding_body: a.deciding_body.clone(),
            decided_on: a.decided_on.to_string(),
        }
    }
}

fn forms(current: &str) -> Vec<Choice> {
    DisciplineForm::ALL
        .iter()
        .map(|f| Choice::new(f.as_str(), f.label(), current))
        .collect()
}

#[derive(Template)]
#[template(path = "accountability.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    inspections: Vec<Choice>,
    units: Vec<Choice>,
    forms: Vec<Choice>,
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
    #[serde(default)]
    form: String,
    notice: Option<String>,
}

async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ListQuery>,
    Query(sq): Query<AccountabilityParams>,
) -> PageResult {
    let actor = &user.actor;
    // The parser of the API's list: a filter that cannot be read is refused, not dropped.
    let asked = Asked::read(sq.filter().and_then(|f| Ok((f, sq.sorted()?))), actor)?;
    let list = match &asked.filter {
        Some(f) => app
            .services
            .accountability_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let pages = Pager::of(
        "/supervision/accountability",
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
    let (inspections, units) = filter_choices(&picks, &q.inspection_id, &q.unit_id);
    let page = ListPage {
        frame: Frame::new(&app, &user, "追责问责", "/supervision/accountability")
            .await
            .with_notice(q.notice.as_deref())
            .with_error(asked.refused.as_ref()),
        rows: list.items.iter().map(Row::of).collect(),
        inspections,
        units,
        forms: forms(&q.form),
        filtered: !(q.inspection_id.is_empty()
            && q.unit_id.is_empty()
            && q.task_id.is_empty()
            && q.form.is_empty()
            && given(&sq.q).is_none()),
        q: given(&sq.q).unwrap_or_default().to_owned(),
        total: list.total,
        pages,
        may_record: app.services.may_supervise(actor),
        new_link: link(
            "/supervision/accountability/new",
            &[("inspection_id", &q.inspection_id)],
        ),
    };
    Ok(render(super::super::list_status(&asked.refused), &page))
}

#[derive(Deserialize, Default, Clone)]
struct RecordForm {
    #[serde(default)]
    inspection_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    task_id: String,
    #[serde(default)]
    problem_id: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    form: String,
    /// "list：measure", as the grouped picker sends it.
    #[serde(default)]
    measure: String,
    #[serde(default)]
    deciding_body: String,
    #[serde(default)]
    decided_on: String,
}

impl RecordForm {
    fn input(&self) -> AccountabilityInput {
        let (list, measure) = split_measure(&self.measure);
        AccountabilityInput {
            inspection_id: self.inspection_id.clone(),
            unit_id: self.unit_id.clone(),
            task_id: Some(self.task_id.clone()),
            problem_id: Some(self.problem_id.clone()),
            person: self.person.clone(),
            post: self.post.clone(),
            form: self.form.clone(),
            measure_list: list.to_owned(),
            measure: measure.to_owned(),
            deciding_body: self.deciding_body.clone(),
            decided_on: self.decided_on.clone(),
        }
    }
}

/// One list of measures, as an option group.
struct MeasureGroup {
    list: &'static str,
    items: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "accountability_form.html")]
struct FormPage {
    frame: Frame,
    choose: Vec<Choice>,
    inspection_name: String,
    units: Vec<Choice>,
    problems: Vec<Choice>,
    tasks: Vec<TaskChoice>,
    forms: Vec<Choice>,
    measures: Vec<MeasureGroup>,
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
        task_id: q.task_id,
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
    if !app.services.may_supervise(actor) {
        return Err(CoreError::Forbidden(
            "只有巡视办、纪委监委和组织部可以登记追责问责情况".into(),
        ))
        .or_page(actor);
    }
    let frame = Frame::new(app, user, "登记追责问责", "/supervision/accountability").await;
    let ctx = match opt_id(&form.inspection_id) {
        Some(id) => app.services.supervision_context(actor, id).await.ok(),
        None => None,
    };
    let measures = MEASURES
        .iter()
        .map(|(list, items)| MeasureGroup {
            list,
            items: items
                .iter()
                .map(|m| Choice::new(format!("{list}：{m}"), *m, &form.measure))
                .collect(),
        })
        .collect();
    let Some(ctx) = ctx else {
        let picks = app
            .services
            .rectifying_inspections(actor)
            .await
            .or_page(actor)?;
        let page = FormPage {
            frame,
            choose: picks
                .iter()
                .map(|i| Choice::new(i.id.to_string(), inspection_label(i), ""))
                .collect(),
            inspection_name: String::new(),
            units: Vec::new(),
            problems: Vec::new(),
            tasks: Vec::new(),
            forms: Vec::new(),
            measures,
            form,
            errors,
        };
        return Ok(render(status, &page));
    };
    if form.unit_id.is_empty() && ctx.inspection.units.len() == 1 {
        form.unit_id = ctx.inspection.units[0].id.to_string();
    }
    let several = ctx.inspection.units.len() > 1;
    let problems = ctx
        .problems
        .iter()
        .map(|p| {
            let unit = ctx
                .inspection
                .units
                .iter()
                .find(|u| u.id == p.unit_id)
                .map(|u| u.name.as_str())
                .unwrap_or_default();
            let label = if several {
                format!("{unit} · {}：{}", p.category_name, p.title)
            } else {
                format!("{}：{}", p.category_name, p.title)
            };
            Choice::new(p.id.to_string(), label, &form.problem_id)
        })
        .collect();
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
        problems,
        tasks: task_choices(&ctx, std::slice::from_ref(&form.task_id)),
        forms: forms(&form.form),
        measures,
        form,
        errors,
    };
    Ok(render(status, &page))
}

async fn record(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<RecordForm>,
) -> PageResult {
    let actor = &user.actor;
    match app.services.record_accountability(actor, &f.input()).await {
        Ok(a) => Ok(see_other(
            &link(
                "/supervision/accountability",
                &[
                    ("inspection_id", &a.inspection_id.to_string()),
                    ("unit_id", &a.unit_id.to_string()),
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
