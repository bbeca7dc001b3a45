//! The pages' language: Chinese first, English complete. `Lang` comes from `?lang=` (and
//! is then remembered in the `haoban_lang` cookie) or from that cookie; `Msgs` is every
//! label the pages show, once per language. Item, material and fact names come from the
//! catalog's own texts.

use axum::extract::{FromRequestParts, Query};
use axum::http::header;
use axum::http::request::Parts;
use haoban_cases::Role;
use haoban_catalog::Locale;
use serde::Deserialize;

pub const LANG_COOKIE: &str = "haoban_lang";
/// A year, in seconds.
pub const LANG_COOKIE_MAX_AGE: u32 = 365 * 24 * 60 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(code: &str) -> Option<Lang> {
        match code {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The `lang` attribute of the page.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    pub fn locale(self) -> Locale {
        match self {
            Lang::Zh => Locale::Zh,
            Lang::En => Locale::En,
        }
    }

    pub fn msgs(self) -> &'static Msgs {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The language asked for in a query string (`?lang=en`), if any and if valid.
    pub fn from_query(uri: &axum::http::Uri) -> Option<Lang> {
        #[derive(Deserialize)]
        struct Q {
            lang: Option<String>,
        }
        let Query(q) = Query::<Q>::try_from_uri(uri).ok()?;
        q.lang.as_deref().and_then(Lang::parse)
    }

    /// `?lang=`, else the `haoban_lang` cookie, else Chinese.
    pub fn of_request(parts: &Parts) -> Lang {
        Lang::from_query(&parts.uri)
            .or_else(|| Lang::from_cookie(parts))
            .unwrap_or_default()
    }

    fn from_cookie(parts: &Parts) -> Option<Lang> {
        parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == LANG_COOKIE)
            .and_then(|(_, value)| Lang::parse(value.trim()))
    }

    /// The `Set-Cookie` value that remembers this language.
    pub fn cookie(self, secure: bool) -> String {
        let secure = if secure { "; Secure" } else { "" };
        format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age={LANG_COOKIE_MAX_AGE}; SameSite=Lax{secure}",
            self.code()
        )
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang::of_request(parts))
    }
}

/// Every label of the pages. Both tables must fill every field, so English is complete.
pub struct Msgs {
    // Layout.
    pub app_name: &'static str,
    pub center_suffix: &'static str,
    pub skip_to_content: &'static str,
    /// The name of the *other* language, in that language: the switch link's text.
    pub other_lang_name: &'static str,
    pub switch_lang_hint: &'static str,
    pub signed_in_as: &'static str,
    pub sign_out: &'static str,
    pub nav_desk: &'static str,
    pub nav_window: &'static str,
    pub nav_board: &'static str,
    /// The work list for a role that reads cases but does not review them (the auditor).
    pub nav_cases: &'static str,
    pub nav_label: &'static str,
    pub role_resident: &'static str,
    pub role_desk: &'static str,
    pub role_clerk: &'static str,
    pub role_office: &'static str,
    pub role_supervisor: &'static str,
    pub role_system_admin: &'static str,
    pub role_security_admin: &'static str,
    pub role_auditor: &'static str,

    // Sign-in.
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub username: &'static str,
    pub password: &'static str,
    pub sign_in: &'static str,
    pub username_required: &'static str,
    pub password_required: &'static str,
    pub login_wrong: &'static str,
    pub login_needs_totp: &'static str,
    pub totp_code: &'static str,
    pub totp_code_hint: &'static str,
    /// `{}` is where the time the lock ends goes.
    pub login_locked: &'static str,
    pub login_hint: &'static str,
    pub already_signed_in: &'static str,

    // Errors.
    pub forbidden_title: &'static str,
    pub forbidden_desk: &'static str,
    pub csrf_failed: &'static str,
    pub not_found_title: &'static str,
    pub not_found: &'static str,
    pub error_title: &'static str,
    pub error_reference: &'static str,
    pub bad_form_title: &'static str,
    pub bad_form: &'static str,
    pub back_to_desk: &'static str,

