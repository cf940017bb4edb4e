//! The web app: each page for anonymous visitors, members, the GM and non-members; the
//! security headers; CSRF and Origin checks on every form; escaping; and the forms acting
//! through the API's rules.

use reqwest::StatusCode;
use serde_json::json;

use crate::campaigns::Party;
use crate::harness::{Auth, Backend, TestServer};
use crate::on_both_backends;
use crate::rolls::{post_roll, roll_body};

on_both_backends!(
    pages_by_role,
    roll_history_pages_filters_and_escapes,
    forms_need_the_csrf_token_and_our_origin,
    tokens_are_issued_and_revoked_from_the_page,
    link_vtt_issues_a_bridge_token_and_unlinks,
    luck_page_charts_faces_and_expressions,
    assistant_asks_through_core_and_shows_usage,
);

/// A browser with a live session of `user`, made as the login callback makes one.
struct Browser {
    session: String,
    http: reqwest::Client,
    base_url: String,
}

impl Browser {
    async fn of(server: &TestServer, user_id: uuid::Uuid) -> Browser {
        let session = server.web_session_for(user_id).await;
        Browser::with_cookie(server, &session)
    }

    fn with_cookie(server: &TestServer, session: &str) -> Browser {
        Browser {
            session: session.to_owned(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base_url: server.base_url.clone(),
        }
    }

    fn anonymous(server: &TestServer) -> Browser {
        Browser::with_cookie(server, "")
    }

    async fn get(&self, path: &str) -> Page {
        let mut request = self.http.get(format!("{}{path}", self.base_url));
        if !self.session.is_empty() {
            request = request.header("cookie", format!("cf_session={}", self.session));
        }
        Page::read(request.send().await.unwrap()).await
    }

    /// Posts a form as a browser on Core's own page would: our Origin, the session's token.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.get("/tokens").await.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, Some(&self.base_url), &all).await
    }

    async fn post_raw(&self, path: &str, origin: Option<&str>, fields: &[(&str, &str)]) -> Page {
        let mut request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("cf_session={}", self.session))
            .body(serde_urlencoded::to_string(fields).unwrap());
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        Page::read(request.send().await.unwrap()).await
    }
}

struct Page {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    html: String,
}

impl Page {
    async fn read(response: reqwest::Response) -> Page {
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            html: response.text().await.unwrap(),
        }
    }

    #[track_caller]
    fn expect(&self, status: u16) -> &Page {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.html);
        self
    }

    #[track_caller]
    fn has(&self, text: &str) -> &Page {
        assert!(self.html.contains(text), "no {text:?} in {}", self.html);
        self
    }

    #[track_caller]
    fn lacks(&self, text: &str) -> &Page {
        assert!(!self.html.contains(text), "{text:?} in {}", self.html);
        self
    }

    /// The text after `start` up to the next `end`.
    #[track_caller]
    fn between(&self, start: &str, end: char) -> String {
        let from = self
            .html
            .find(start)
            .unwrap_or_else(|| panic!("no {start:?}"))
            + start.len();
        let to = from
            + self.html[from..]
                .find(end)
                .unwrap_or_else(|| panic!("no {end:?}"));
        self.html[from..to].to_owned()
    }

    fn location(&self) -> &str {
        self.headers["location"].to_str().unwrap()
    }

    /// The CSRF token in the page's forms.
    #[track_caller]
    fn csrf(&self) -> String {
        self.between("name=\"csrf\" value=\"", '"')
    }
}

/// Sessions of the party's GM, player and outsider.
async fn browsers(party: &Party) -> (Browser, Browser, Browser) {
    let outsider = party
        .server
        .store
        .user_by_discord_id("300")
        .await
        .unwrap()
        .unwrap();
    (
        Browser::of(&party.server, party.gm_id).await,
        Browser::of(&party.server, party.player_id).await,
        Browser::of(&party.server, outsider.id).await,
    )
}

