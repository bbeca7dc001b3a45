//! The admin page `/admin`: windows and their skills, the catalog in use and the check of a
//! catalog directory; who may use it and which administrator does what; messages next to the
//! fields with what was typed kept; English labels. Staff accounts: `admin_accounts.rs`.

mod support;

use axum::http::{Method, StatusCode};
use haoban_cases::{CenterId, Role};
use haoban_hall::Window;
use serde_json::json;
use support::{Auth, TestApp, field_with_id, unescape};

const NEW_PASSWORD: &str = "lantern-0417";
/// 综合窗口3, percent-encoded for a path or query.
const WINDOW_IN_URL: &str = "%E7%BB%BC%E5%90%88%E7%AA%97%E5%8F%A33";

fn linfen() -> CenterId {
    CenterId::parse("linfen").expect("center")
}

/// The system administrator: windows and the catalog.
async fn admin(app: &TestApp) -> Auth {
    app.staff("admin-1", Role::SystemAdmin, "linfen").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_configures_a_window_with_skills_replaces_and_removes_it() {
    let app = TestApp::new().await;
    let auth = admin(&app).await;
    let empty = app.get_page("/admin", &auth).await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.html);
    assert!(empty.html.contains("尚未设置窗口"), "{}", empty.html);
    // Every catalog item is offered as a checkbox, named in the page's language.
    for (id, name) in [
        ("consult", "政策咨询"),
        ("elderly-allowance", "老年综合津贴申领"),
        ("low-income", "最低生活保障"),
    ] {
        assert!(
            empty
                .html
                .contains(&format!("name=\"item\" value=\"{id}\"> {name}")),
            "{id}"
        );
    }

    let saved = app
        .submit(
            "/admin/windows",
            &auth,
            &[
                ("name", " 综合窗口3 "),
                ("categories", "A, B，A"),
                ("item", "low-income"),
                ("item", "elderly-allowance"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let location = saved.location().expect("location");
    assert!(
        location.starts_with("/admin?done=window-saved&name="),
        "{location}"
    );
    assert!(location.ends_with("#windows"), "{location}");
    let stored = app.state.store.windows(&linfen()).await.expect("windows");
    let window = Window {
        name: "综合窗口3".into(),
        categories: vec!['A', 'B'],
        // Catalog order, whatever the order ticked.
        items: vec!["elderly-allowance".into(), "low-income".into()],
    };
    assert_eq!(stored, vec![window.clone()]);

    let shown = app.follow(&saved, &auth).await;
    assert!(
        shown.html.contains("已保存窗口“综合窗口3”。"),
        "{}",
        shown.html
    );
    let row = &shown.html[shown.html.find("data-window=\"综合窗口3\"").expect("row")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    assert!(row.contains("A, B"), "{row}");
    assert!(
        row.contains("<li>老年综合津贴申领</li><li>最低生活保障</li>"),
        "{row}"
    );
    assert!(!row.contains("全岗通"), "{row}");

    // A call from that window calls only tickets it may serve: of its categories, with
    // every item one it handles. Other windows stay all-round.
    let desk = app.staff("desk-1", Role::Desk, "linfen").await;
    let clerk = app.staff("clerk-1", Role::Clerk, "linfen").await;
    let consult = issue(&app, &desk, "A", &["consult"]).await;
    let other_queue = issue(&app, &desk, "C", &["elderly-allowance"]).await;
    let mixed = issue(&app, &desk, "A", &["elderly-allowance", "consult"]).await;
    let elderly = issue(&app, &desk, "B", &["elderly-allowance"]).await;
    let skilled = format!("/api/v1/windows/{}/call", WINDOW_IN_URL);
    let called = app.post(&skilled, json!({}), &clerk).await;
    assert_eq!(called.status, StatusCode::OK, "{:?}", called.body);
    assert_eq!(called.body["ticket"]["number"], elderly.as_str());
    assert_eq!(called.body["ticket"]["window"], "综合窗口3");
    let nothing = app.post(&skilled, json!({}), &clerk).await;
    assert_eq!(
        nothing.body["ticket"],
        serde_json::Value::Null,
        "{:?}",
        nothing.body
    );
    // What it left waiting, an all-round window calls.
    let mut left = Vec::new();
    for _ in 0..3 {
        let any = app.post("/api/v1/windows/5/call", json!({}), &clerk).await;
        left.push(
            any.body["ticket"]["number"]
                .as_str()
                .expect("a ticket")
                .to_owned(),
        );
    }
    left.sort();
    let mut expected = vec![consult, other_queue, mixed];
    expected.sort();
    assert_eq!(left, expected);

    // Edit starts from the stored skills.
    let edit = app
        .get_page(&format!("/admin?edit={WINDOW_IN_URL}"), &auth)
        .await;
    assert!(
        field_with_id(&edit.html, "window-name").contains("value=\"综合窗口3\""),
        "{}",
        edit.html
    );
    assert!(field_with_id(&edit.html, "window-categories").contains("value=\"A,B\""));
    assert!(
        edit.html
            .contains("value=\"elderly-allowance\" checked> 老年综合津贴申领")
    );
    assert!(edit.html.contains("value=\"consult\"> 政策咨询"));

    // The same name replaces: with no skills the window is all-round again.
    let replaced = app
        .submit(
            "/admin/windows",
            &auth,
            &[("name", "综合窗口3"), ("categories", "")],
        )
        .await;
    assert_eq!(replaced.status, StatusCode::SEE_OTHER, "{}", replaced.html);
    assert_eq!(
        app.state.store.windows(&linfen()).await.expect("windows"),
        vec![Window::any("综合窗口3")]
    );
    let shown = app.follow(&replaced, &auth).await;
    assert!(shown.html.contains("全岗通"), "{}", shown.html);

    let removed = app
        .submit("/admin/windows/remove", &auth, &[("name", "综合窗口3")])
        .await;
    assert!(
        app.state
            .store
            .windows(&linfen())
            .await
            .expect("windows")
            .is_empty()
    );
    let shown = app.follow(&removed, &auth).await;
    assert!(
        shown.html.contains("已删除窗口“综合窗口3”。"),
        "{}",
        shown.html
    );

    // Removing a window that is not there says so, above the table.
    let missing = app
        .submit("/admin/windows/remove", &auth, &[("name", "9")])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        missing.html.contains("没有名为“9”的窗口。"),
        "{}",
        missing.html
    );

    // Every change is in the center's chain, which still verifies.
    let verified = app
        .get(
            "/api/v1/audit/verify",
            &app.staff("auditor-1", Role::Auditor, "linfen").await,
        )
        .await;
    assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
}

/// Issues a ticket through the API as a desk clerk; its number.
async fn issue(app: &TestApp, desk: &Auth, category: &str, items: &[&str]) -> String {
    let reply = app
        .post(
            "/api/v1/tickets",
            json!({"category": category, "items": items}),
            desk,
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["number"].as_str().expect("number").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_window_input_is_refused_next_to_the_field_and_kept() {
    let app = TestApp::new().await;
    let auth = admin(&app).await;
    let refused = app
        .submit(
            "/admin/windows",
            &auth,
            &[
                ("name", "一二三四五六七八九十一二三四五六七"),
                ("categories", "A,b1"),
                ("item", "elderly-allowance"),
                ("item", "no-such-item"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &refused.html;
    let name = field_with_id(html, "window-name");
    assert!(name.contains("has-error"), "{name}");
    assert!(name.contains("窗口名称须为 1 至 16 个字符"), "{name}");
    assert!(
        name.contains("value=\"一二三四五六七八九十一二三四五六七\""),
        "{name}"
    );
    assert!(name.contains("aria-invalid=\"true\" autofocus"), "{name}");
    let categories = unescape(field_with_id(html, "window-categories"));
    assert!(categories.contains("“b1”不是一个大写字母"), "{categories}");
    assert!(categories.contains("value=\"A,b1\""), "{categories}");
    let items = unescape(field_with_id(html, "window-items-hint"));
    assert!(
        items.contains("“no-such-item”不是当前目录中的事项"),
        "{items}"
    );
    assert!(
        items.contains("value=\"elderly-allowance\" checked>"),
        "{items}"
    );
    assert!(
        app.state
            .store
            .windows(&linfen())
            .await
            .expect("windows")
            .is_empty()
    );

    // Sixteen characters are fine; an empty name is not.
    let empty = app.submit("/admin/windows", &auth, &[("name", "  ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_with_id(&empty.html, "window-name").contains("field-error"));
    let sixteen = app
        .submit(
            "/admin/windows",
            &auth,
            &[("name", "一二三四五六七八九十一二三四五六")],
        )
        .await;
    assert_eq!(sixteen.status, StatusCode::SEE_OTHER, "{}", sixteen.html);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_admins_may_use_the_admin_page() {
    let app = TestApp::new().await;
    let auth = admin(&app).await;
    let page = app.get_page("/admin", &auth).await;
    assert!(
        page.html
            .contains("<a href=\"/admin\" aria-current=\"page\">系统管理</a>")
    );

    for role in [
        Role::Desk,
        Role::Clerk,
        Role::Office,
        Role::Supervisor,
        Role::Auditor,
    ] {
        let other = app.staff(&format!("{role}-1"), role, "linfen").await;
        let page = app.get_page("/admin", &other).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{role}");
        assert!(
            page.html
                .contains("只有系统管理员和安全管理员可以使用系统管理页面。"),
            "{role}"
        );
        assert!(!page.html.contains("href=\"/admin\""), "{role}");
        for (path, fields) in [
            ("/admin/windows", vec![("name", "5")]),
            ("/admin/windows/remove", vec![("name", "5")]),
            (
                "/admin/users",
                vec![
                    ("username", "x"),
                    ("role", "admin"),
                    ("password", NEW_PASSWORD),
                    ("password_again", NEW_PASSWORD),
                ],
            ),
            ("/admin/users/disable", vec![("username", "admin-1")]),
            ("/admin/catalog/check", vec![("path", "/")]),
        ] {
            let refused = app.submit(path, &other, &fields).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role} {path}");
        }
    }
    let resident = app.resident(support::RESIDENT).await;
    assert_eq!(
        app.get_page("/admin", &resident).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(
        app.state
            .store
            .windows(&linfen())
            .await
            .expect("windows")
            .is_empty()
    );
    assert!(app.state.store.user("x").await.expect("read").is_none());
    assert!(
        !app.state
            .store
            .user("admin-1")
            .await
            .expect("read")
            .expect("admin")
            .disabled
    );

    // Not signed in: to the sign-in page, which comes back here.
    let anonymous = app.get_page("/admin", &Auth::Anonymous).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location(), Some("/login?next=/admin"));

    // A form without the session's token is refused and changes nothing.
    for token in ["", "not-the-token"] {
        let forged = app
            .post_form(
                "/admin/windows",
                &[("csrf_token", token), ("name", "5")],
                &auth,
            )
            .await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
    }
    assert!(
        app.state
            .store
            .windows(&linfen())
            .await
            .expect("windows")
            .is_empty()
    );
}

/// 三权分立: the system administrator configures the hall but never touches accounts; the
/// security administrator manages accounts but never the hall; neither reads the record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_and_security_administrators_keep_to_their_own_duties() {
    let app = TestApp::new().await;
    let system = admin(&app).await;
    let security = app.staff("sec-1", Role::SecurityAdmin, "linfen").await;
    let system_page = app.get_page("/admin", &system).await;
    assert!(system_page.html.contains("id=\"windows\""));
    assert!(!system_page.html.contains("id=\"staff\""));
    let security_page = app.get_page("/admin", &security).await;
    assert!(security_page.html.contains("id=\"staff\""));
    assert!(!security_page.html.contains("id=\"windows\""));
    assert!(!security_page.html.contains("id=\"catalog\""));
    let account = [
        ("username", "x"),
        ("role", "clerk"),
        ("password", NEW_PASSWORD),
        ("password_again", NEW_PASSWORD),
    ];
    for (path, fields) in [
        ("/admin/users", &account[..]),
        ("/admin/users/disable", &[("username", "sec-1")][..]),
        ("/admin/users/totp", &[("username", "sec-1")][..]),
    ] {
        let refused = app.submit(path, &system, fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
    }
    let refused = app
        .submit("/admin/windows", &security, &[("name", "5")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    for auth in [&system, &security] {
        assert_eq!(
            app.get("/api/v1/audit/verify", auth).await.status,
            StatusCode::FORBIDDEN
        );
    }
    assert!(app.state.store.user("x").await.expect("read").is_none());
}

/// Administrators need a TOTP key; the security administrator issues one, shown once, and
/// the account signs in with the app's code, each code once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_catalog_in_use_and_a_check_that_never_replaces_it() {
    let app = TestApp::new().await;
    let auth = admin(&app).await;
    let catalog = app.state.catalog.clone();
    let page = app.get_page("/admin", &auth).await;
    let html = &page.html;
    assert!(
        html.contains("<dd class=\"catalog-name\">测试目录</dd>"),
        "{html}"
    );
    assert!(html.contains(&catalog.version));
    assert!(html.contains("<dd class=\"catalog-count\">3</dd>"));
    let row = &html[html.find("data-item=\"elderly-allowance\"").expect("row")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    for text in [
        "老年综合津贴申领",
        "老年福利",
        "区民政局",
        "窗口、网上、自助终端",
        "20 个工作日",
    ] {
        assert!(row.contains(text), "{text} in {row}");
    }
    assert!(html.contains("重启时用 --catalog"));

    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../haoban-catalog/tests/fixtures/basic");
    let fixture = fixture.to_str().expect("path");
    let checked = app
        .submit("/admin/catalog/check", &auth, &[("path", fixture)])
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.html);
    let outcome = &checked.html[checked.html.find("id=\"check-outcome\"").expect("outcome")..];
    assert!(outcome.contains("可以载入"), "{outcome}");
    assert!(
        outcome.contains("<dd class=\"checked-count\">3</dd>"),
        "{outcome}"
    );
    assert!(outcome.contains("与正在使用的目录相同。"), "{outcome}");

    // A broken catalog: its problems, each located.
    let broken = tempfile::tempdir().expect("tempdir");
    std::fs::write(broken.path().join("catalog.toml"), "name = [\n").expect("write");
    let path = broken.path().to_str().expect("path");
    let checked = app
        .submit("/admin/catalog/check", &auth, &[("path", path)])
        .await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.html);
    let outcome = &checked.html[checked.html.find("id=\"check-outcome\"").expect("outcome")..];
    assert!(outcome.contains("不能载入"), "{outcome}");
    let located = format!("<li><code>{}", broken.path().join("catalog.toml").display());
    assert!(outcome.contains(&located), "{outcome}");

    // Not a directory: next to the field, the path kept.
    let missing = app
        .submit("/admin/catalog/check", &auth, &[("path", "/no/such/dir")])
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let field = field_with_id(&missing.html, "catalog-path");
    assert!(field.contains("服务器上没有这个目录"), "{field}");
    assert!(field.contains("value=\"/no/such/dir\""), "{field}");
    // The catalog in use is the one the server started with.
    assert_eq!(app.state.catalog.version, catalog.version);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_complete_in_english() {
    let app = TestApp::new().await;
    let auth = admin(&app).await;
    let page = app.get_page("/admin?lang=en", &auth).await;
    assert_eq!(page.status, StatusCode::OK);
    // The staff section is the security administrator's.
    let security = app.staff("sec-1", Role::SecurityAdmin, "linfen").await;
    let staff = app.get_page("/admin?lang=en", &security).await;
    let html = &format!("{}{}", page.html, staff.html);
    assert!(html.contains("<html lang=\"en\">"));
    for label in [
        "<a href=\"/admin\" aria-current=\"page\">Administration</a>",
        "Windows and their skills",
        "Add or change a window",
        "Staff accounts",
        "New account",
        "Password again",
        "Service catalog",
        "Check a catalog directory",
        "with --catalog",
        "Elderly comprehensive allowance",
        "Elderly welfare",
        "Window, Online, Kiosk",
        "20 working days",
        "System administrator",
        "Security administrator",
        "Second factor",
    ] {
        assert!(html.contains(label), "{label}");
    }
    for chinese in ["窗口与技能", "工作人员账号", "事项目录", "新建账号", "检查"]
    {
        assert!(!html.contains(chinese), "{chinese}");
    }

    // Messages follow the language the browser remembers.
    let refused = app
        .page(
            Method::POST,
            "/admin/windows",
            Some(&[
                ("csrf_token", auth.csrf()),
                ("name", ""),
                ("categories", "x"),
            ]),
            &auth,
            &["haoban_lang=en"],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        field_with_id(&refused.html, "window-name")
            .contains("A window name has 1 to 16 characters")
    );
    assert!(
        unescape(field_with_id(&refused.html, "window-categories"))
            .contains("“x” is not one capital letter")
    );
    // Its language switch leads to the page, not to the form's address.
    assert!(
        refused.html.contains("href=\"/admin?lang=zh\""),
        "{}",
        refused.html
    );
}
