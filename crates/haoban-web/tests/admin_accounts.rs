//! The admin page's staff accounts (`/admin`, the security administrator's): creating one
//! that then signs in, bad input next to its field, disabling one (its sessions end), and
//! TOTP keys issued once with every sign-in needing a fresh code.

mod support;

use axum::http::{Method, StatusCode};
use haoban_cases::{CenterId, Role};
use support::{Auth, TestApp, field_with_id, unescape};

const NEW_PASSWORD: &str = "lantern-0417";

fn linfen() -> CenterId {
    CenterId::parse("linfen").expect("center")
}

/// The security administrator: staff accounts.
async fn security(app: &TestApp) -> Auth {
    app.staff("admin-1", Role::SecurityAdmin, "linfen").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_an_account_that_then_signs_in() {
    let app = TestApp::new().await;
    let auth = security(&app).await;
    let created = app
        .submit(
            "/admin/users",
            &auth,
            &[
                ("username", " xiaoli "),
                ("role", "clerk"),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let user = app
        .state
        .store
        .user("xiaoli")
        .await
        .expect("read")
        .expect("created");
    assert_eq!(
        (user.role, &user.center, user.disabled),
        (Role::Clerk, &linfen(), false)
    );
    assert_ne!(user.password_hash, NEW_PASSWORD);
    let shown = app.follow(&created, &auth).await;
    assert!(shown.html.contains("已新建账号 xiaoli。"), "{}", shown.html);
    let row = &shown.html[shown.html.find("data-user=\"xiaoli\"").expect("row")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    assert!(row.contains("窗口受理") && row.contains("正常"), "{row}");
    // The admin's own row offers no disabling.
    let own = &shown.html[shown.html.find("data-user=\"admin-1\"").expect("row")..];
    let own = &own[..own.find("</tr>").expect("row end")];
    assert!(
        own.contains("（本人）") && !own.contains("/admin/users/disable"),
        "{own}"
    );

    // The new account signs in through the sign-in page and reaches the desk.
    let login = app
        .post_form(
            "/login",
            &[
                ("username", "xiaoli"),
                ("password", NEW_PASSWORD),
                ("next", "/desk"),
            ],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.html);
    assert_eq!(login.location(), Some("/desk"));
    let clerk = app.sign_in("xiaoli", NEW_PASSWORD).await.expect("sign in");
    let desk = app.get_page("/desk", &clerk).await;
    assert_eq!(desk.status, StatusCode::OK);
    // A clerk may not use the admin page, nor sees it in the navigation.
    assert!(!desk.html.contains("href=\"/admin\""), "{}", desk.html);
    assert_eq!(
        app.get_page("/admin", &clerk).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_account_input_is_refused_next_to_the_field_and_kept() {
    let app = TestApp::new().await;
    let auth = security(&app).await;
    app.with_user("taken", Role::Office, "pengpu").await;
    let refused = app
        .submit(
            "/admin/users",
            &auth,
            &[
                ("username", "li si"),
                ("role", "resident"),
                ("password", "pw7x"),
                ("password_again", "pw7x"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &refused.html;
    let username = field_with_id(html, "new-username");
    assert!(
        username.contains("用户名须为 1 至 64 个字符，不含空格。"),
        "{username}"
    );
    assert!(username.contains("value=\"li si\""), "{username}");
    assert!(
        field_with_id(html, "new-role")
            .contains("请选择一个工作人员角色（安全管理员只能在命令行创建）。")
    );
    assert!(field_with_id(html, "new-password").contains("密码至少需要 8 个字符。"));
    // Passwords never come back in the page.
    assert!(!html.contains("pw7x"));

    // The MLPS rule by default: three kinds of character, not the username. A security
    // administrator is made on the command line only.
    for (role, password, message) in [
        (
            "clerk",
            "lanternlantern",
            "密码须含大写字母、小写字母、数字、其他字符中的至少三种。",
        ),
        ("clerk", "Xiaozhao-2026", "密码不能包含用户名。"),
        ("secadmin", NEW_PASSWORD, "安全管理员只能在命令行创建"),
    ] {
        let refused = app
            .submit(
                "/admin/users",
                &auth,
                &[
                    ("username", "xiaozhao"),
                    ("role", role),
                    ("password", password),
                    ("password_again", password),
                ],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{password}"
        );
        assert!(refused.html.contains(message), "{message}");
    }
    assert!(
        app.state
            .store
            .user("xiaozhao")
            .await
            .expect("read")
            .is_none()
    );

    // The role typed is kept; the confirmation must match; a username is taken anywhere.
    let refused = app
        .submit(
            "/admin/users",
            &auth,
            &[
                ("username", "taken"),
                ("role", "office"),
                ("password", NEW_PASSWORD),
                ("password_again", "lantern-0418"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = &refused.html;
    assert!(field_with_id(html, "new-role").contains("value=\"office\" selected"));
    assert!(field_with_id(html, "new-password-again").contains("两次输入的密码不一致。"));
    let refused = app
        .submit(
            "/admin/users",
            &auth,
            &[
                ("username", "taken"),
                ("role", "office"),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let username = field_with_id(&refused.html, "new-username");
    assert!(username.contains("这个用户名已被使用"), "{username}");
    assert!(username.contains("value=\"taken\""), "{username}");
    let users = app.state.store.users(&linfen()).await.expect("users");
    assert_eq!(users.len(), 1, "{users:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabling_an_account_ends_its_session() {
    let app = TestApp::new().await;
    let auth = security(&app).await;
    let clerk = app.staff("zhangsan", Role::Clerk, "linfen").await;
    let elsewhere = app.staff("wangwu", Role::Clerk, "pengpu").await;
    assert_eq!(
        app.get("/api/v1/session", &clerk).await.status,
        StatusCode::OK
    );

    let disabled = app
        .submit("/admin/users/disable", &auth, &[("username", "zhangsan")])
        .await;
    assert_eq!(disabled.status, StatusCode::SEE_OTHER, "{}", disabled.html);
    assert_eq!(
        app.get("/api/v1/session", &clerk).await.status,
        StatusCode::UNAUTHORIZED
    );
    let page = app.get_page("/desk", &clerk).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(app.sign_in("zhangsan", support::PASSWORD).await.is_err());
    let shown = app.follow(&disabled, &auth).await;
    assert!(
        shown
            .html
            .contains("已停用账号 zhangsan，其登录已全部结束。"),
        "{}",
        shown.html
    );
    let row = &shown.html[shown.html.find("data-user=\"zhangsan\"").expect("row")..];
    let row = &row[..row.find("</tr>").expect("row end")];
    assert!(
        row.contains("已停用") && !row.contains("/admin/users/disable"),
        "{row}"
    );

    // Not oneself, and not another center's account.
    let own = app
        .submit("/admin/users/disable", &auth, &[("username", "admin-1")])
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
    let row = &own.html[own.html.find("data-user=\"admin-1\"").expect("row")..];
    assert!(row[..row.find("</tr>").expect("end")].contains("不能停用自己正在使用的账号。"));
    let other = app
        .submit("/admin/users/disable", &auth, &[("username", "wangwu")])
        .await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unescape(&other.html).contains("本中心没有用户名为“wangwu”的账号。"));
    assert_eq!(
        app.get("/api/v1/session", &elsewhere).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/session", &auth).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_totp_key_is_issued_once_and_every_sign_in_needs_a_fresh_code() {
    use haoban_web::auth::totp::TotpSecret;

    let app = TestApp::new().await;
    let auth = security(&app).await;
    let created = app
        .submit(
            "/admin/users",
            &auth,
            &[
                ("username", "sysop"),
                ("role", "sysadmin"),
                ("password", NEW_PASSWORD),
                ("password_again", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let shown = app.follow(&created, &auth).await;
    let row = &shown.html[shown.html.find("data-user=\"sysop\"").expect("row")..];
    assert!(row[..row.find("</tr>").expect("end")].contains("未绑定（该角色登录必需）"));
    // Without a key an administrator cannot sign in at all, even with the right password.
    let without = app.sign_in("sysop", NEW_PASSWORD).await.unwrap_err();
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    assert!(
        without.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("second factor")),
        "{:?}",
        without.body
    );

    let issued = app
        .submit("/admin/users/totp", &auth, &[("username", "sysop")])
        .await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.html);
    assert_eq!(
        issued
            .headers
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    let html = &issued.html;
    let marker = "class=\"totp-key\">";
    let key = &html[html.find(marker).expect("key") + marker.len()..];
    let key = &key[..key.find('<').expect("end")];
    let secret = TotpSecret::from_base32(key).expect("a base32 key");
    let stored = app
        .state
        .store
        .user("sysop")
        .await
        .expect("read")
        .expect("user");
    assert_eq!(stored.totp_secret.as_deref(), Some(key));
    assert!(html.contains("otpauth://totp/haoban:sysop?secret="));
    // The page that follows shows it no more.
    let later = app.get_page("/admin", &auth).await;
    assert!(!later.html.contains(key));

    let sign_in = |code: Option<String>| {
        let app = &app;
        async move {
            app.request(
                Method::POST,
                "/api/v1/session",
                Some(serde_json::json!({"username": "sysop", "password": NEW_PASSWORD, "totp": code})),
                &Auth::Anonymous,
            )
            .await
        }
    };
    use haoban_cases::Clock;
    let code = secret.code_at(app.clock.now());
    assert_eq!(sign_in(None).await.status, StatusCode::FORBIDDEN);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    assert_eq!(
        sign_in(Some(wrong.into())).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(sign_in(Some(code.clone())).await.status, StatusCode::OK);
    // The same code again is refused: it was good once.
    let replayed = sign_in(Some(code)).await;
    assert_eq!(replayed.status, StatusCode::FORBIDDEN);
    assert_eq!(
        replayed.body["error"]["message"],
        "wrong username, password or code"
    );
    // Half a minute on, the next code works; one from five minutes ago does not.
    app.clock.advance(chrono::Duration::seconds(30));
    let stale = secret.code_at(app.clock.now() - chrono::Duration::minutes(5));
    assert_eq!(sign_in(Some(stale)).await.status, StatusCode::FORBIDDEN);
    let fresh = secret.code_at(app.clock.now());
    assert_eq!(sign_in(Some(fresh)).await.status, StatusCode::OK);

    // The sign-in page takes the code too.
    app.clock.advance(chrono::Duration::seconds(30));
    let page = app
        .post_form(
            "/login",
            &[
                ("username", "sysop"),
                ("password", NEW_PASSWORD),
                ("totp", &secret.code_at(app.clock.now())),
                ("next", "/admin"),
            ],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.html);
    assert_eq!(page.location(), Some("/admin"));
    // Asking for no page, an administrator lands on theirs, not on the desk.
    app.clock.advance(chrono::Duration::seconds(30));
    let page = app
        .post_form(
            "/login",
            &[
                ("username", "sysop"),
                ("password", NEW_PASSWORD),
                ("totp", &secret.code_at(app.clock.now())),
            ],
            &Auth::Anonymous,
        )
        .await;
    assert_eq!(page.location(), Some("/admin"), "{}", page.html);

    // Not one's own key: another security administrator issues it.
    let own = app
        .submit("/admin/users/totp", &auth, &[("username", "admin-1")])
        .await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY);
}