    // The desk: pre-review.
    pub desk_title: &'static str,
    pub desk_intro: &'static str,
    pub scope_label: &'static str,
    pub scope_all: &'static str,
    pub scope_bundles: &'static str,
    pub scope_items: &'static str,
    pub scope_apply: &'static str,
    pub question_heading: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub choose: &'static str,
    pub hint_date: &'static str,
    pub hint_int: &'static str,
    pub hint_decimal: &'static str,
    pub hint_enum: &'static str,
    pub answer_next: &'static str,
    pub dont_know: &'static str,
    pub finish_now: &'static str,
    pub answers_heading: &'static str,
    pub no_answers: &'static str,
    pub dont_know_value: &'static str,
    pub change: &'static str,
    pub status_heading: &'static str,
    pub result_heading: &'static str,
    pub result_intro: &'static str,
    pub no_more_questions: &'static str,
    pub new_review: &'static str,
    pub applicant_name: &'static str,
    pub print_notice: &'static str,
    pub print: &'static str,
    pub print_hint: &'static str,
    pub issue_ticket: &'static str,
    pub visitor_legend: &'static str,
    pub visitor_hint: &'static str,
    pub visitor_id: &'static str,
    pub visitor_name: &'static str,
    pub visitor_phone: &'static str,
    pub consult_only: &'static str,
    pub appointments_link: &'static str,
    pub visitors_link: &'static str,
    pub consult_recorded: &'static str,
    pub err_visitor_id: &'static str,
    pub err_visitor_name: &'static str,
    pub err_visitor_phone: &'static str,
    pub priority_label: &'static str,
    pub priority_normal: &'static str,
    pub priority_elderly: &'static str,
    pub priority_disabled: &'static str,
    pub priority_veteran: &'static str,
    pub priority_appointment: &'static str,
    pub ticket_title: &'static str,
    pub ticket_ahead: &'static str,
    pub ticket_minutes: &'static str,
    pub ticket_items: &'static str,
    pub col_material: &'static str,
    pub col_form: &'static str,
    pub col_copies: &'static str,
    pub col_for: &'static str,
    pub col_notes: &'static str,
    pub err_required: &'static str,
    pub err_bool: &'static str,
    pub err_enum: &'static str,
    pub err_int: &'static str,
    pub err_int_range: &'static str,
    pub err_decimal: &'static str,
    pub err_decimal_range: &'static str,
    pub err_date: &'static str,
    pub err_name_long: &'static str,

    // The one-time notice (the same wording as the command line's notice).
    pub notice_title: &'static str,
    pub center_label: &'static str,
    pub catalog_label: &'static str,
    pub date_label: &'static str,
    pub applicant_label: &'static str,
    pub eligible: &'static str,
    pub unknown: &'static str,
    pub ineligible: &'static str,
    pub none: &'static str,
    pub still_to_know: &'static str,
    pub not_met: &'static str,
    pub materials: &'static str,
    pub no_materials: &'static str,
    pub e_licence: &'static str,
    pub only_if: &'static str,
    pub questions: &'static str,
    pub footer: &'static str,
    pub list_sep: &'static str,
    pub colon: &'static str,
    pub clause_sep: &'static str,
    /// Between two sentences: nothing in Chinese, a space in English.
    pub sentence_sep: &'static str,
    pub copies_one: &'static str,
    /// `{}` is where the number goes.
    pub copies_many: &'static str,
}

impl Msgs {
    pub fn priority(&self, priority: haoban_hall::Priority) -> &'static str {
        use haoban_hall::Priority;
        match priority {
            Priority::Normal => self.priority_normal,
            Priority::Elderly => self.priority_elderly,
            Priority::Disabled => self.priority_disabled,
            Priority::Veteran => self.priority_veteran,
            Priority::AppointmentDue => self.priority_appointment,
        }
    }

    pub fn role(&self, role: Role) -> &'static str {
        match role {
            Role::Resident => self.role_resident,
            Role::Desk => self.role_desk,
            Role::Clerk => self.role_clerk,
            Role::Office => self.role_office,
            Role::Supervisor => self.role_supervisor,
            Role::SystemAdmin => self.role_system_admin,
            Role::SecurityAdmin => self.role_security_admin,
            Role::Auditor => self.role_auditor,
        }
    }

    /// "2 份" / "2 copies".
    pub fn copies(&self, n: u32) -> String {
        if n == 1 {
            self.copies_one.to_owned()
        } else {
            self.copies_many.replace("{}", &n.to_string())
        }
    }
}

