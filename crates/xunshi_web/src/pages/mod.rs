//! The pages officials use: server-rendered, in Chinese, through auto-escaping templates.
//! Every page handler takes a [`PageUser`] and calls the same services as the API.

mod account;
mod audit;
mod calendar;
mod clues;
mod dashboard;
mod deadline_changes;
pub(crate) mod disclosure;
mod feedback;
mod fieldwork;
mod fieldwork_record;
mod filings;
mod home;
mod inspections;
mod leadership;
mod ledger;
mod letters;
mod levels;
mod messages;
mod node_conflicts;
mod nodes;
mod notices;
mod pager;
mod papers;
mod patterns;
mod personnel;
mod planning;
mod public_letters;
mod rect_import;
mod rectify;
mod reports;
mod retention;
mod search;
mod sign_on;
mod supervision;
mod taxonomy;
mod teams;
mod two_factor;
mod units;
mod users;
mod work_tabs;

use askama::Template;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use xunshi_core::CoreError;
use xunshi_core::error::FieldError;
use xunshi_core::permission::{Actor, Permission};
use xunshi_core::service::FrameCounts;

use crate::AppState;
use crate::auth::PageUser;
use crate::error::{public_message, status_of};
use crate::http::Rejection;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .merge(home::routes())
        .merge(account::routes())
        .merge(search::routes())
        .merge(patterns::routes())
        .merge(sign_on::routes())
        .merge(units::routes())
        .merge(users::routes())
        .merge(two_factor::routes())
        .merge(audit::routes())
        .merge(calendar::routes())
        .merge(planning::routes())
        .merge(inspections::routes())
        .merge(clues::routes())
        .merge(personnel::routes())
        .merge(teams::routes())
        .merge(papers::routes())
        .merge(letters::routes())
        .merge(fieldwork::routes())
        .merge(fieldwork_record::routes())
        .merge(notices::routes())
        .merge(reports::routes())
        .merge(feedback::routes())
        .merge(taxonomy::routes())
        .route("/static/papers.css", get(work_tabs::stylesheet))
        .merge(rectify::routes())
        .merge(rect_import::routes())
        .merge(ledger::routes())
        .merge(disclosure::routes())
        .merge(public_letters::routes())
        .merge(supervision::routes())
        .merge(dashboard::routes())
        .merge(leadership::routes())
        .merge(levels::routes())
        .merge(filings::routes())
        .merge(deadline_changes::routes())
        .merge(node_conflicts::routes())
        .merge(nodes::routes())
        .merge(retention::routes())
        .merge(messages::routes())
        .route("/static/app.css", get(stylesheet))
        .route("/static/app.js", get(script))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(page_errors))
        .layer(axum::middleware::from_fn_with_state(
            state,
            crate::auth::page_session,
        ))
}

/// Every error a page route answers is a Chinese page: a [`Rejection`] of an extractor (a form
/// that cannot be read, a refused character, a missing version) is shown with its message and
/// the fields it names; any other error without a page of its own (a wrong method, a layer's
/// refusal) gets the page for its status. The session's navigation stays around it.
async fn page_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let actor = req
        .extensions()
        .get::<crate::auth::PageSession>()
        .map(|s| s.actor.clone());
    let resp = next.run(req).await;
    finish_error(resp, actor.as_ref())
}