/// Checks that a token issued from a page acts for the player and cannot write, and
/// returns its record (named `name`…).
async fn check_token_cannot_write(
    party: &Party,
    token: &Auth,
    name: &str,
) -> critfumble_sdk::wire::ApiKeyInfo {
    let me: critfumble_sdk::wire::User = party.server.get(token, "/v1/me").await.expect(200).json();
    assert_eq!(me.id, party.player_id);
    party
        .server
        .post(
            token,
            "/v1/campaigns",
            &json!({"name": "x", "game_system": "y"}),
        )
        .await
        .expect_error(403, "forbidden");
    let tokens: critfumble_sdk::wire::Page<critfumble_sdk::wire::ApiKeyInfo> = party
        .server
        .get(&party.player, "/v1/me/tokens")
        .await
        .expect(200)
        .json();
    tokens
        .items
        .into_iter()
        .find(|t| t.name.starts_with(name))
        .unwrap()
}

async fn pages_by_role(backend: Backend) {
    let party = Party::new(backend).await;
    let server = &party.server;
    let (gm, player, outsider) = browsers(&party).await;
    let anonymous = Browser::anonymous(server);
    let campaign = format!("/campaigns/{}", party.campaign.id);

    // Home: the pitch and the login link, or the user's campaigns.
    let home = anonymous.get("/").await;
    home.expect(200)
        .has("href=\"/auth/discord/login\"")
        .lacks("Curse of Strahd");
    assert_eq!(
        home.headers["content-security-policy"],
        critfumble_core::web::CONTENT_SECURITY_POLICY
    );
    assert!(
        critfumble_core::web::CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'")
            && !critfumble_core::web::CONTENT_SECURITY_POLICY.contains("unsafe-inline")
    );
    assert_eq!(home.headers["x-content-type-options"], "nosniff");
    assert_eq!(home.headers["referrer-policy"], "same-origin");
    gm.get("/")
        .await
        .expect(200)
        .has("Curse of Strahd")
        .has("Log out Gemma");
    outsider.get("/").await.expect(200).lacks("Curse of Strahd");
    // An unknown session is anonymous.
    Browser::with_cookie(server, "forged")
        .get("/")
        .await
        .expect(200)
        .has("Log in with Discord");

    // Campaign: members see members and roles; anyone else gets the API's answers.
    anonymous
        .get(&campaign)
        .await
        .expect(401)
        .has("/auth/discord/login");
    outsider
        .get(&campaign)
        .await
        .expect(404)
        .lacks("Curse of Strahd");
    for browser in [&gm, &player] {
        browser
            .get(&campaign)
            .await
            .expect(200)
            .has("Gemma <span class=\"badge\">GM</span>")
            .has("Piet <span class=\"badge\">player</span>")
            .has("barovia")
            .has("<code>12</code>");
    }
    gm.get(&format!("/campaigns/{}", uuid::Uuid::nil()))
        .await
        .expect(404);

    // Characters: the player creates one; its sheet has an edit form for the player and
    // the GM only; the outsider cannot see it.
    let created = player
        .post(
            &format!("{campaign}/characters"),
            &[("name", "Ireena"), ("class", "Fighter"), ("level", "3")],
        )
        .await;
    created.expect(303);
    let sheet = created.location().to_owned();
    assert!(
        sheet.starts_with(&format!("{campaign}/characters/")),
        "{sheet}"
    );
    for browser in [&gm, &player] {
        browser
            .get(&sheet)
            .await
            .expect(200)
            .has("Ireena")
            .has("Fighter")
            .has("<h2>Edit</h2>");
    }
    outsider.get(&sheet).await.expect(404);
    anonymous.get(&sheet).await.expect(401);
    // The GM edits it; the store has what the form said.
    gm.post(
        &sheet,
        &[
            ("name", "Ireena Kolyana"),
            ("class", "Paladin"),
            ("level", "4"),
            ("ac", "16"),
            ("hp_current", "20"),
            ("hp_max", "31"),
            ("notes", ""),
        ],
    )
    .await
    .expect(303);
    let characters = server.store.characters(party.campaign.id).await.unwrap();
    assert_eq!(characters.len(), 1);
    let sheet_saved = &characters[0];
    assert_eq!(sheet_saved.name, "Ireena Kolyana");
    assert_eq!(
        (
            sheet_saved.sheet.class.as_deref(),
            sheet_saved.sheet.level,
            sheet_saved.sheet.ac
        ),
        (Some("Paladin"), Some(4), Some(16))
    );
    assert_eq!(
        sheet_saved.sheet.hp.as_ref().map(|hp| (hp.current, hp.max)),
        Some((20, 31))
    );
    // A GM's character: the player sees it without the form, and a forged post is the
    // API's 403.
    let gm_character = gm
        .post(&format!("{campaign}/characters"), &[("name", "Strahd")])
        .await
        .location()
        .to_owned();
    player
        .get(&gm_character)
        .await
        .expect(200)
        .lacks("<h2>Edit</h2>");
    player
        .post(&gm_character, &[("name", "Mine now")])
        .await
        .expect(403);
    // A bad number names its field.
    gm.post(&sheet, &[("name", "x"), ("level", "three")])
        .await
        .expect(400)
        .has("invalid level");

    // A new campaign from the home page makes the user its GM.
    let made = outsider
        .post(
            "/campaigns",
            &[("name", "Tomb of Annihilation"), ("game_system", "dnd5e")],
        )
        .await;
    made.expect(303);
    outsider
        .get(made.location())
        .await
        .expect(200)
        .has("Otto <span class=\"badge\">GM</span>");

    // Static files are served with their types, and stay under the page budget.
    let css = anonymous.get("/static/app.css").await;
    css.expect(200);
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    anonymous.get("/static/nope.js").await.expect(404);
    let total: usize = critfumble_core::web::assets::sizes()
        .map(|(_, size)| size)
        .sum();
    assert!(total < 100 * 1024, "assets weigh {total} bytes");
    // The API keeps answering JSON errors for unknown routes.
    server
        .get(&Auth::None, "/v1/nope")
        .await
        .expect_error(404, "not_found");
}

