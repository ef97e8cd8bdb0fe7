//! The audit trail: one typed action for every state change, written in the same transaction as
//! the change, and chained by hash so that an edit, deletion or reordering shows.
//!
//! Record `n` stores `hash(n) = SHA-256(prev_hash ‖ canonical fields of n)`, with `prev_hash`
//! the hash of record `n − 1` (64 zeros for the first). The store also keeps a head row holding
//! the count and the last hash, so that deleting the newest records shows too.

use crate::crypto::HashAlg;
use serde::{Deserialize, Serialize};

use crate::anchor::SignedCheckpoint;
use crate::id::Id;

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Every kind of change the system records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    AdminBootstrapped,
    LoginSucceeded,
    LoginFailed,
    AccountLocked,
    LoggedOut,
    PasswordChanged,
    TwoFactorEnabled,
    TwoFactorDisabled,
    TwoFactorReset,
    RecoveryCodeUsed,
    TwoFactorPolicySet,
    /// The installation's algorithms switched: the chain re-hashed, the sealed fields sealed
    /// again and the stored files renamed by the new hash.
    CryptoSwitched,
    PasswordReset,
    /// An account's e-mail address for messages set, changed or cleared.
    EmailChanged,
    TokenCreated,
    TokenRevoked,
    UnitCreated,
    UnitUpdated,
    UnitWithdrawn,
    UserCreated,
    /// An account made at its first log-in for a person the directory accepted.
    UserProvisioned,
    UserUpdated,
    UserDisabled,
    UserEnabled,
    GrantAdded,
    GrantRevoked,
    TermCreated,
    PlanCreated,
    RoundCreated,
    InspectionCreated,
    /// An inspection fed back before the system was in use, created from the unit's ledger.
    InspectionImported,
    InspectionUpdated,
    InspectionStageChanged,
    InspectorCreated,
    InspectorUpdated,
    InspectorWithdrawn,
    TeamMemberAppointed,
    RecusalOverridden,
    TeamMemberWithdrawn,
    RecusalRuleChanged,
    UnitLocalitySet,
    CalendarYearImported,
    /// A stored deadline counted again when a year's holiday arrangement was entered.
    DeadlineRecomputed,
    /// A unit took note of a deadline that moved.
    DeadlineChangeAcknowledged,
    ClueRegistered,
    ClueUpdated,
    ClueRead,
    ClueTransferred,
    ClueDisposed,
    ClueSettingsUpdated,
    TaxonomyVersionCreated,
    CategoryCreated,
    ProblemCreated,
    ProblemUpdated,
    ProblemApproved,
    ProblemSigned,
    ProblemReturned,
    ProblemWithdrawn,
    ProblemViewed,
    EvidenceUploaded,
    EvidenceWithdrawn,
    EvidenceDownloaded,
    NoticeIssued,
    NoticeAnswered,
    NoticeReviewed,
    ReportCreated,
    ReportVersionCreated,
    ReportStepRecorded,
    ReportViewed,
    FeedbackSaved,
    FeedbackGiven,
    RectPlanCreated,
    RectPlanUpdated,
    RectPlanSubmitted,
    RectPlanApproved,
    RectPlanReturned,
    TaskAdded,
    TaskUpdated,
    TaskWithdrawn,
    /// An earlier inspection's task carried into a unit's new plan (回头看, 一并落实).
    TaskCarried,
    TaskUncarried,
    TaskProgressReported,
    TaskCompletionClaimed,
    TaskEvidenceUploaded,
    TaskEvidenceWithdrawn,
    TaskClosed,
    TaskRejected,
    TaskChangeRequested,
    TaskChangeApproved,
    TaskChangeRefused,
    RectDocumentDrafted,
    RectDocumentRevised,
    RectDocumentSubmitted,
    PublicNoticeApproved,
    PublicNoticeReturned,
    PublicNoticeWithdrawn,
    PublicNoticeSuperseded,
    PublicNoticeNeedsReview,
    PublicNoticeRepublished,
    DeadlineRuleUpdated,
    CommitteeRuleAdded,
    CommitteeRuleRemoved,
    WarnDaysUpdated,
    FollowUpIssued,
    FollowUpAnswered,
    AccountabilityRecorded,
    MechanismRecorded,
    AnnouncementSaved,
    LetterReceived,
    LetterRegistered,
    LetterHandled,
    LetterNoteAdded,
    LetterFileAdded,
    WriterRevealed,
    LetterHandlerSet,
    TalkPlanned,
    TalkRecorded,
    TalkViewed,
    DocRequestSent,
    DocRequestAnswered,
    DocRequestReturned,
    FieldRecordAdded,
    FieldRecordFileAdded,
    SourceCited,
    /// The archive package of an archived inspection was made: every record it holds, read.
    ArchivePackaged,
    /// The period of a kind of archived record was set (保管期限).
    RetentionRuleChanged,
    /// The disposal of an archived inspection's records past their period was asked for.
    DisposalProposed,
    /// A second office user approved a disposal and the records went; the record holds the
    /// hash of each.
    DisposalCarriedOut,
    /// A second office user turned a disposal down.
    DisposalRejected,
    /// An inspection's on-site work was written into a bundle for its team's standalone
    /// machine (离线节点): every record the bundle holds, read.
    NodePaired,
    NodeExported,
    /// The work of a team's node came back and was taken in: its rows, its conflicts.
    NodeImported,
    /// One record of a node's own trail, appended to the office's with the node's sequence
    /// number, time, actor and hash in its summary.
    NodeRecord,
    /// The office decided whose row stands of a record both sides changed.
    NodeConflictDecided,
    FilingSubmitted,
    FilingAnswered,
    FilingViewed,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::AdminBootstrapped,
        Action::LoginSucceeded,
        Action::LoginFailed,
        Action::AccountLocked,
        Action::LoggedOut,
        Action::PasswordChanged,
        Action::TwoFactorEnabled,
        Action::TwoFactorDisabled,
        Action::TwoFactorReset,
        Action::RecoveryCodeUsed,
        Action::TwoFactorPolicySet,
        Action::CryptoSwitched,
        Action::PasswordReset,
        Action::EmailChanged,
        Action::TokenCreated,
        Action::TokenRevoked,
        Action::UnitCreated,
        Action::UnitUpdated,
        Action::UnitWithdrawn,
        Action::UserCreated,
        Action::UserProvisioned,
        Action::UserUpdated,
        Action::UserDisabled,
        Action::UserEnabled,
        Action::GrantAdded,
        Action::GrantRevoked,
        Action::TermCreated,
        Action::PlanCreated,
        Action::RoundCreated,
        Action::InspectionCreated,
        Action::InspectionImported,
        Action::InspectionUpdated,
        Action::InspectionStageChanged,
        Action::InspectorCreated,
        Action::InspectorUpdated,
        Action::InspectorWithdrawn,
        Action::TeamMemberAppointed,
        Action::RecusalOverridden,
        Action::TeamMemberWithdrawn,
        Action::RecusalRuleChanged,
        Action::UnitLocalitySet,
        Action::CalendarYearImported,
        Action::DeadlineRecomputed,
        Action::DeadlineChangeAcknowledged,
        Action::ClueRegistered,
        Action::ClueUpdated,
        Action::ClueRead,
        Action::ClueTransferred,
        Action::ClueDisposed,
        Action::ClueSettingsUpdated,
        Action::TaxonomyVersionCreated,
        Action::CategoryCreated,
        Action::ProblemCreated,
        Action::ProblemUpdated,
        Action::ProblemApproved,
        Action::ProblemSigned,
        Action::ProblemReturned,
        Action::ProblemWithdrawn,
        Action::ProblemViewed,
        Action::EvidenceUploaded,
        Action::EvidenceWithdrawn,
        Action::EvidenceDownloaded,
        Action::NoticeIssued,
        Action::NoticeAnswered,
        Action::NoticeReviewed,
        Action::ReportCreated,
        Action::ReportVersionCreated,
        Action::ReportStepRecorded,
        Action::ReportViewed,
        Action::FeedbackSaved,
        Action::FeedbackGiven,
        Action::RectPlanCreated,
        Action::RectPlanUpdated,
        Action::RectPlanSubmitted,
        Action::RectPlanApproved,
        Action::RectPlanReturned,
        Action::TaskAdded,
        Action::TaskUpdated,
        Action::TaskWithdrawn,
        Action::TaskCarried,
        Action::TaskUncarried,
        Action::TaskProgressReported,
        Action::TaskCompletionClaimed,
        Action::TaskEvidenceUploaded,
        Action::TaskEvidenceWithdrawn,
        Action::TaskClosed,
        Action::TaskRejected,
        Action::TaskChangeRequested,
        Action::TaskChangeApproved,
        Action::TaskChangeRefused,
        Action::RectDocumentDrafted,
        Action::RectDocumentRevised,
        Action::RectDocumentSubmitted,
        Action::PublicNoticeApproved,
        Action::PublicNoticeReturned,
        Action::PublicNoticeWithdrawn,
        Action::PublicNoticeSuperseded,
        Action::PublicNoticeNeedsReview,
        Action::PublicNoticeRepublished,
        Action::DeadlineRuleUpdated,
        Action::CommitteeRuleAdded,
        Action::CommitteeRuleRemoved,
        Action::WarnDaysUpdated,
        Action::FollowUpIssued,
        Action::FollowUpAnswered,
        Action::AccountabilityRecorded,
        Action::MechanismRecorded,
        Action::AnnouncementSaved,
        Action::LetterReceived,
        Action::LetterRegistered,
        Action::LetterHandled,
        Action::LetterNoteAdded,
        Action::LetterFileAdded,
        Action::WriterRevealed,
        Action::LetterHandlerSet,
        Action::TalkPlanned,
        Action::TalkRecorded,
        Action::TalkViewed,
        Action::DocRequestSent,
        Action::DocRequestAnswered,
        Action::DocRequestReturned,
        Action::FieldRecordAdded,
        Action::FieldRecordFileAdded,
        Action::SourceCited,
        Action::ArchivePackaged,
        Action::RetentionRuleChanged,
        Action::DisposalProposed,
        Action::DisposalCarriedOut,
        Action::DisposalRejected,
        Action::NodePaired,
        Action::NodeExported,
        Action::NodeImported,
        Action::NodeRecord,
        Action::NodeConflictDecided,
        Action::FilingSubmitted,
        Action::FilingAnswered,
        Action::FilingViewed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::AdminBootstrapped => "admin_bootstrapped",
            Action::LoginSucceeded => "login_succeeded",
            Action::LoginFailed => "login_failed",
            Action::AccountLocked => "account_locked",
            Action::LoggedOut => "logged_out",
            Action::PasswordChanged => "password_changed",
            Action::TwoFactorEnabled => "two_factor_enabled",
            Action::TwoFactorDisabled => "two_factor_disabled",
            Action::TwoFactorReset => "two_factor_reset",
            Action::RecoveryCodeUsed => "recovery_code_used",
            Action::TwoFactorPolicySet => "two_factor_policy_set",
            Action::CryptoSwitched => "crypto_switched",
            Action::EmailChanged => "email_changed",
            Action::PasswordReset => "password_reset",
            Action::TokenCreated => "token_created",
            Action::TokenRevoked => "token_revoked",
            Action::UnitCreated => "unit_created",
            Action::UnitUpdated => "unit_updated",
            Action::UnitWithdrawn => "unit_withdrawn",
            Action::UserCreated => "user_created",
            Action::UserProvisioned => "user_provisioned",
            Action::UserUpdated => "user_updated",
            Action::UserDisabled => "user_disabled",
            Action::UserEnabled => "user_enabled",
            Action::GrantAdded => "grant_added",
            Action::GrantRevoked => "grant_revoked",
            Action::TermCreated => "term_created",
            Action::PlanCreated => "plan_created",
            Action::RoundCreated => "round_created",
            Action::InspectionCreated => "inspection_created",
            Action::InspectionImported => "inspection_imported",
            Action::InspectionUpdated => "inspection_updated",
            Action::InspectionStageChanged => "inspection_stage_changed",
            Action::InspectorCreated => "inspector_created",
            Action::InspectorUpdated => "inspector_updated",
            Action::InspectorWithdrawn => "inspector_withdrawn",
            Action::TeamMemberAppointed => "team_member_appointed",
            Action::RecusalOverridden => "recusal_overridden",
            Action::TeamMemberWithdrawn => "team_member_withdrawn",
            Action::RecusalRuleChanged => "recusal_rule_changed",
            Action::UnitLocalitySet => "unit_locality_set",
            Action::CalendarYearImported => "calendar_year_imported",
            Action::DeadlineRecomputed => "deadline_recomputed",
            Action::DeadlineChangeAcknowledged => "deadline_change_acknowledged",
            Action::ClueRegistered => "clue_registered",
            Action::ClueUpdated => "clue_updated",
            Action::ClueRead => "clue_read",
            Action::ClueTransferred => "clue_transferred",
            Action::ClueDisposed => "clue_disposed",
            Action::ClueSettingsUpdated => "clue_settings_updated",
            Action::TaxonomyVersionCreated => "taxonomy_version_created",
            Action::CategoryCreated => "category_created",
            Action::ProblemCreated => "problem_created",
            Action::ProblemUpdated => "problem_updated",
            Action::ProblemApproved => "problem_approved",
            Action::ProblemSigned => "problem_signed",
            Action::ProblemReturned => "problem_returned",
            Action::ProblemWithdrawn => "problem_withdrawn",
            Action::ProblemViewed => "problem_viewed",
            Action::EvidenceUploaded => "evidence_uploaded",
            Action::EvidenceWithdrawn => "evidence_withdrawn",
            Action::EvidenceDownloaded => "evidence_downloaded",
            Action::NoticeIssued => "notice_issued",
            Action::NoticeAnswered => "notice_answered",
            Action::NoticeReviewed => "notice_reviewed",
            Action::ReportCreated => "report_created",
            Action::ReportVersionCreated => "report_version_created",
            Action::ReportStepRecorded => "report_step_recorded",
            Action::ReportViewed => "report_viewed",
            Action::FeedbackSaved => "feedback_saved",
            Action::FeedbackGiven => "feedback_given",
            Action::RectPlanCreated => "rect_plan_created",
            Action::RectPlanUpdated => "rect_plan_updated",
            Action::RectPlanSubmitted => "rect_plan_submitted",
            Action::RectPlanApproved => "rect_plan_approved",
            Action::RectPlanReturned => "rect_plan_returned",
            Action::TaskAdded => "task_added",
            Action::TaskUpdated => "task_updated",
            Action::TaskWithdrawn => "task_withdrawn",
            Action::TaskCarried => "task_carried",
            Action::TaskUncarried => "task_uncarried",
            Action::TaskProgressReported => "task_progress_reported",
            Action::TaskCompletionClaimed => "task_completion_claimed",
            Action::TaskEvidenceUploaded => "task_evidence_uploaded",
            Action::TaskEvidenceWithdrawn => "task_evidence_withdrawn",
            Action::TaskClosed => "task_closed",
            Action::TaskRejected => "task_rejected",
            Action::TaskChangeRequested => "task_change_requested",
            Action::TaskChangeApproved => "task_change_approved",
            Action::TaskChangeRefused => "task_change_refused",
            Action::RectDocumentDrafted => "rect_document_drafted",
            Action::RectDocumentRevised => "rect_document_revised",
            Action::RectDocumentSubmitted => "rect_document_submitted",
            Action::PublicNoticeApproved => "public_notice_approved",
            Action::PublicNoticeReturned => "public_notice_returned",
            Action::PublicNoticeWithdrawn => "public_notice_withdrawn",
            Action::PublicNoticeSuperseded => "public_notice_superseded",
            Action::PublicNoticeNeedsReview => "public_notice_needs_review",
            Action::PublicNoticeRepublished => "public_notice_republished",
            Action::DeadlineRuleUpdated => "deadline_rule_updated",
            Action::CommitteeRuleAdded => "committee_rule_added",
            Action::CommitteeRuleRemoved => "committee_rule_removed",
            Action::WarnDaysUpdated => "warn_days_updated",
            Action::FollowUpIssued => "followup_issued",
            Action::FollowUpAnswered => "followup_answered",
            Action::AccountabilityRecorded => "accountability_recorded",
            Action::MechanismRecorded => "mechanism_recorded",
            Action::AnnouncementSaved => "announcement_saved",
            Action::LetterReceived => "letter_received",
            Action::LetterRegistered => "letter_registered",
            Action::LetterHandled => "letter_handled",
            Action::LetterNoteAdded => "letter_note_added",
            Action::LetterFileAdded => "letter_file_added",
            Action::WriterRevealed => "writer_revealed",
            Action::LetterHandlerSet => "letter_handler_set",
            Action::TalkPlanned => "talk_planned",
            Action::TalkRecorded => "talk_recorded",
            Action::TalkViewed => "talk_viewed",
            Action::DocRequestSent => "doc_request_sent",
            Action::DocRequestAnswered => "doc_request_answered",
            Action::DocRequestReturned => "doc_request_returned",
            Action::FieldRecordAdded => "field_record_added",
            Action::FieldRecordFileAdded => "field_record_file_added",
            Action::SourceCited => "source_cited",
            Action::ArchivePackaged => "archive_packaged",
            Action::RetentionRuleChanged => "retention_rule_changed",
            Action::DisposalProposed => "disposal_proposed",
            Action::DisposalCarriedOut => "disposal_carried_out",
            Action::DisposalRejected => "disposal_rejected",
            Action::NodePaired => "node_paired",
            Action::NodeExported => "node_exported",
            Action::NodeImported => "node_imported",
            Action::NodeRecord => "node_record",
            Action::NodeConflictDecided => "node_conflict_decided",
            Action::FilingSubmitted => "filing_submitted",
            Action::FilingAnswered => "filing_answered",
            Action::FilingViewed => "filing_viewed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::AdminBootstrapped => "初始化管理员",
            Action::LoginSucceeded => "登录成功",
            Action::LoginFailed => "登录失败",
            Action::AccountLocked => "账号锁定",
            Action::LoggedOut => "退出登录",
            Action::PasswordChanged => "修改密码",
            Action::TwoFactorEnabled => "启用两步验证",
            Action::TwoFactorDisabled => "停用两步验证",
            Action::TwoFactorReset => "重置两步验证",
            Action::RecoveryCodeUsed => "使用恢复码登录",
            Action::TwoFactorPolicySet => "设置两步验证要求",
            Action::CryptoSwitched => "切换密码算法",
            Action::EmailChanged => "修改电子邮箱",
            Action::PasswordReset => "重置密码",
            Action::TokenCreated => "签发令牌",
            Action::TokenRevoked => "吊销令牌",
            Action::UnitCreated => "新建单位",
            Action::UnitUpdated => "修改单位",
            Action::UnitWithdrawn => "撤销单位",
            Action::UserCreated => "新建用户",
            Action::UserProvisioned => "统一身份认证首次登录，建立账号",
            Action::UserUpdated => "修改用户",
            Action::UserDisabled => "停用用户",
            Action::UserEnabled => "启用用户",
            Action::GrantAdded => "授予角色",
            Action::GrantRevoked => "收回角色",
            Action::TermCreated => "新建届次",
            Action::PlanCreated => "新建年度计划",
            Action::RoundCreated => "新建轮次",
            Action::InspectionCreated => "新建巡视任务",
            Action::InspectionImported => "导入历史巡视",
            Action::InspectionUpdated => "修改巡视任务",
            Action::InspectionStageChanged => "巡视阶段变更",
            Action::InspectorCreated => "新增巡视干部",
            Action::InspectorUpdated => "修改巡视干部信息",
            Action::InspectorWithdrawn => "移出干部人才库",
            Action::TeamMemberAppointed => "任命巡视组成员",
            Action::RecusalOverridden => "存在回避情形仍予任命",
            Action::TeamMemberWithdrawn => "调出巡视组成员",
            Action::RecusalRuleChanged => "修改回避规则",
            Action::UnitLocalitySet => "设置单位所在地",
            Action::CalendarYearImported => "录入节假日安排",
            Action::DeadlineRecomputed => "重算整改期限",
            Action::DeadlineChangeAcknowledged => "知悉期限调整",
            Action::ClueRegistered => "登记问题线索",
            Action::ClueUpdated => "修改问题线索",
            Action::ClueRead => "查阅问题线索",
            Action::ClueTransferred => "移交问题线索",
            Action::ClueDisposed => "填报线索处置情况",
            Action::ClueSettingsUpdated => "修改线索办理时限",
            Action::TaxonomyVersionCreated => "新建问题分类版本",
            Action::CategoryCreated => "新增问题类别",
            Action::ProblemCreated => "新建问题底稿",
            Action::ProblemUpdated => "修改问题底稿",
            Action::ProblemApproved => "组务会审议问题底稿",
            Action::ProblemSigned => "组长签批问题底稿",
            Action::ProblemReturned => "退回问题底稿",
            Action::ProblemWithdrawn => "撤回问题底稿",
            Action::ProblemViewed => "查阅问题底稿",
            Action::EvidenceUploaded => "上传佐证材料",
            Action::EvidenceWithdrawn => "撤回佐证材料",
            Action::EvidenceDownloaded => "下载佐证材料",
            Action::NoticeIssued => "下发立行立改通知",
            Action::NoticeAnswered => "答复立行立改通知",
            Action::NoticeReviewed => "审核立行立改答复",
            Action::ReportCreated => "新建巡视报告",
            Action::ReportVersionCreated => "形成报告新稿",
            Action::ReportStepRecorded => "记录报告审批",
            Action::ReportViewed => "查阅巡视报告",
            Action::FeedbackSaved => "保存反馈意见稿",
            Action::FeedbackGiven => "反馈巡视意见",
            Action::RectPlanCreated => "新建整改方案",
            Action::RectPlanUpdated => "修改整改方案",
            Action::RectPlanSubmitted => "报送整改方案",
            Action::RectPlanApproved => "审核通过整改方案",
            Action::RectPlanReturned => "退回整改方案",
            Action::TaskAdded => "新增整改任务",
            Action::TaskUpdated => "修改整改任务",
            Action::TaskWithdrawn => "撤回整改任务",
            Action::TaskCarried => "纳入此前整改任务一并落实",
            Action::TaskUncarried => "取消一并落实的此前整改任务",
            Action::TaskProgressReported => "报告整改进展",
            Action::TaskCompletionClaimed => "报告整改完成",
            Action::TaskEvidenceUploaded => "上传整改佐证材料",
            Action::TaskEvidenceWithdrawn => "撤回整改佐证材料",
            Action::TaskClosed => "核查销号",
            Action::TaskRejected => "核查退回整改",
            Action::TaskChangeRequested => "申请变更整改任务",
            Action::TaskChangeApproved => "批准变更整改任务",
            Action::TaskChangeRefused => "不同意变更整改任务",
            Action::RectDocumentDrafted => "起草整改报告或通报",
            Action::RectDocumentRevised => "修改整改报告或通报",
            Action::RectDocumentSubmitted => "报送整改报告或通报",
            Action::PublicNoticeApproved => "审核同意公开整改进展通报",
            Action::PublicNoticeReturned => "退回整改进展通报",
            Action::PublicNoticeWithdrawn => "撤回已公开的整改进展通报",
            Action::PublicNoticeSuperseded => "整改进展通报被新通报替代",
            Action::PublicNoticeNeedsReview => "整改进展通报转巡视办复核",
            Action::PublicNoticeRepublished => "复核后重新公开整改进展通报",
            Action::DeadlineRuleUpdated => "修改整改时限规则",
            Action::CommitteeRuleAdded => "设定本级党委的整改时限规则",
            Action::CommitteeRuleRemoved => "本级党委恢复使用通用整改时限规则",
            Action::WarnDaysUpdated => "修改整改预警天数",
            Action::FollowUpIssued => "下发督办通知",
            Action::FollowUpAnswered => "答复督办通知",
            Action::AccountabilityRecorded => "登记追责问责",
            Action::MechanismRecorded => "登记长效机制",
            Action::AnnouncementSaved => "发布或修改巡视公告",
            Action::LetterReceived => "收到群众网上举报",
            Action::LetterRegistered => "登记来信来访",
            Action::LetterHandled => "甄别办理来信来访",
            Action::LetterNoteAdded => "来信来访答复或补充",
            Action::LetterFileAdded => "来信来访附件",
            Action::WriterRevealed => "查看反映人身份",
            Action::LetterHandlerSet => "指定或撤销信访承办人",
            Action::TalkPlanned => "列入谈话计划",
            Action::TalkRecorded => "登记个别谈话",
            Action::TalkViewed => "查阅谈话记录",
            Action::DocRequestSent => "发出调阅通知",
            Action::DocRequestAnswered => "单位提供调阅材料",
            Action::DocRequestReturned => "退还调阅材料",
            Action::FieldRecordAdded => "登记其他工作方式记录",
            Action::FieldRecordFileAdded => "工作记录附件",
            Action::SourceCited => "引用进驻了解材料",
            Action::ArchivePackaged => "生成归档包",
            Action::RetentionRuleChanged => "设定保管期限",
            Action::DisposalProposed => "提请销毁档案",
            Action::DisposalCarriedOut => "批准销毁档案",
            Action::DisposalRejected => "退回销毁申请",
            Action::NodePaired => "配对离线节点密钥",
            Action::NodeExported => "导出离线节点数据包",
            Action::NodeImported => "导入离线节点工作",
            Action::NodeRecord => "离线节点操作记录",
            Action::NodeConflictDecided => "裁定离线节点冲突",
            Action::FilingSubmitted => "向上级报备",
            Action::FilingAnswered => "答复下级报备",
            Action::FilingViewed => "查阅报备的报告",
        }
    }

    /// Whether the record is of a read (what someone was shown) rather than of a change.
    pub fn is_read(self) -> bool {
        matches!(
            self,
            Action::ClueRead
                | Action::ProblemViewed
                | Action::EvidenceDownloaded
                | Action::ReportViewed
                | Action::TalkViewed
                | Action::WriterRevealed
                | Action::ArchivePackaged
                | Action::NodeExported
        )
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.as_str() == s)
    }
}