/// Turns an error answer that is not a page into one, keeping its status and the headers that
/// say how to go on (`Allow`, `Retry-After`).
pub fn finish_error(resp: Response, actor: Option<&Actor>) -> Response {
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let rejection = resp.extensions().get::<Rejection>().cloned();
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let r = match rejection {
        Some(r) => r,
        None if is_html => return resp,
        None => Rejection::for_status(status),
    };
    let heading = match r.status.as_u16() {
        400 => "输入有误",
        401 => "请先登录",
        403 => "无权操作",
        404 => "页面不存在",
        405 => "请求方法不正确",
        408 => "请求超时",
        409 => "操作冲突",
        413 => "提交内容过大",
        415 => "提交方式不正确",
        429 => "请求过于频繁",
        s if s >= 500 => "系统错误",
        _ => "请求有误",
    };
    let details: Vec<String> = r
        .details
        .iter()
        .map(|d| {
            // The field by the name people read on the form, not its code.
            if d.field.is_empty() {
                d.message.clone()
            } else {
                let label = xunshi_core::audit_text::field_label(&d.field);
                format!("{label}：{}", d.message)
            }
        })
        .collect();
    let text = if details.is_empty() {
        r.message.clone()
    } else {
        "请求未被接受，原因如下；请返回上一页，修改后重新提交。".to_owned()
    };
    let mut out = message_page_with(r.status, heading, &text, &details, actor);
    crate::http::carry_headers(&resp, &mut out);
    if let Some(secs) = r.retry_after {
        out.headers_mut()
            .insert(header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
    }
    out
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

/// The pages' one script: confirmations, the focus after a failed submit, the navigation's
/// fallback. Every page works without it.
async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.js"),
    )
}

async fn not_found(user: Option<PageUser>) -> Response {
    message_page(
        StatusCode::NOT_FOUND,
        "页面不存在",
        "您访问的页面不存在或已被移除。",
        user.as_ref().map(|u| &u.actor),
    )
}

/// One entry of the navigation.
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub active: bool,
    /// How many things wait there (the to-do on the home page, the unread messages).
    pub count: Option<i64>,
    /// What the count counts, for its tooltip.
    pub count_title: &'static str,
}

/// A stage of the work, as the navigation groups pages.
pub struct NavSection {
    pub label: &'static str,
    pub items: Vec<NavItem>,
}

/// The frame around every page: who is logged in, the navigation, the CSRF token for forms,
/// and a notice left by the previous action.
pub struct Frame {
    pub title: String,
    pub user_name: String,
    pub unit_name: String,
    pub roles: String,
    pub nav: Vec<NavSection>,
    pub csrf: String,
    /// The idempotency key of the forms of this page, made as it is shown: a form sent twice
    /// (a double click) makes one record and gets one answer (`http::idempotency`).
    pub idem: String,
    pub notice: Option<&'static str>,
    /// A message about the request as a whole (a filter that could not be read), shown on top.
    pub error: Option<String>,
    pub logged_in: bool,
    /// Set on a team's node (`WebConfig::node`): shown on top of every page.
    pub node: Option<String>,
}

impl Frame {
    /// Builds the frame for `path`, showing only what the actor may open.
    pub async fn new(app: &AppState, user: &PageUser, title: &str, path: &str) -> Frame {
        // The unit's name, what waits for the person (beside the home page that lists it) and
        // the unread messages (beside the inbox). A page is still shown if they cannot be
        // read: the home page itself says why.
        let counts = app
            .services
            .frame_counts(&user.actor)
            .await
            .unwrap_or_default();
        Frame::with_counts(app, user, title, path, counts)
    }

    /// The frame with its counts already read (the home page reads them with its to-do).
    pub fn with_counts(
        app: &AppState,
        user: &PageUser,
        title: &str,
        path: &str,
        counts: FrameCounts,
    ) -> Frame {
        let actor = &user.actor;
        let u = user.user();
        let mut roles: Vec<&str> = actor.grants().iter().map(|g| g.role.label()).collect();
        roles.dedup();
        let mut nav = nav_for(actor, path);
        for item in nav.iter_mut().flat_map(|s| s.items.iter_mut()) {
            let count = match item.href {
                "/" => counts.waiting,
                "/messages" => counts.unread,
                _ => continue,
            };
            item.count = Some(count).filter(|n| *n > 0);
        }
        Frame {
            title: title.to_owned(),
            user_name: u.display_name.clone(),
            unit_name: counts.unit_name.unwrap_or_default(),
            roles: roles.join("、"),
            nav,
            csrf: user.csrf.clone(),
            idem: crate::http::idempotency::new_key(),
            notice: None,
            error: None,
            logged_in: true,
            node: app.config.node.clone(),
        }
    }