async fn roll_history_pages_filters_and_escapes(backend: Backend) {
    let party = Party::new(backend).await;
    let (gm, player, outsider) = browsers(&party).await;
    let campaign = format!("/campaigns/{}", party.campaign.id);
    // 27 Roll20 rolls by the player, one Foundry roll by the GM with a hostile label.
    for face in 0..27 {
        post_roll(
            &party,
            &party.player,
            Some(&format!("p{face}")),
            &roll_body(Some(party.campaign.id), face % 20 + 1, false),
        )
        .await
        .expect(201);
    }
    let mut hostile = roll_body(Some(party.campaign.id), 17, false);
    hostile["source"] = json!("foundry");
    hostile["actor"]["name"] = json!("Gemma");
    hostile["label"] = json!("<script>alert(1)</script>");
    let hostile_roll: critfumble_sdk::wire::Roll =
        post_roll(&party, &party.gm, Some("hostile"), &hostile)
            .await
            .expect(201)
            .json();

    let first = player.get(&campaign).await;
    first.expect(200);
    assert_eq!(first.html.matches("class=\"roll\"").count(), 25);
    // Escaped by the template engine: the label shows as text and runs nothing.
    first
        .has("&#60;script&#62;alert(1)&#60;/script&#62;")
        .lacks("<script>alert(1)")
        .has("✓ verified")
        .has("<span class=\"die\">17</span>");
    // The second page holds the other three rolls.
    let next_start = first.html.find("?member=").unwrap();
    let next_end = next_start + first.html[next_start..].find('"').unwrap();
    let next = first.html[next_start..next_end]
        .replace("&#38;", "&")
        .replace("&amp;", "&");
    let second = player.get(&format!("{campaign}{next}")).await;
    second.expect(200);
    assert_eq!(second.html.matches("class=\"roll\"").count(), 3, "{next}");

    // Filters: by member, by source.
    let by_gm = gm.get(&format!("{campaign}?member={}", party.gm_id)).await;
    assert_eq!(by_gm.expect(200).html.matches("class=\"roll\"").count(), 1);
    let foundry = gm.get(&format!("{campaign}?source=foundry")).await;
    assert_eq!(foundry.html.matches("class=\"roll\"").count(), 1);
    foundry.has(&format!("data-roll-id=\"{}\"", hostile_roll.id));
    gm.get(&format!("{campaign}?source=myspace"))
        .await
        .expect(400)
        .has("unknown source");
    gm.get(&format!("{campaign}?member=42"))
        .await
        .expect(400)
        .has("member filter");
    gm.get(&format!("{campaign}?cursor=bogus"))
        .await
        .expect(400);

    // A roll's share page: members see it; others get 404.
    let share = format!("/rolls/{}", hostile_roll.id);
    player
        .get(&share)
        .await
        .expect(200)
        .has("✓ verified")
        .lacks("<script>alert");
    outsider.get(&share).await.expect(404);
    Browser::anonymous(&party.server)
        .get(&share)
        .await
        .expect(401);
}

