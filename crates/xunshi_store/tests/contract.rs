//! The storage contract: the behaviour the services must show on every backend.
//!
//! Each case is one async function taking fresh `Services` over an empty, migrated database.
//! `contract_cases!` turns every case into two tests, `sqlite::<case>` (always run) and
//! `postgres::<case>`, which runs when `XUNSHI_TEST_DATABASE_URL` names a PostgreSQL server
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`) as the tests are built, and is
//! reported as ignored otherwise (`xunshi_test_env`). A set variable naming a server that
//! cannot be reached fails every PostgreSQL case; `.ci/run` checks that as many ran on
//! PostgreSQL as on SQLite.

#[path = "contract/audit.rs"]
mod audit;
#[path = "contract/auth.rs"]
mod auth;
#[path = "contract/backup.rs"]
mod backup;
#[path = "contract/calendar.rs"]
mod calendar;
#[path = "contract/clues.rs"]
mod clues;
#[path = "contract/crypto.rs"]
mod crypto;
#[path = "contract/disclosure.rs"]
mod disclosure;
#[path = "contract/fieldwork.rs"]
mod fieldwork;
#[path = "contract/filings.rs"]
mod filings;
#[path = "contract/generate.rs"]
mod generate;
#[path = "contract/harness.rs"]
mod harness;
#[path = "contract/jobs.rs"]
mod jobs;
#[path = "contract/leadership.rs"]
mod leadership;
#[path = "contract/ledger_import.rs"]
mod ledger_import;
#[path = "contract/messages.rs"]
mod messages;
#[path = "contract/papers.rs"]
mod papers;
#[path = "contract/planning.rs"]
mod planning;
#[path = "contract/plans.rs"]
mod plans;
#[path = "contract/rectify.rs"]
mod rectify;
#[path = "contract/retention.rs"]
mod retention;
#[path = "contract/search.rs"]
mod search;
#[path = "contract/submissions.rs"]
mod submissions;
#[path = "contract/supervision.rs"]
mod supervision;
#[path = "contract/teams.rs"]
mod teams;
#[path = "contract/todo.rs"]
mod todo;
#[path = "contract/two_factor.rs"]
mod two_factor;
#[path = "contract/units.rs"]
mod units;
#[path = "contract/users.rs"]
mod users;

macro_rules! contract_cases {
    ($($module:ident :: $case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::harness::on_sqlite(crate::$module::$case).await;
                }
            )*
        }

        mod postgres {
            xunshi_test_env::postgres_tests! {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $case() {
                        crate::harness::on_postgres(crate::$module::$case).await;
                    }
                )*
            }
        }
    };
}

contract_cases! {
    filings::filings_are_kept_as_filed_listed_within_the_committees_and_answered_once,
    search::the_trail_and_the_tables_give_the_same_documents_and_no_sealed_field,
    search::a_progress_report_is_followed_alone_unless_it_moves_its_task,
    jobs::a_due_job_is_held_by_one_instance_until_done_or_its_lease_runs_out,
    crypto::a_switch_to_the_sm_suite_moves_everything_it_protects_and_earlier_checkpoints_still_hold,
    crypto::a_new_chain_takes_the_configured_suite_and_a_chained_one_refuses_another,
    fieldwork::the_register_keeps_writers_sealed_and_pages_counts_and_tallies_in_the_store,
    fieldwork::talks_requests_records_and_citations_round_trip,
    fieldwork::the_key_file_must_be_the_one_the_data_was_sealed_with,
    messages::hand_overs_write_messages_to_whom_the_todo_names,
    messages::an_inbox_sorts_by_every_column_both_ways,
    messages::a_message_of_an_event_reaches_each_recipient_once,
    messages::reminders_are_written_once_per_deadline_and_day_kind,
    messages::clue_transfers_tell_their_recipient_only_how_many_wait,
    messages::plan_and_report_clocks_remind_who_submits_them,
    messages::a_plan_or_reports_submitted_are_not_reminded_of,
    messages::papers_approved_reach_who_signs_them,
    todo::the_todo_lists_what_waits_for_whom_may_act,
    todo::the_todo_store_counts_and_lists_within_a_scope,
    todo::the_todo_asks_the_leader_to_sign_and_the_office_to_decide,
    todo::the_todo_asks_the_office_for_next_years_holidays_from_november,
    todo::the_todo_asks_the_unit_for_its_plan_and_reports_while_their_clocks_run,
    clues::the_todo_lists_clues_to_dispose_for_their_recipient_only,
    units::units_are_created_read_and_filtered,
    units::unit_search_matches_any_script,
    units::unit_lists_page_by_cursor_without_gaps_or_repeats,
    units::unit_and_account_lists_sort_by_every_column,
    units::unit_update_needs_the_current_version,
    units::unit_names_are_unique,
    units::a_unit_cannot_move_below_itself,
    units::a_unit_with_active_children_cannot_be_withdrawn,
    units::only_unit_managers_change_units,
    units::concurrent_edits_of_one_unit_let_one_win,
    units::a_change_returns_what_is_stored,
    users::users_are_created_with_unique_names_in_existing_units,
    users::users_are_listed_by_unit_and_by_name,
    users::disabling_a_user_ends_their_sessions,
    users::grants_are_scoped_unique_and_revocable,
    users::concurrent_identical_grants_give_one_grant,
    users::permissions_follow_granted_roles,
    auth::a_session_login_resolves_until_logout_or_expiry,
    auth::expired_sessions_are_purged_and_a_disabled_accounts_tokens_stay_revoked,
    auth::repeated_failures_lock_one_address_out_until_the_lock_expires,
    auth::concurrent_failed_logins_all_count,
    auth::log_in_attempts_are_counted_together_per_address_and_minute,
    auth::a_sign_on_is_taken_once_and_only_before_it_expires,
    auth::api_tokens_resolve_until_revoked_or_expired,
    auth::bootstrap_creates_the_first_admin_once,
    auth::concurrent_bootstraps_create_one_admin,
    auth::users_change_their_own_password,
    auth::a_new_password_ends_old_tokens_and_a_spent_lock_restarts_the_count,
    audit::audit_trail_lists_newest_first_with_filters,
    audit::audit_trail_sorts_by_every_column_both_ways,
    audit::a_whole_trail_verifies_with_its_exact_count,
    audit::an_edited_record_is_named_by_verify,
    audit::deleted_records_are_detected,
    audit::concurrent_writes_keep_one_unbroken_chain,
    submissions::a_repeated_key_makes_one_record_and_keeps_the_first_answer,
    submissions::a_double_click_at_once_makes_one_record,
    submissions::keys_are_forgotten_after_a_day,
    submissions::an_actor_belongs_to_the_units_above_its_own,
    teams::appointing_a_conflicted_inspector_needs_a_reason_on_record,
    teams::a_clean_inspector_needs_no_reason_and_none_is_kept,
    teams::a_team_role_opens_that_inspection_and_nothing_else,
    teams::the_general_grant_path_still_refuses_team_roles,
    teams::a_team_has_one_leader_and_a_person_is_on_it_once,
    teams::only_the_office_appoints_and_only_while_the_team_can_change,
    teams::candidates_are_flagged_by_post_relative_and_locality,
    teams::team_members_do_not_see_recusal_findings,
    teams::the_pool_keeps_declarations_versions_and_history,
    teams::the_pool_sorts_by_every_column_both_ways,
    teams::an_account_belongs_to_one_inspector_and_the_grant_follows_it,
    planning::rounds_and_inspections_are_planned_with_their_rules,
    planning::stages_move_only_along_the_allowed_edges_by_allowed_roles,
    planning::inspections_are_shown_only_to_those_who_may_see_them,
    planning::coverage_shows_which_units_the_term_has_reached,
    leadership::leadership_figures_are_the_lengths_of_the_lists_they_open,
    calendar::the_shipped_arrangement_is_in_every_new_database,
    calendar::the_office_enters_a_new_year_and_bad_rows_change_nothing,
    calendar::entering_a_year_recounts_the_provisional_deadlines_and_tells_the_unit,
    clues::clues_are_registered_and_transferred_in_a_batch,
    clues::a_refused_transfer_writes_nothing,
    clues::each_recipient_sees_only_what_was_transferred_to_it,
    clues::the_inspected_unit_sees_no_clue_before_or_after_feedback,
    clues::leadership_reads_everything_and_changes_nothing,
    clues::only_the_recipient_records_the_disposal,
    clues::every_read_of_a_clue_is_audited_without_its_content,
    clues::the_handling_clock_follows_the_calendar_and_the_settings,
    clues::a_team_sees_only_its_own_inspections_clues,
    clues::registered_clues_are_edited_until_transferred,
    clues::clue_lists_page_by_cursor_without_gaps_or_repeats,
    clues::clue_states_move_only_forward_and_refusals_change_nothing,
    papers::the_taxonomy_ships_two_versions_and_the_office_adds_more,
    papers::a_paper_is_drafted_approved_and_signed,
    papers::concurrent_decisions_on_one_paper_let_one_win,
    papers::papers_are_read_by_team_office_and_leadership_never_the_unit,
    papers::papers_sort_by_every_column_both_ways,
    papers::evidence_is_stored_once_by_hash_and_checked,
    papers::notices_are_issued_answered_and_reviewed,
    papers::an_archived_inspections_papers_and_notices_are_read_only,
    retention::records_past_their_period_go_only_with_two_office_users,
    retention::one_record_goes_alone_and_a_repeated_letter_only_with_its_kind,
    papers::a_report_goes_through_versions_and_the_approval_chain,
    papers::feedback_needs_an_approved_report_and_opens_only_itself_to_the_unit,
    papers::the_seed_inspection_runs_from_papers_to_feedback,
    ledger_import::a_ledger_is_previewed_imported_once_and_then_found_unchanged,
    ledger_import::a_past_inspection_is_created_from_its_ledger_once,
    ledger_import::an_earlier_open_task_is_carried_into_a_later_plan_linked_once,
    rectify::the_store_keeps_plans_tasks_and_their_records,
    rectify::the_plan_runs_from_draft_to_every_task_closed,
    rectify::plan_states_follow_the_review_and_refusals_change_nothing,
    rectify::nobody_approves_or_closes_their_own_units_work,
    rectify::a_rejected_task_keeps_its_defect_and_reason_and_reopens,
    rectify::stale_versions_are_refused,
    rectify::a_change_request_keeps_the_before_and_after,
    rectify::long_term_tasks_are_never_red_and_the_ledger_filters_by_colour,
    rectify::the_tallies_count_what_the_rows_hold,
    rectify::every_sort_of_the_ledger_pages_by_keyset_forward_and_back,
    planning::inspections_and_clues_page_by_every_sort_forward_and_back,
    rectify::a_changed_deadline_is_never_in_the_past,
    planning::inspection_targets_are_withdrawn_never_deleted,
    plans::hot_queries_read_large_tables_through_their_indexes,
    rectify::evidence_is_stored_once_and_never_replaced,
    rectify::each_sees_only_the_rectification_that_is_theirs,
    disclosure::reports_are_assembled_edited_submitted_and_dated,
    disclosure::documents_sort_by_every_column_both_ways,
    disclosure::only_approved_notices_are_public_and_the_unit_cannot_approve_its_own,
    disclosure::documents_are_assembled_from_the_ledger_and_withheld_items_never_go_public,
    supervision::the_rules_are_shipped_and_an_edit_moves_the_clock,
    supervision::clocks_turn_with_the_warning_period_and_show_each_unit_its_own,
    supervision::followups_are_issued_answered_and_seen_only_by_their_unit,
    supervision::followups_sort_by_every_column_both_ways,
    supervision::accountability_sorts_by_every_column_both_ways,
    supervision::mechanisms_sort_by_every_column_both_ways,
    supervision::no_followup_before_feedback,
    supervision::accountability_is_recorded_by_supervisors_from_the_lists,
    supervision::notices_accountability_and_mechanisms_name_the_units_own_tasks,
    supervision::the_dashboard_counts_what_its_lists_show,
    generate::a_generated_set_holds_to_the_invariants_of_service_made_data,
    backup::a_backup_restores_every_row_and_a_move_copies_them,
    two_factor::a_second_factor_is_set_up_then_asked_for_at_every_log_in,
    two_factor::the_office_requires_it_of_administrators_and_the_office,
}