    /// The frame of pages seen before log-in.
    pub fn public(title: &str, csrf: String) -> Frame {
        Frame {
            title: title.to_owned(),
            user_name: String::new(),
            unit_name: String::new(),
            roles: String::new(),
            nav: Vec::new(),
            csrf,
            idem: crate::http::idempotency::new_key(),
            notice: None,
            error: None,
            logged_in: false,
            node: None,
        }
    }

    pub fn with_notice(mut self, code: Option<&str>) -> Self {
        self.notice = code.and_then(notice_text);
        self
    }

    /// The frame with a message about the request on top, such as a filter that was refused.
    pub fn with_error(mut self, e: Option<&CoreError>) -> Self {
        self.error = e.map(|e| match e {
            CoreError::BadInput(fields) | CoreError::Unfit(fields) => fields
                .iter()
                .map(|f| format!("{}：{}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("；"),
            other => public_message(other),
        });
        self
    }
}

/// Notices are passed between pages as codes, so no text from a URL reaches the page.
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已创建。",
        "saved" => "已保存。",
        "withdrawn" => "已撤销。",
        "granted" => "已授予角色。",
        "revoked" => "已收回。",
        "disabled" => "账号已停用。",
        "enabled" => "账号已启用。",
        "password" => "密码已重置。",
        "token" => "令牌已吊销。",
        "password_changed" => "密码已修改，请用新密码重新登录。",
        "logged_out" => "您已安全退出。",
        "approved" => "已记录组务会审议通过。",
        "signed" => "组长已签批。",
        "returned" => "已退回修改。",
        "uploaded" => "文件已上传。",
        "file_withdrawn" => "文件已撤回。",
        "announced" => "巡视公告已保存。",
        "planned" => "已列入谈话计划。",
        "talk_recorded" => "个别谈话已登记。",
        "doc_sent" => "调阅通知已发出。",
        "doc_returned" => "已登记退还材料。",
        "record_added" => "工作记录已登记，可在下方上传会议记录、测评汇总表等附件。",
        "cited" => "已添加依据材料。",
        "issued" => "立行立改通知已下发。",
        "answered" => "答复已提交。",
        "reviewed" => "已审核答复。",
        "acknowledged" => "已确认知悉期限调整。",
        "message_read" => "消息已标为已读。",
        "messages_read" => "全部消息已标为已读。",
        "email_saved" => "电子邮箱已保存。",
        "calendar_recounted" => {
            "已保存。按新安排调整的整改期限已重新计算，相关单位将在工作台看到调整通知。"
        }
        "version_added" => "新稿已保存。",
        "decided" => "审批意见已记录。",
        "verified" => "核查结论已记录。",
        "checkpoint_written" => "检查点已签名保存：审计日志的最新记录已固定。",
        "checkpoint_unchanged" => "最新检查点已固定审计日志的最新记录，无需再生成。",
        "two_factor_begun" => "已生成密钥：请用身份验证器添加后，输入其显示的动态口令完成设置。",
        "two_factor_enabled" => "两步验证已启用。请立即抄下或打印下面的恢复码。",
        "two_factor_disabled" => "两步验证已停用。",
        "two_factor_reset" => "已重置该账号的两步验证，其现有登录会话已结束。",
        "disposal_proposed" => "销毁申请已提交，须由另一名办公室人员批准后执行。",
        "disposal_done" => "已批准并执行销毁，所销毁记录的哈希已记入审计日志。",
        "disposal_rejected" => "销毁申请已退回。",
        "node_conflict_decided" => "已裁定，记入审计日志。",
        "filed" => "已向上级报备，等待上级巡视巡察办阅知。",
        "filing_answered" => "已答复报备，下级巡察办将收到消息。",
        "feedback_given" => "已反馈。被巡视单位现可查阅反馈意见，整改时限自反馈日期起算。",
        _ => return None,
    })
}