async fn forms_need_the_csrf_token_and_our_origin(backend: Backend) {
    let party = Party::new(backend).await;
    let (gm, player, _) = browsers(&party).await;
    let own_csrf = gm.get("/").await.csrf();
    let player_csrf = player.get("/").await.csrf();
    assert_ne!(own_csrf, player_csrf);
    let base = gm.base_url.clone();
    let new_campaign = [("name", "Forged"), ("game_system", "x")];
    // (origin, csrf field, the page's reason): a missing, forged or other session's token,
    // another site's origin, no origin at all.
    let refused = [
        (Some(base.as_str()), None, "security token"),
        (Some(base.as_str()), Some("AAAA"), "security token"),
        (
            Some(base.as_str()),
            Some(player_csrf.as_str()),
            "security token",
        ),
        (
            Some("https://evil.example"),
            Some(own_csrf.as_str()),
            "another site",
        ),
        (None, Some(own_csrf.as_str()), "another site"),
    ];
    for (origin, csrf, why) in refused {
        let mut fields: Vec<(&str, &str)> = new_campaign.to_vec();
        fields.extend(csrf.map(|csrf| ("csrf", csrf)));
        gm.post_raw("/campaigns", origin, &fields)
            .await
            .expect(403)
            .has(why);
    }
    assert_eq!(party.server.count_rows("campaigns").await, 1);
    // A form with our origin and the session's token goes through.
    let mut fields: Vec<(&str, &str)> = new_campaign.to_vec();
    fields.push(("csrf", &own_csrf));
    gm.post_raw("/campaigns", Some(&base), &fields)
        .await
        .expect(303);
    assert_eq!(party.server.count_rows("campaigns").await, 2);
    // Logging out ends the session server-side.
    gm.post("/logout", &[]).await.expect(303);
    gm.get("/campaigns").await.expect(405);
    gm.get(&format!("/campaigns/{}", party.campaign.id))
        .await
        .expect(401);
}