/// A change to record, as the service describes it.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub action: Action,
    pub object_type: &'static str,
    pub object_id: Option<Id>,
    /// What changed, in a form a person can read: usually the fields before and after.
    pub summary: serde_json::Value,
    /// Further objects of the same type the record concerns, such as every clue a list showed:
    /// a read is recorded once per request, and can still be found from each object it showed.
    pub also: Vec<Id>,
}

impl AuditEntry {
    pub fn new(
        action: Action,
        object_type: &'static str,
        object_id: Option<Id>,
        summary: serde_json::Value,
    ) -> Self {
        AuditEntry {
            action,
            object_type,
            object_id,
            summary,
            also: Vec::new(),
        }
    }

    /// The record of a read that showed `ids`: the one object as its object, several in
    /// `also`, their ids in the summary too (which the chain's hash covers).
    pub fn shown(
        action: Action,
        object_type: &'static str,
        ids: &[Id],
        mut summary: serde_json::Value,
    ) -> Self {
        let (object_id, also) = match ids {
            [one] => (Some(*one), Vec::new()),
            many => (None, many.to_vec()),
        };
        if !also.is_empty()
            && let Some(map) = summary.as_object_mut()
        {
            map.insert(
                "ids".into(),
                serde_json::Value::from(also.iter().map(Id::to_string).collect::<Vec<_>>()),
            );
        }
        AuditEntry {
            action,
            object_type,
            object_id,
            summary,
            also,
        }
    }
}