fn nav_for(actor: &Actor, path: &str) -> Vec<NavSection> {
    let item = |label, href: &'static str| NavItem {
        label,
        href,
        active: path == href || (href != "/" && path.starts_with(href)),
        count: None,
        count_title: if href == "/messages" {
            "未读消息"
        } else {
            "待办事项"
        },
    };
    let mut sections = vec![NavSection {
        label: "工作台",
        items: vec![item("待办事项", "/"), item("我的消息", "/messages")],
    }];
    // By stage of the work, as officials look for it: 计划 / 巡视 / 整改 / 督办 / 统计 / 系统管理.
    let mut plan = Vec::new();
    if xunshi_core::service::may_view_plans(actor) {
        plan.push(item("届次与轮次", "/planning"));
        plan.push(item("全覆盖情况", "/planning/coverage"));
    }
    if actor.can(Permission::ManagePlanning) {
        plan.push(item("档案保管与销毁", "/archive/retention"));
    }
    if xunshi_core::service::may_run_nodes(actor) {
        plan.push(item("离线节点", "/nodes"));
        plan.push(item("离线节点冲突", "/node-conflicts"));
    }
    let mut inspect = vec![item("巡视任务", "/inspections")];
    if actor.can(Permission::ViewPersonnel) {
        inspect.push(item("干部人才库", "/personnel"));
    }
    // The unit answers the immediate-fix notices and the requests for documents addressed to
    // it during an inspection.
    if actor.grants().iter().any(|g| {
        matches!(
            g.role,
            xunshi_core::role::Role::UnitPrincipal | xunshi_core::role::Role::UnitLiaison
        )
    }) {
        inspect.push(item("立行立改通知", "/notices"));
        inspect.push(item("调阅材料", "/fieldwork/doc-requests"));
    }
    if clues::shows_clues(actor) {
        inspect.push(item("问题线索", "/clues"));
        if xunshi_core::clue::may_configure(actor) {
            inspect.push(item("线索办理时限", "/clue-settings"));
        }
    }
    let mut rectification = Vec::new();
    if rectify::shows_rectification(actor) {
        rectification.push(item("整改方案", "/rectification"));
        rectification.push(item("整改台账", "/rectification/tasks"));
    }
    if disclosure::shows_disclosure(actor) {
        rectification.push(item("整改报告", "/rectification/reports"));
        rectification.push(item("整改进展通报", "/rectification/notices"));
    }
    rectification.push(item("公开的整改通报", "/public/notices"));
    let mut supervise = Vec::new();
    let mut stats = Vec::new();
    if xunshi_core::service::may_view_levels(actor) {
        stats.push(item("分级汇总", "/levels"));
    }
    if xunshi_core::service::may_view_filings(actor) {
        plan.push(item("上下级报备", "/filings"));
    }
    if xunshi_core::leadership::may_view(actor) {
        stats.push(item("领导视图", "/leadership"));
    }
    if supervision::shows_supervision(actor) {
        supervise.push(item("督办通知", "/supervision/followups"));
        supervise.push(item("追责问责", "/supervision/accountability"));
        supervise.push(item("长效机制", "/supervision/mechanisms"));
        supervise.push(item("整改时限规则", "/supervision/deadlines"));
        stats.push(item("整改统计", "/dashboard"));
    }
    if patterns::shows_clusters(actor) {
        stats.push(item("同类问题分析", "/patterns"));
    }
    if patterns::shows_recurrences(actor) {
        stats.push(item("整改不到位问题", "/patterns/recurrences"));
    }
    for (label, items) in [
        ("计划", plan),
        ("巡视", inspect),
        ("整改", rectification),
        ("督办", supervise),
        ("统计", stats),
    ] {
        if !items.is_empty() {
            sections.push(NavSection { label, items });
        }
    }
    let mut admin = Vec::new();
    if actor.can(Permission::ViewUnits) {
        admin.push(item("组织机构", "/units"));
    }
    if actor.can(Permission::ViewUsers) {
        admin.push(item("用户与角色", "/users"));
    }
    if actor.can(Permission::ViewAudit) {
        admin.push(item("审计日志", "/system/audit"));
    }
    admin.push(item("节假日安排", "/system/calendar"));
    if actor.can(Permission::ManageTaxonomy) {
        admin.push(item("问题分类", "/system/taxonomy"));
    }
    if actor.can(Permission::ManageSecurity) {
        admin.push(item("登录安全", "/system/security"));
    }
    admin.push(item("我的账号", "/account"));
    sections.push(NavSection {
        label: "系统管理",
        items: admin,
    });
    // Only the most specific entry is current: /planning/coverage is not also /planning.
    let best = sections
        .iter()
        .flat_map(|s| s.items.iter())
        .filter(|i| i.active)
        .map(|i| i.href.len())
        .max();
    for item in sections.iter_mut().flat_map(|s| s.items.iter_mut()) {
        item.active = item.active && Some(item.href.len()) == best;
    }
    sections
}