async fn tokens_are_issued_and_revoked_from_the_page(backend: Backend) {
    let party = Party::new(backend).await;
    let (_, player, _) = browsers(&party).await;
    let issued = player
        .post(
            "/tokens",
            &[
                ("name", "my script"),
                ("scope", "read"),
                ("expires_in_days", "7"),
            ],
        )
        .await;
    issued.expect(200).has("my script");
    let token = issued.between("id=\"new-token\">", '<');
    let auth = Auth::Token(token);
    let info = check_token_cannot_write(&party, &auth, "my script").await;
    let lifetime = info.expires_at.unwrap() - info.created_at;
    assert!(
        (lifetime - chrono::TimeDelta::days(7)).num_seconds().abs() < 60,
        "{lifetime}"
    );
    // More than 90 days is refused with the field named.
    player
        .post(
            "/tokens",
            &[
                ("name", "long"),
                ("scope", "read"),
                ("expires_in_days", "365"),
            ],
        )
        .await
        .expect(400)
        .has("expires_in_days");
    // Revoking from the page stops the token at once.
    player
        .post(&format!("/tokens/{}/revoke", info.id), &[])
        .await
        .expect(303);
    party.server.get(&auth, "/v1/me").await.expect(401);
    player.get("/tokens").await.expect(200).has("revoked");
    // Another user's token id is the API's 404.
    let gm_tokens: critfumble_sdk::wire::Page<critfumble_sdk::wire::ApiKeyInfo> = party
        .server
        .get(&party.gm, "/v1/me/tokens")
        .await
        .expect(200)
        .json();
    player
        .post(&format!("/tokens/{}/revoke", gm_tokens.items[0].id), &[])
        .await
        .expect(404);
    Browser::anonymous(&party.server)
        .get("/tokens")
        .await
        .expect(401);
}

async fn link_vtt_issues_a_bridge_token_and_unlinks(backend: Backend) {
    let party = Party::new(backend).await;
    let (_, player, _) = browsers(&party).await;
    let page = player.get("/link-vtt").await;
    page.expect(200)
        .has("extension-missing")
        .has("<script src=\"/static/link.js\" defer></script>")
        .has("piet-r20")
        .has("piet-f");
    // Consent: a fresh token for the bridge, with only the bridge's scopes.
    let consented = player.post("/link-vtt", &[]).await;
    consented.expect(200);
    let token = consented.between("data-token=\"", '"');
    let info = check_token_cannot_write(&party, &Auth::Token(token), "VTT bridge").await;
    assert_eq!(
        info.scopes,
        [
            critfumble_sdk::wire::TokenScope::Read,
            critfumble_sdk::wire::TokenScope::RollsWrite
        ]
    );
    assert!(info.expires_at.unwrap() <= chrono::Utc::now() + chrono::TimeDelta::days(30));
    // Unlink one account from the page.
    let links: critfumble_sdk::wire::Page<critfumble_sdk::wire::VttAccountLink> = party
        .server
        .get(&party.player, "/v1/me/vtt-accounts")
        .await
        .expect(200)
        .json();
    let roll20 = links
        .items
        .iter()
        .find(|l| l.vtt_user_id == "piet-r20")
        .unwrap();
    player
        .post(&format!("/link-vtt/accounts/{}/unlink", roll20.id), &[])
        .await
        .expect(303);
    player
        .get("/link-vtt")
        .await
        .expect(200)
        .lacks("piet-r20")
        .has("piet-f");
}