/// One stored record of the trail.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: Id,
    pub seq: i64,
    /// RFC 3339 UTC to the microsecond, exactly as hashed.
    pub at: String,
    pub actor_id: Option<Id>,
    pub actor_name: String,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub ip: Option<String>,
    /// JSON text, exactly as hashed.
    pub summary: String,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRecord {
    /// The hash this record must carry under SHA-256, given its fields and its `prev_hash`.
    pub fn compute_hash(&self) -> String {
        self.compute_hash_with(HashAlg::Sha256, &self.prev_hash)
    }

    /// The hash this record carries in a chain hashed by `alg` whose previous record's hash
    /// is `prev_hash`: the same encoding of the same fields under either hash.
    pub fn compute_hash_with(&self, alg: HashAlg, prev_hash: &str) -> String {
        // A JSON array of the fields is an unambiguous encoding: no field can bleed into the next.
        let canonical = serde_json::to_string(&(
            self.seq,
            &self.id,
            &self.at,
            &self.actor_id,
            &self.actor_name,
            &self.action,
            &self.object_type,
            &self.object_id,
            &self.ip,
            &self.summary,
        ))
        .expect("tuples of strings and numbers always serialise");
        let mut h = alg.hasher();
        h.update(prev_hash.as_bytes());
        h.update(canonical.as_bytes());
        h.finish_hex()
    }
}