/// A list's filter as its shared parser (`http::filters`) read it: the filter, or — for a value
/// that cannot be read — no filter and the refusal, which the page shows on top of an empty list
/// with status 400. Any other error stays an error.
pub fn filter_or_refusal<F>(
    r: Result<F, CoreError>,
    actor: &Actor,
) -> Result<(Option<F>, Option<CoreError>), PageError> {
    match r {
        Ok(f) => Ok((Some(f), None)),
        Err(e @ CoreError::BadInput(_)) => Ok((None, Some(e))),
        Err(e) => Err(e).or_page(actor),
    }
}

/// 400 when the page shows a refusal of its filters, otherwise 200.
pub fn list_status(refused: &Option<CoreError>) -> StatusCode {
    if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}

/// Field messages of a form, shown next to each field.
#[derive(Default)]
pub struct FormErrors {
    fields: Vec<FieldError>,
    /// A message about the form as a whole.
    pub general: Option<String>,
}

impl FormErrors {
    pub fn none() -> Self {
        Self::default()
    }

    /// Splits an error into messages by field; errors that concern no field go on top.
    pub fn from_error(e: &CoreError) -> Self {
        match e {
            CoreError::BadInput(fields) | CoreError::Unfit(fields) => FormErrors {
                fields: fields.clone(),
                general: Some("请修改标红的项目后重新提交。".to_owned()),
            },
            other => FormErrors {
                fields: Vec::new(),
                general: Some(public_message(other)),
            },
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
    }

    /// Messages about rows of an imported text ("第 N 行"), which no single field holds.
    pub fn rows(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.field.starts_with('第'))
            .map(|f| format!("{}：{}", f.field, f.message))
            .collect()
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    frame: Frame,
    heading: &'a str,
    text: &'a str,
    details: &'a [String],
}

/// A page that only says something, such as an error, with the status to match.
pub fn message_page(
    status: StatusCode,
    heading: &str,
    text: &str,
    actor: Option<&Actor>,
) -> Response {
    message_page_with(status, heading, text, &[], actor)
}

/// A message page with a list of particulars under the text (the fields that were wrong).
fn message_page_with(
    status: StatusCode,
    heading: &str,
    text: &str,
    details: &[String],
    actor: Option<&Actor>,
) -> Response {
    let frame = plain_frame(heading, crate::auth::current_csrf(), actor);
    render(
        status,
        &MessagePage {
            frame,
            heading,
            text,
            details,
        },
    )
}

/// The frame of a page that is not a section's (a message, a question): the person's name and
/// navigation when someone is logged in, without the counts the sections' frames read.
fn plain_frame(heading: &str, csrf: String, actor: Option<&Actor>) -> Frame {
    let mut frame = Frame::public(heading, csrf);
    if let Some(a) = actor {
        frame.logged_in = true;
        frame.user_name = a
            .as_user()
            .map(|u| u.display_name.clone())
            .unwrap_or_default();
        frame.nav = nav_for(a, "");
    }
    frame
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage<'a> {
    frame: Frame,
    question: &'a str,
    action: &'a str,
    fields: &'a [(String, String)],
    back: &'a str,
}

/// The field of a form that asks before it is carried out: its value is the question.
pub const CONFIRM_FIELD: &str = "_confirm";
/// The field that says the question was answered yes (set by static/app.js, or by the
/// confirmation page).
pub const CONFIRMED_FIELD: &str = "_confirmed";

/// A form that cannot be taken back asks first. static/app.js asks in the browser and adds
/// `_confirmed`; without a script the form arrives without it, and is answered here with a
/// page that asks the question and sends the same form again, confirmed. Nothing is done
/// until then. `None` when the form needs no question or has its answer.
pub fn confirmation(
    action: &str,
    form: &[u8],
    referer: Option<&str>,
    actor: Option<&Actor>,
    csrf: &str,
) -> Option<Response> {
    let fields: Vec<(String, String)> = form_urlencoded::parse(form).into_owned().collect();
    let question = fields.iter().find(|(k, _)| k == CONFIRM_FIELD)?.1.clone();
    if fields.iter().any(|(k, _)| k == CONFIRMED_FIELD) {
        return None;
    }
    // Back to the page the form was on, when it is one of this site's; else home.
    let back = referer
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned());
    let frame = plain_frame("请确认", csrf.to_owned(), actor);
    Some(render(
        StatusCode::OK,
        &ConfirmPage {
            frame,
            question: &question,
            action,
            fields: &fields,
            back: &back,
        },
    ))
}