async fn luck_page_charts_faces_and_expressions(backend: Backend) {
    let party = Party::new(backend).await;
    let (gm, player, outsider) = browsers(&party).await;
    let luck = format!("/campaigns/{}/luck", party.campaign.id);
    // The player rolls faces 1 to 20 once each, and 20 twice more; the GM one private 7.
    for face in (1..=20).chain([20, 20]) {
        post_roll(
            &party,
            &party.player,
            Some(&format!("l{face}-{}", uuid::Uuid::new_v4())),
            &roll_body(Some(party.campaign.id), face, false),
        )
        .await
        .expect(201);
    }
    let mut private = roll_body(Some(party.campaign.id), 7, true);
    private["actor"]["name"] = json!("Gemma");
    post_roll(&party, &party.gm, Some("private"), &private)
        .await
        .expect(201);

    let page = player.get(&luck).await;
    page.expect(200)
        .has("<h2>Piet</h2>")
        .has("22 d20s")
        .has("too few d20s to tell")
        .lacks("<h2>Gemma</h2>");
    // The observed bar of 20 holds 3 of 22; the fair d20's 1 of 20.
    let bar = |html: &str, series: u32, total: u32| -> f64 {
        let marker = format!("data-series=\"{series}\" data-total=\"{total}\" data-probability=\"");
        let start = html.find(&marker).unwrap() + marker.len();
        html[start..start + html[start..].find('"').unwrap()]
            .parse()
            .unwrap()
    };
    assert!((bar(&page.html, 0, 20) - 3.0 / 22.0).abs() < 1e-12);
    assert!((bar(&page.html, 1, 20) - 0.05).abs() < 1e-12);
    // The GM sees the private roll too.
    gm.get(&luck)
        .await
        .expect(200)
        .has("<h2>Gemma</h2>")
        .has("1 d20s");
    outsider.get(&luck).await.expect(404);
    Browser::anonymous(&party.server)
        .get(&luck)
        .await
        .expect(401);

    // The expression box: an exact chart, a parse error with its position, escaping.
    let chart = player.get(&format!("{luck}?expression=2d6%2B1")).await;
    chart.expect(200).has("exact; mean 8.000");
    // Piet's chart (20 observed bars, 20 fair ones), then the expression's 11.
    assert_eq!(chart.html.matches("class=\"bar\"").count(), 40 + 11);
    let expression_chart = &chart.html[chart.html.find("expression-chart").unwrap()..];
    // 2d6+1 = 8 when the dice make 7: 6 ways in 36.
    assert!((bar(expression_chart, 0, 8) - 6.0 / 36.0).abs() < 1e-12);
    player
        .get(&format!("{luck}?expression=%3Cimg%20src%3Dx%3E"))
        .await
        .expect(200)
        .lacks("<img src=x>")
        .has("role=\"alert\"");
}

async fn assistant_asks_through_core_and_shows_usage(backend: Backend) {
    let (party, fake, _) = crate::ai::ai_party(backend, 0).await;
    let (gm, player, outsider) = browsers(&party).await;
    let assistant = format!("/campaigns/{}/assistant", party.campaign.id);
    let page = player.get(&assistant).await;
    page.expect(200).has("None yet.");
    let key = page.between("name=\"idempotency_key\" value=\"", '"');
    // The form is sent twice with the same key (a double click): one call is paid for.
    let mut answered = String::new();
    for _ in 0..2 {
        let asked = player
            .post(
                &assistant,
                &[
                    ("message", "Who is <Strahd>?"),
                    ("idempotency_key", key.as_str()),
                ],
            )
            .await;
        asked.expect(303);
        answered = asked.location().to_owned();
    }
    assert_eq!(fake.requests.lock().unwrap().len(), 1);
    let conversation = player.get(&answered).await;
    conversation
        .expect(200)
        // The question, escaped, and the fake provider's answer, built from Core's context.
        .has("Who is &#60;Strahd&#62;?")
        .has("0 characters and 0 recent rolls in Curse of Strahd")
        .has("claude-test")
        .has("1200 in / 300 out tokens · $0.0081");
    // The GM sees the player's conversation; an outsider sees nothing.
    gm.get(&answered).await.expect(200).has("Curse of Strahd");
    outsider.get(&assistant).await.expect(404);
    outsider.get(&answered).await.expect(404);
    // A follow-up stays in the conversation.
    let conversation_id = answered
        .split("conversation=")
        .nth(1)
        .unwrap()
        .split('#')
        .next()
        .unwrap()
        .to_owned();
    player
        .post(
            &assistant,
            &[
                ("message", "And Ireena?"),
                ("conversation", conversation_id.as_str()),
            ],
        )
        .await
        .expect(303);
    assert_eq!(fake.requests.lock().unwrap()[1].messages.len(), 3);
    // FumbleBot down: the API's 502, as a page.
    *fake.failing.lock().unwrap() = true;
    player
        .post(&assistant, &[("message", "Hello?")])
        .await
        .expect(502)
        .has("failed");
    // Usage: the player's own calls by day and by model, with their cost.
    let usage = player.get("/usage").await;
    usage
        .expect(200)
        .has("<td>claude-test</td><td>2</td><td>2400</td><td>600</td><td>$0.0162</td>");
    Browser::anonymous(&party.server)
        .get("/usage")
        .await
        .expect(401);
}