/// Formats a timestamp the way the trail stores and hashes it.
pub fn format_at(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The outcome of checking the whole chain.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainFault {
    /// The record's stored hash is not the hash of its fields: it was edited.
    Edited { seq: i64, id: Id },
    /// The record does not point at the one before it: something before it was removed,
    /// inserted or moved.
    Broken { seq: i64, id: Id },
    /// Sequence numbers skip or repeat.
    Gap { expected: i64, found: i64, id: Id },
    /// The head says more (or other) records exist than the trail holds: the newest were removed.
    HeadMismatch { head_seq: i64, last_seq: i64 },
    /// A checkpoint kept outside the database pinned record `seq` with another hash: the chain
    /// was rewritten from that record or before and its hashes recomputed.
    Rewritten {
        seq: i64,
        id: Id,
        checkpoint: String,
    },
    /// A checkpoint pinned record `checkpoint_seq`, but the trail ends at `last_seq`: the
    /// newest records were removed and the head wound back.
    Rewound {
        checkpoint_seq: i64,
        last_seq: i64,
        checkpoint: String,
    },
    /// A checkpoint that does not verify: forged, signed by another key or damaged.
    BadCheckpoint { name: String, why: String },
}

impl std::fmt::Display for ChainFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainFault::Edited { seq, id } => {
                write!(
                    f,
                    "record #{seq} ({id}) was altered: its hash does not match its content"
                )
            }
            ChainFault::Broken { seq, id } => write!(
                f,
                "record #{seq} ({id}) does not follow the record before it: records were removed, inserted or reordered"
            ),
            ChainFault::Gap {
                expected,
                found,
                id,
            } => write!(
                f,
                "record #{found} ({id}) stands where #{expected} was expected: records were removed or reordered"
            ),
            ChainFault::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "the trail ends at record #{last_seq} but {head_seq} records were written: the newest were removed or altered"
            ),
            ChainFault::Rewritten {
                seq,
                id,
                checkpoint,
            } => write!(
                f,
                "record #{seq} ({id}) is not the record the signed checkpoint {checkpoint} pinned: the trail was rewritten from it or before and its hashes recomputed"
            ),
            ChainFault::Rewound {
                checkpoint_seq,
                last_seq,
                checkpoint,
            } => write!(
                f,
                "the signed checkpoint {checkpoint} pinned record #{checkpoint_seq} but the trail ends at record #{last_seq}: the newest records were removed and the head wound back"
            ),
            ChainFault::BadCheckpoint { name, why } => {
                write!(f, "the checkpoint {name} cannot be trusted: {why}")
            }
        }
    }
}