/// The page for an error of a service.
pub fn error_page(e: &CoreError, actor: Option<&Actor>) -> Response {
    let heading = match e {
        CoreError::Forbidden(_) => "无权操作",
        CoreError::NotFound(_) => "未找到",
        CoreError::StaleVersion(_) | CoreError::Conflict(_) => "操作冲突",
        CoreError::RuleRefused(_) => "不能执行此操作",
        CoreError::Unfit(_) => "输入不能接受",
        CoreError::Unauthenticated(_) => "请先登录",
        CoreError::BadInput(_) => "输入有误",
        CoreError::Unavailable(_) => "暂时无法办理",
        CoreError::Internal(_) => "系统错误",
    };
    message_page(status_of(e), heading, &public_message(e), actor)
}

/// An error of a page handler, shown as a page; `?` works on service results through
/// [`OrPage`].
pub struct PageError {
    error: CoreError,
    actor: Option<Box<Actor>>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.error, self.actor.as_deref())
    }
}

pub type PageResult = Result<Response, PageError>;

pub trait OrPage<T> {
    /// Turns a service error into the error page, with the actor's navigation around it.
    fn or_page(self, actor: &Actor) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, CoreError> {
    fn or_page(self, actor: &Actor) -> Result<T, PageError> {
        self.map_err(|error| PageError {
            error,
            actor: Some(Box::new(actor.clone())),
        })
    }
}

pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "页面生成失败").into_response()
        }
    }
}

pub fn ok<T: Template>(t: &T) -> Response {
    render(StatusCode::OK, t)
}

/// After a successful form: back to a page, with a notice.
pub fn see_other(path: &str, notice: &str) -> Response {
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}notice={notice}")).into_response()
}

/// Formats a timestamp for people: China time, to the minute.
pub fn local_time(t: jiff::Timestamp) -> String {
    t.in_tz("Asia/Shanghai")
        .map(|z| z.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| t.to_string())
}
