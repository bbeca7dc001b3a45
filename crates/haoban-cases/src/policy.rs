//! Who may do what: the one policy table. Every endpoint and every case transition asks it.
//! Centre scope (own centre only, except where noted) and resident ownership are checked
//! by the caller against [`Scope`].

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Resident,
    Desk,
    Clerk,
    Office,
    Supervisor,
    /// 系统管理员: the hall's windows and the catalog; never accounts, never the audit record.
    #[serde(rename = "sysadmin")]
    SystemAdmin,
    /// 安全管理员: staff accounts, their roles and second factors.
    #[serde(rename = "secadmin")]
    SecurityAdmin,
    /// 审计管理员: reads and verifies the record; changes nothing.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Resident,
        Role::Desk,
        Role::Clerk,
        Role::Office,
        Role::Supervisor,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
    ];
    pub const STAFF: [Role; 7] = [
        Role::Desk,
        Role::Clerk,
        Role::Office,
        Role::Supervisor,
        Role::SystemAdmin,
        Role::SecurityAdmin,
        Role::Auditor,
    ];
    /// 三权分立: the three administrators. Each account has one role, so none combines them.
    pub const ADMINS: [Role; 3] = [Role::SystemAdmin, Role::SecurityAdmin, Role::Auditor];

    pub fn is_admin(self) -> bool {
        Role::ADMINS.contains(&self)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Resident => "resident",
            Role::Desk => "desk",
            Role::Clerk => "clerk",
            Role::Office => "office",
            Role::Supervisor => "supervisor",
            Role::SystemAdmin => "sysadmin",
            Role::SecurityAdmin => "secadmin",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    ReadCatalog,
    Prereview,
    CreateCase,
    ReadCase,
    ListCases,
    CheckMaterials,
    Accept,
    AcceptWithDeficiency,
    NotAccept,
    StartReview,
    RequestSupplement,
    ProvideSupplement,
    FulfilDeficiency,
    Approve,
    Deny,
    MarkReady,
    Deliver,
    Close,
    Withdraw,
    AddNote,
    ReadRecord,
    VerifyAudit,
    /// See a full ID number instead of the masked one (recorded each time).
    Unmask,
    /// Staff accounts of one's own centre: list, create, disable.
    ManageUsers,
    /// Configure the hall's windows and their skills.
    ManageHall,
    /// Check a catalog directory on the server (the catalog in use changes only at restart).
    CheckCatalog,
    /// Issue a queue ticket at the desk.
    IssueTicket,
    /// Call the next ticket to a window.
    CallTicket,
    /// See the day's queue with wait estimates.
    ViewQueue,
    /// See the center's day report: the queue's figures, the wait promised against the
    /// wait had, the day's cases and the deadlines.
    ViewReports,
    /// Rate a visit or one's own case (好差评): residents only, never staff.
    Rate,
    /// See the center's ratings and their tallies.
    ViewRatings,
    /// Follow a bad rating up: record the call-back and the fix.
    HandleFollowUp,
    /// Appeal a bad rating of oneself (the follow-up checks it is one's own).
    AppealRating,
    /// Decide an appeal: the bad rating stands (upheld) or not.
    DecideAppeal,
    /// See the center's training (3先3后): item frequency, the competence matrix, every
    /// member's plan and the onboarding tracker.
    ViewTraining,
    /// See one's own training plan and take tests on items.
    TakeTest,
    /// Write questions, start onboarding, review new staff and decide they are ready for duty.
    ManageTraining,
    /// Read the access log (审计日志): who asked for what, when, from where. The audit
    /// role's alone, so whoever administers the system cannot read what it recorded of them.
    ReadAccessLog,
}

impl Action {
    /// The action's name as the API writes it, e.g. `accept_with_deficiency`.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

/// How far an allowed action reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Anyone, anywhere (reading the public catalog).
    Public,
    /// The actor's own centre's records.
    OwnCenter,
    /// Only the resident's own cases.
    OwnCases,
}

/// The policy table: `Some(scope)` where `role` may take `action`, `None` where it may not.
pub fn permits(role: Role, action: Action) -> Option<Scope> {
    use Action::*;
    use Role::*;
    let staff_case_reader = matches!(role, Desk | Clerk | Office | Supervisor);
    let window = matches!(role, Clerk | Supervisor);
    let back_office = matches!(role, Office | Supervisor);
    let allowed = match action {
        ReadCatalog | Prereview => return Some(Scope::Public),
        CreateCase => matches!(role, Resident | Desk | Clerk | Supervisor),
        ReadCase | ListCases | ReadRecord => {
            if role == Resident {
                return Some(Scope::OwnCases);
            }
            staff_case_reader || role == Auditor
        }
        CheckMaterials | Accept | AcceptWithDeficiency | NotAccept | Deliver => window,
        StartReview | RequestSupplement | Approve | Deny => back_office,
        ProvideSupplement | Withdraw => {
            if role == Resident {
                return Some(Scope::OwnCases);
            }
            window || back_office
        }
        FulfilDeficiency | MarkReady | Close => window || back_office,
        AddNote => staff_case_reader,
        VerifyAudit => matches!(role, Auditor | Supervisor),
        Unmask => matches!(role, Clerk | Office | Supervisor),
        ManageUsers => role == SecurityAdmin,
        ManageHall | CheckCatalog => role == SystemAdmin,
        IssueTicket => matches!(role, Desk | Clerk | Supervisor),
        CallTicket => window,
        ViewQueue => staff_case_reader,
        ViewReports => matches!(role, Supervisor | SystemAdmin),
        // The resident's own cases; visits are checked against the ticket by the caller.
        Rate => return (role == Resident).then_some(Scope::OwnCases),
        ViewRatings | HandleFollowUp | DecideAppeal => role == Supervisor,
        AppealRating => staff_case_reader,
        // Everyone who handles cases learns items; supervisors direct it.
        TakeTest => staff_case_reader,
        ViewTraining | ManageTraining => role == Supervisor,
        ReadAccessLog => role == Auditor,
    };
    allowed.then_some(Scope::OwnCenter)
}