/// Walks the chain in sequence order. Feed every record, then call [`ChainCheck::finish`].
#[derive(Debug)]
pub struct ChainCheck {
    /// The hash the chain's records carry (its head row names it).
    alg: HashAlg,
    prev_hash: String,
    next_seq: i64,
    /// Signed checkpoints not yet passed, the lowest sequence number last.
    pinned: Vec<SignedCheckpoint>,
    /// Where checkpoints were signed under the hash the chain carried before a switch of
    /// algorithms: that hash, and the chain as it would run under it, recomputed record by
    /// record, so those checkpoints still hold every record they pinned.
    shadow: Option<(HashAlg, String)>,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck::new(HashAlg::default())
    }
}

impl ChainCheck {
    /// A walk of a chain hashed by `alg`.
    pub fn new(alg: HashAlg) -> Self {
        ChainCheck {
            alg,
            prev_hash: GENESIS_HASH.to_owned(),
            next_seq: 1,
            pinned: Vec::new(),
            shadow: None,
        }
    }

    /// A walk that also holds the chain to checkpoints kept outside the database: each pinned
    /// record must still be there with the pinned hash, under the hash the checkpoint names.
    pub fn pinned_by(alg: HashAlg, mut checkpoints: Vec<SignedCheckpoint>) -> Self {
        checkpoints.sort_by_key(|c| std::cmp::Reverse(c.checkpoint.seq));
        let shadow = checkpoints
            .iter()
            .map(|c| c.checkpoint.alg)
            .find(|a| *a != alg)
            .map(|a| (a, GENESIS_HASH.to_owned()));
        ChainCheck {
            pinned: checkpoints,
            shadow,
            ..ChainCheck::new(alg)
        }
    }