pub static ZH: Msgs = Msgs {
    app_name: "好办",
    center_suffix: "社区事务受理服务中心",
    skip_to_content: "跳到主要内容",
    other_lang_name: "English",
    switch_lang_hint: "Switch to English",
    signed_in_as: "当前用户",
    sign_out: "退出登录",
    nav_desk: "总服务台",
    nav_window: "综合受理",
    nav_board: "叫号屏",
    nav_cases: "办件查阅",
    nav_label: "主导航",
    role_resident: "居民",
    role_desk: "总服务台",
    role_clerk: "窗口受理",
    role_office: "后台审核",
    role_supervisor: "中心主任",
    role_system_admin: "系统管理员",
    role_security_admin: "安全管理员",
    role_auditor: "审计管理员",

    login_title: "工作人员登录",
    login_intro: "请使用中心分配的账号登录。",
    username: "用户名",
    password: "密码",
    sign_in: "登录",
    username_required: "请输入用户名。",
    password_required: "请输入密码。",
    login_wrong: "用户名、密码或动态验证码错误。",
    login_needs_totp: "该岗位须使用动态验证码登录，本账号尚未绑定，请联系安全管理员发放。",
    totp_code: "动态验证码",
    totp_code_hint: "已绑定身份验证器的账号填写当前 6 位数字；未绑定的留空。",
    login_locked: "登录失败次数过多，账号已暂时锁定，请于 {} 后再试。",
    login_hint: "忘记密码、账号被锁定或更换手机，请联系中心安全管理员。",
    already_signed_in: "您已登录，可直接进入总服务台。",

    forbidden_title: "无权访问",
    forbidden_desk: "总服务台页面仅供总服务台、窗口受理人员和中心主任使用。",
    csrf_failed: "表单已过期或不是从本系统提交的，请返回后重新提交。",
    not_found_title: "页面不存在",
    not_found: "没有找到这个页面，请检查地址。",
    error_title: "出错了",
    error_reference: "系统内部出错，请把以下参考编号告知系统管理员：",
    bad_form_title: "表单无法读取",
    bad_form: "提交的表单内容无法识别，请重新打开本页再试。",
    back_to_desk: "返回总服务台",

    desk_title: "总服务台 · 准确预审",
    desk_intro: "逐项询问申请人的情况，一次看清所有事项，一次性告知全部材料。",
    scope_label: "预审范围",
    scope_all: "全部事项",
    scope_bundles: "一件事",
    scope_items: "单个事项",
    scope_apply: "更新范围",
    question_heading: "请询问申请人",
    yes: "是",
    no: "否",
    choose: "请选择…",
    hint_date: "格式：年-月-日，例如 1950-03-01",
    hint_int: "请填写整数",
    hint_decimal: "请填写数字，可带小数",
    hint_enum: "选项按目录原文显示",
    answer_next: "确定，下一题",
    dont_know: "不知道，跳过",
    finish_now: "不再提问，查看结果",
    answers_heading: "已了解的情况",
    no_answers: "尚未回答任何问题。",
    dont_know_value: "不知道",
    change: "更正",
    status_heading: "当前预审情况",
    result_heading: "预审结果",
    result_intro: "以下结果依据申请人所述情况得出，请向申请人一次性告知。",
    no_more_questions: "没有需要再问的问题了。",
    new_review: "开始新的预审",
    applicant_name: "申请人姓名（可不填）",
    print_notice: "打印一次性告知单",
    print: "打印",
    print_hint: "也可按 Ctrl+P 打印，纸张请选 A4。",
    issue_ticket: "取号排队",
    visitor_legend: "办事人登记",
    visitor_hint: "填写身份证号可查到已登记的办事人；新办事人请同时填写姓名。",
    visitor_id: "身份证号",
    visitor_name: "姓名",
    visitor_phone: "联系电话（选填）",
    consult_only: "仅咨询，不取号",
    appointments_link: "预约与签到",
    visitors_link: "办事人查询",
    consult_recorded: "已记录本次咨询。",
    err_visitor_id: "身份证号不正确，请核对 18 位号码及校验位。",
    err_visitor_name: "请填写姓名（1 至 40 个字）；新办事人必须填写。",
    err_visitor_phone: "电话应为 11 位手机号或带区号的固定电话，如 021-12345678。",
    priority_label: "优先类别",
    priority_normal: "普通",
    priority_elderly: "老年人",
    priority_disabled: "残疾人",
    priority_veteran: "退役军人",
    priority_appointment: "预约到时",
    ticket_title: "排队号",
    ticket_ahead: "前面等候人数",
    ticket_minutes: "预计等候（分钟）",
    ticket_items: "拟办事项",
    col_material: "材料",
    col_form: "形式",
    col_copies: "份数",
    col_for: "用于事项",
    col_notes: "说明",
    err_required: "请填写后再提交；不清楚请点“不知道，跳过”。",
    err_bool: "请选择“是”或“否”。",
    err_enum: "请从列表中选择一项。",
    err_int: "请填写整数，例如 3。",
    err_int_range: "这个数字太大了，请核对。",
    err_decimal: "请填写数字，例如 1510 或 1510.50。",
    err_decimal_range: "这个数字位数太多了，请核对。",
    err_date: "请按“年-月-日”填写真实的日期，例如 1950-03-01。",
    err_name_long: "姓名太长了（最多 50 个字）。",

    notice_title: "一次性告知单",
    center_label: "受理中心",
    catalog_label: "事项目录",
    date_label: "预审日期",
    applicant_label: "申请人",
    eligible: "一、符合条件、可以办理的事项",
    unknown: "二、尚需确认情况的事项",
    ineligible: "三、暂不符合条件的事项",
    none: "（无）",
    still_to_know: "尚需了解",
    not_met: "未满足",
    materials: "四、请一次带齐以下材料",
    no_materials: "（无需提交材料）",
    e_licence: "可用电子证照代替",
    only_if: "视情况而定，取决于",
    questions: "五、请补充告知以下情况，以便确定办理事项和材料",
    footer: "本告知单依据预审时提供的情况出具；情况有变化的，以窗口受理时审核为准。",
    list_sep: "、",
    colon: "：",
    clause_sep: "；",
    sentence_sep: "",
    copies_one: "1 份",
    copies_many: "{} 份",
};

