//! Discord OAuth2 login against a local fake that speaks Discord's wire format.

use std::sync::Arc;

use critfumble_sdk::wire::User;

use crate::fakes::{DiscordFake, discord, serve};
use crate::harness::{Auth, Backend, TestServer};
use crate::on_both_backends;

on_both_backends!(discord_login_with_pkce, login_needs_configuration);

fn set_cookies(headers: &reqwest::header::HeaderMap) -> Vec<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|value| value.to_str().unwrap().to_owned())
        .collect()
}

fn cookie_value(cookies: &[String], name: &str) -> String {
    cookies
        .iter()
        .find_map(|cookie| cookie.strip_prefix(&format!("{name}=")))
        .map(|rest| rest.split(';').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no {name} cookie in {cookies:?}"))
}

async fn discord_login_with_pkce(backend: Backend) {
    let fake = Arc::new(DiscordFake::default());
    let discord_base = serve(discord(fake.clone())).await;
    let server = TestServer::start_with(backend, |args| {
        args.discord_client_id = Some("client-1".to_owned());
        args.discord_client_secret = Some("secret-1".to_owned());
        args.discord_api_base = format!("{discord_base}/api");
    })
    .await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = browser
        .get(format!("{}/auth/discord/login", server.base_url))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let location = url::Url::parse(login.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.path(), "/api/oauth2/authorize");
    let query: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "client-1");
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["scope"], "identify");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(
        query["redirect_uri"],
        format!("{}/auth/discord/callback", server.base_url)
    );
    *fake.challenge.lock().unwrap() = Some(query["code_challenge"].clone());
    *fake.redirect_uri.lock().unwrap() = Some(query["redirect_uri"].clone());
    let state = query["state"].clone();
    // The state and the PKCE verifier travel in a signed cookie, not in the database.
    let state_cookie = cookie_value(&set_cookies(login.headers()), "cf_oauth_state");
    assert!(
        state_cookie.starts_with(&format!("{state}.")),
        "{state_cookie}"
    );
    assert_eq!(server.count_rows("web_sessions").await, 0);
    let callback = |code: &str, state: &str, cookie: Option<&str>| {
        let mut request = browser.get(format!(
            "{}/auth/discord/callback?code={code}&state={state}",
            server.base_url
        ));
        if let Some(cookie) = cookie {
            request = request.header("cookie", format!("cf_oauth_state={cookie}"));
        }
        request.send()
    };
    // Without the browser's state cookie the callback is refused (login CSRF).
    assert_eq!(
        callback("good-code", &state, None).await.unwrap().status(),
        400
    );
    // A cookie whose signature is not Core's, or that names another state, is refused.
    let (signed, signature) = state_cookie.rsplit_once('.').unwrap();
    let first = if signature.starts_with('A') { 'B' } else { 'A' };
    let forged = format!("{signed}.{first}{}", &signature[1..]);
    for (cookie, sent_state) in [(forged.as_str(), state.as_str()), (&state_cookie, "other")] {
        assert_eq!(
            callback("good-code", sent_state, Some(cookie))
                .await
                .unwrap()
                .status(),
            400
        );
    }
    // A code Discord rejects is 502.
    assert_eq!(
        callback("bad-code", &state, Some(&state_cookie))
            .await
            .unwrap()
            .status(),
        502
    );
    let done = callback("good-code", &state, Some(&state_cookie))
        .await
        .unwrap();
    assert_eq!(done.status(), 303, "{:?}", done.text().await);
    assert_eq!(done.headers()["location"], "/");
    let cookies = set_cookies(done.headers());
    let session_cookie = cookies
        .iter()
        .find(|c| c.starts_with("cf_session="))
        .unwrap();
    assert!(session_cookie.contains("HttpOnly"));
    assert!(session_cookie.contains("SameSite=Lax"));
    let session = cookie_value(&cookies, "cf_session");
    let me: User = server
        .get(&Auth::Cookie(session.clone()), "/v1/me")
        .await
        .expect(200)
        .json();
    assert_eq!(
        (me.discord_id.as_str(), me.name.as_str()),
        ("80351110224678912", "Nelly")
    );
    // The callback clears the state cookie, so the browser cannot use it again.
    assert!(cookie_value(&cookies, "cf_oauth_state").is_empty());
    // Logout ends the session server-side.
    let logout = browser
        .post(format!("{}/auth/logout", server.base_url))
        .header("cookie", format!("cf_session={session}"))
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert!(cookie_value(&set_cookies(logout.headers()), "cf_session").is_empty());
    server
        .get(&Auth::Cookie(session), "/v1/me")
        .await
        .expect_error(401, "unauthorized");
}

async fn login_needs_configuration(backend: Backend) {
    let server = TestServer::start(backend).await;
    server
        .get(&Auth::None, "/auth/discord/login")
        .await
        .expect_error(503, "unavailable");
}