    pub fn push(&mut self, r: &AuditRecord) -> Result<(), ChainFault> {
        if r.seq != self.next_seq {
            return Err(ChainFault::Gap {
                expected: self.next_seq,
                found: r.seq,
                id: r.id,
            });
        }
        if r.compute_hash_with(self.alg, &r.prev_hash) != r.hash {
            return Err(ChainFault::Edited {
                seq: r.seq,
                id: r.id,
            });
        }
        if r.prev_hash != self.prev_hash {
            return Err(ChainFault::Broken {
                seq: r.seq,
                id: r.id,
            });
        }
        if let Some((alg, prev)) = &mut self.shadow {
            *prev = r.compute_hash_with(*alg, prev);
        }
        while let Some(c) = self.pinned.pop_if(|c| c.checkpoint.seq <= r.seq) {
            // Sequence numbers run without a gap from 1, so a checkpoint below `r.seq` was
            // passed already; only one of `r`'s own number is compared.
            let hash = match &self.shadow {
                Some((alg, shadow)) if *alg == c.checkpoint.alg => shadow,
                _ => &r.hash,
            };
            if c.checkpoint.seq == r.seq && c.checkpoint.hash != *hash {
                return Err(ChainFault::Rewritten {
                    seq: r.seq,
                    id: r.id,
                    checkpoint: c.name,
                });
            }
        }
        self.prev_hash = r.hash.clone();
        self.next_seq += 1;
        Ok(())
    }