pub static EN: Msgs = Msgs {
    app_name: "Haoban",
    center_suffix: "Community Service Center",
    skip_to_content: "Skip to main content",
    other_lang_name: "中文",
    switch_lang_hint: "切换到中文",
    signed_in_as: "Signed in as",
    sign_out: "Sign out",
    nav_desk: "General desk",
    nav_window: "Window",
    nav_board: "Hall board",
    nav_cases: "Cases",
    nav_label: "Main navigation",
    role_resident: "Resident",
    role_desk: "General desk",
    role_clerk: "Window clerk",
    role_office: "Back office",
    role_supervisor: "Supervisor",
    role_system_admin: "System administrator",
    role_security_admin: "Security administrator",
    role_auditor: "Audit administrator",

    login_title: "Staff sign-in",
    login_intro: "Sign in with the account the center gave you.",
    username: "Username",
    password: "Password",
    sign_in: "Sign in",
    username_required: "Enter your username.",
    password_required: "Enter your password.",
    login_wrong: "Wrong username, password or code.",
    login_needs_totp: "This role signs in with an authenticator code and this account has none yet: ask the security administrator to issue one.",
    totp_code: "Authenticator code",
    totp_code_hint: "The current 6 digits, for accounts with an authenticator app; otherwise leave empty.",
    login_locked: "too many failed attempts; try again after {}",
    login_hint: "Forgot your password, locked out, or a new phone? Ask the center's security administrator.",
    already_signed_in: "You are already signed in and can go straight to the general desk.",

    forbidden_title: "Not allowed",
    forbidden_desk: "The general desk pages are for desk staff, window clerks and supervisors.",
    csrf_failed: "This form has expired or was not sent from this site; go back and submit it again.",
    not_found_title: "Page not found",
    not_found: "There is no page at this address; check it.",
    error_title: "Something went wrong",
    error_reference: "Something went wrong on our side. Quote this reference to the administrator:",
    bad_form_title: "The form could not be read",
    bad_form: "The form that was sent could not be understood; open the page again and retry.",
    back_to_desk: "Back to the general desk",

    desk_title: "General desk · pre-review",
    desk_intro: "Ask the applicant one question at a time, see every item at once, and tell them every material to bring, once.",
    scope_label: "Items to review",
    scope_all: "All items",
    scope_bundles: "Life events (bundles)",
    scope_items: "Single items",
    scope_apply: "Apply",
    question_heading: "Ask the applicant",
    yes: "Yes",
    no: "No",
    choose: "Choose…",
    hint_date: "Format: year-month-day, e.g. 1950-03-01",
    hint_int: "A whole number",
    hint_decimal: "A number; decimals allowed",
    hint_enum: "Values are shown as the catalog writes them",
    answer_next: "Save and continue",
    dont_know: "Don't know — skip",
    finish_now: "Stop asking, show the result",
    answers_heading: "Facts given",
    no_answers: "No questions answered yet.",
    dont_know_value: "don't know",
    change: "Change",
    status_heading: "Pre-review so far",
    result_heading: "Pre-review result",
    result_intro: "This result follows from what the applicant said; tell them all of it, once.",
    no_more_questions: "There is nothing left to ask.",
    new_review: "Start a new pre-review",
    applicant_name: "Applicant's name (optional)",
    print_notice: "Print the one-time notice",
    print: "Print",
    print_hint: "Or press Ctrl+P; choose A4 paper.",
    issue_ticket: "Issue a queue ticket",
    visitor_legend: "Visitor",
    visitor_hint: "An ID number finds a visitor registered before; for a new visitor, give the name too.",
    visitor_id: "ID number",
    visitor_name: "Name",
    visitor_phone: "Phone (optional)",
    consult_only: "Consultation only, no ticket",
    appointments_link: "Appointments and check-in",
    visitors_link: "Look up a visitor",
    consult_recorded: "The consultation is recorded.",
    err_visitor_id: "The ID number is not valid: check the 18 characters and the check digit.",
    err_visitor_name: "Enter the name (1 to 40 characters); a new visitor needs one.",
    err_visitor_phone: "A phone number is 11 mobile digits or a landline with its area code, like 021-12345678.",
    priority_label: "Priority",
    priority_normal: "None",
    priority_elderly: "Older person",
    priority_disabled: "Person with a disability",
    priority_veteran: "Veteran",
    priority_appointment: "Appointment due",
    ticket_title: "Queue ticket",
    ticket_ahead: "People ahead",
    ticket_minutes: "Estimated wait (minutes)",
    ticket_items: "Items to handle",
    col_material: "Material",
    col_form: "Form",
    col_copies: "Copies",
    col_for: "For",
    col_notes: "Notes",
    err_required: "Fill this in, or choose “Don't know — skip”.",
    err_bool: "Choose Yes or No.",
    err_enum: "Choose one of the listed values.",
    err_int: "Enter a whole number, e.g. 3.",
    err_int_range: "That number is too large; check it.",
    err_decimal: "Enter a number, e.g. 1510 or 1510.50.",
    err_decimal_range: "That number has too many digits; check it.",
    err_date: "Enter a real date as year-month-day, e.g. 1950-03-01.",
    err_name_long: "The name is too long (at most 50 characters).",

    notice_title: "One-time notice of what to bring",
    center_label: "Service center",
    catalog_label: "Catalog",
    date_label: "Pre-review date",
    applicant_label: "Applicant",
    eligible: "1. Items you qualify for",
    unknown: "2. Items that depend on facts not yet known",
    ineligible: "3. Items you do not qualify for now",
    none: "(none)",
    still_to_know: "still to know",
    not_met: "not met",
    materials: "4. Bring all of these materials, once",
    no_materials: "(no materials needed)",
    e_licence: "an electronic licence may replace it",
    only_if: "may be needed, depending on",
    questions: "5. Please tell us the following, to settle the items and materials above",
    footer: "This notice reflects the facts given at pre-review; the window's check at acceptance prevails if they change.",
    list_sep: ", ",
    colon: ": ",
    clause_sep: "; ",
    sentence_sep: " ",
    copies_one: "1 copy",
    copies_many: "{} copies",
};