    /// Compares the end of the walk with the head row and the checkpoints not reached;
    /// returns the number of records.
    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> Result<i64, ChainFault> {
        let last_seq = self.next_seq - 1;
        if let Some(c) = self.pinned.pop() {
            return Err(ChainFault::Rewound {
                checkpoint_seq: c.checkpoint.seq,
                last_seq,
                checkpoint: c.name,
            });
        }
        if head_seq != last_seq || head_hash != self.prev_hash {
            return Err(ChainFault::HeadMismatch { head_seq, last_seq });
        }
        Ok(last_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut r = AuditRecord {
                    id: Id::new(),
                    seq,
                    at: format!("2026-01-01T00:00:0{seq}.000000Z"),
                    actor_id: None,
                    actor_name: "admin".into(),
                    action: "unit_created".into(),
                    object_type: "unit".into(),
                    object_id: None,
                    ip: None,
                    summary: format!("{{\"n\":{seq}}}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                r.hash = r.compute_hash();
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn check(records: &[AuditRecord]) -> Result<i64, ChainFault> {
        let mut c = ChainCheck::default();
        for r in records {
            c.push(r)?;
        }
        let (seq, hash) = (3, chain_head(records));
        c.finish(seq, &hash)
    }

    fn chain_head(records: &[AuditRecord]) -> String {
        records.last().map(|r| r.hash.clone()).unwrap_or_default()
    }

    #[test]
    fn a_whole_chain_verifies() {
        assert_eq!(check(&chain(3)), Ok(3));
    }

    #[test]
    fn an_edit_names_the_record() {
        let mut c = chain(3);
        c[1].summary = "{\"n\":99}".into();
        assert!(matches!(check(&c), Err(ChainFault::Edited { seq: 2, .. })));
    }

    #[test]
    fn a_deletion_and_a_reordering_show() {
        let mut c = chain(3);
        c.remove(1);
        assert!(matches!(
            check(&c),
            Err(ChainFault::Gap {
                expected: 2,
                found: 3,
                ..
            })
        ));

        let mut c = chain(3);
        c.swap(0, 1);
        (c[0].seq, c[1].seq) = (1, 2);
        assert!(check(&c).is_err());
    }

    #[test]
    fn removing_the_newest_record_shows_against_the_head() {
        let full = chain(3);
        let mut c = ChainCheck::default();
        for r in &full[..2] {
            c.push(r).unwrap();
        }
        assert_eq!(
            c.finish(3, &full[2].hash),
            Err(ChainFault::HeadMismatch {
                head_seq: 3,
                last_seq: 2
            })
        );
    }

    fn pin(r: &AuditRecord) -> SignedCheckpoint {
        SignedCheckpoint {
            checkpoint: crate::anchor::Checkpoint {
                seq: r.seq,
                hash: r.hash.clone(),
                at: r.at.clone(),
                alg: HashAlg::Sha256,
            },
            key: String::new(),
            signature: String::new(),
            name: format!("checkpoint-{}", r.seq),
        }
    }

    /// Walks `records` held to `pins`, ending at the last record as a rewound head would.
    fn check_pinned(
        records: &[AuditRecord],
        pins: Vec<SignedCheckpoint>,
    ) -> Result<i64, ChainFault> {
        let mut c = ChainCheck::pinned_by(HashAlg::Sha256, pins);
        for r in records {
            c.push(r)?;
        }
        let last = records.last().map_or(0, |r| r.seq);
        c.finish(last, &chain_head(records))
    }

    #[test]
    fn a_chain_wound_back_past_a_checkpoint_is_caught() {
        let full = chain(5);
        let pins = vec![pin(&full[1]), pin(&full[3])];
        assert_eq!(check_pinned(&full, pins.clone()), Ok(5));
        // The two newest removed and the head set to the third: whole without the checkpoints.
        assert_eq!(check_pinned(&full[..3], Vec::new()), Ok(3));
        assert_eq!(
            check_pinned(&full[..3], pins),
            Err(ChainFault::Rewound {
                checkpoint_seq: 4,
                last_seq: 3,
                checkpoint: "checkpoint-4".into()
            })
        );
    }

    #[test]
    fn a_recomputed_chain_is_caught_at_the_first_checkpoint_after_the_edit() {
        let full = chain(5);
        let pins = vec![pin(&full[3]), pin(&full[0])];
        // Record 2 edited and every hash from it recomputed: the chain is whole again.
        let mut forged = full.clone();
        forged[1].summary = "{\"n\":99}".into();
        for i in 1..forged.len() {
            forged[i].prev_hash = forged[i - 1].hash.clone();
            forged[i].hash = forged[i].compute_hash();
        }
        assert_eq!(check_pinned(&forged, Vec::new()), Ok(5));
        assert!(matches!(
            check_pinned(&forged, pins),
            Err(ChainFault::Rewritten { seq: 4, .. })
        ));
    }

    /// `records` chained again under `alg`, as a switch of algorithms leaves them.
    fn rechained(records: &[AuditRecord], alg: HashAlg) -> Vec<AuditRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        records
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.prev_hash = prev.clone();
                r.hash = r.compute_hash_with(alg, &prev);
                prev = r.hash.clone();
                r
            })
            .collect()
    }

    fn check_under(
        alg: HashAlg,
        records: &[AuditRecord],
        pins: Vec<SignedCheckpoint>,
    ) -> Result<i64, ChainFault> {
        let mut c = ChainCheck::pinned_by(alg, pins);
        for r in records {
            c.push(r)?;
        }
        let last = records.last().map_or(0, |r| r.seq);
        c.finish(last, &chain_head(records))
    }

    #[test]
    fn checkpoints_signed_before_a_switch_to_sm3_still_hold_the_rechained_chain() {
        let full = chain(5);
        let old_pins = vec![pin(&full[1]), pin(&full[3])];
        let sm = rechained(&full, HashAlg::Sm3);
        assert_ne!(sm[4].hash, full[4].hash);
        // Under SM3 the SHA-256 chain does not verify, the SM3 one does, and the checkpoints
        // signed under SHA-256 hold it still.
        assert!(matches!(
            check_under(HashAlg::Sm3, &full, Vec::new()),
            Err(ChainFault::Edited { seq: 1, .. })
        ));
        assert_eq!(check_under(HashAlg::Sm3, &sm, old_pins.clone()), Ok(5));
        let mut new_pin = pin(&sm[4]);
        new_pin.checkpoint.alg = HashAlg::Sm3;
        let mut pins = old_pins.clone();
        pins.push(new_pin);
        assert_eq!(check_under(HashAlg::Sm3, &sm, pins), Ok(5));
        // Record 3 edited and the SM3 chain recomputed after the switch: the SHA-256
        // checkpoint of record 4 catches it.
        let mut forged = sm.clone();
        forged[2].summary = "{\"n\":99}".into();
        let forged = rechained(&forged, HashAlg::Sm3);
        assert_eq!(check_under(HashAlg::Sm3, &forged, Vec::new()), Ok(5));
        assert!(matches!(
            check_under(HashAlg::Sm3, &forged, old_pins),
            Err(ChainFault::Rewritten { seq: 4, .. })
        ));
    }
}
