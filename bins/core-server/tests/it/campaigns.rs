//! Campaigns, members, links, characters and sessions, with tenancy checks for each endpoint.

use critfumble_sdk::wire::{Campaign, CampaignMember, Character, GameSession, MemberRole, Page};
use serde_json::json;

use crate::harness::{Auth, Backend, TestServer};
use crate::on_both_backends;

on_both_backends!(
    campaign_crud_and_tenancy,
    members_and_links,
    characters_crud_and_tenancy,
    sessions_and_active_session,
    campaign_list_pages,
);

/// A campaign with a GM (Discord id 100), a player (200) and an outsider (300), each with a
/// user token and linked Roll20 and Foundry accounts (`gemma-r20`, `piet-f`, ...).
/// FumbleBot created the campaign for the GM, linked to Discord channel 12 and the Foundry
/// world `barovia` that the GM's Foundry account runs; the GM's Roll20 account runs game
/// `12345`. [`Party::without_vtt`] leaves the VTT accounts and the world out.
pub(crate) struct Party {
    pub(crate) server: TestServer,
    pub(crate) campaign: Campaign,
    pub(crate) gm: Auth,
    pub(crate) player: Auth,
    pub(crate) outsider: Auth,
    pub(crate) gm_id: uuid::Uuid,
    pub(crate) player_id: uuid::Uuid,
}

impl Party {
    pub(crate) async fn new(backend: Backend) -> Party {
        Self::new_with(backend, |_| {}).await
    }

    pub(crate) async fn new_with(
        backend: Backend,
        configure: impl FnOnce(&mut critfumble_core::config::ServeArgs),
    ) -> Party {
        Self::build(backend, configure, true).await
    }

    /// A party whose members have linked no VTT account, and whose campaign no VTT game.
    pub(crate) async fn without_vtt(
        backend: Backend,
        configure: impl FnOnce(&mut critfumble_core::config::ServeArgs),
    ) -> Party {
        Self::build(backend, configure, false).await
    }

    async fn build(
        backend: Backend,
        configure: impl FnOnce(&mut critfumble_core::config::ServeArgs),
        vtt: bool,
    ) -> Party {
        let server = TestServer::start_with(backend, configure).await;
        let gm_user = server.user("100", "Gemma").await;
        let player_user = server.user("200", "Piet").await;
        let outsider_user = server.user("300", "Otto").await;
        let gm = server.token_for(&gm_user).await;
        let player = server.token_for(&player_user).await;
        let outsider = server.token_for(&outsider_user).await;
        let accounts = [("100", "gemma"), ("200", "piet"), ("300", "otto")];
        for (discord_id, name) in accounts.into_iter().filter(|_| vtt) {
            let (foundry_games, roll20_games): (&[&str], &[&str]) = if name == "gemma" {
                (&["barovia"], &["12345"])
            } else {
                (&[], &[])
            };
            server
                .link_vtt_account(discord_id, "foundry", &format!("{name}-f"), foundry_games)
                .await;
            server
                .link_vtt_account(discord_id, "roll20", &format!("{name}-r20"), roll20_games)
                .await;
        }
        let mut request = json!({"name": "Curse of Strahd", "game_system": "dnd5e",
                                 "discord_guild_id": "11", "discord_channel_id": "12"});
        if vtt {
            request["vtt_game"] = json!({"vtt": "foundry", "game_id": "barovia"});
        }
        let campaign: Campaign = server
            .post(
                &Auth::ServiceFor("100".to_owned()),
                "/v1/campaigns",
                &request,
            )
            .await
            .expect(201)
            .json();
        server
            .put(
                &gm,
                &format!("/v1/campaigns/{}/members/{}", campaign.id, player_user.id),
                &json!({"role": "player"}),
            )
            .await
            .expect(200);
        Party {
            server,
            campaign,
            gm,
            player,
            outsider,
            gm_id: gm_user.id,
            player_id: player_user.id,
        }
    }

    pub(crate) fn path(&self, rest: &str) -> String {
        format!("/v1/campaigns/{}{rest}", self.campaign.id)
    }
}

async fn campaign_crud_and_tenancy(backend: Backend) {
    let party = Party::new(backend).await;
    let server = &party.server;
    let path = party.path("");
    let got: Campaign = server.get(&party.player, &path).await.expect(200).json();
    assert_eq!(got, party.campaign);
    assert_eq!(got.vtt_game.unwrap().game_id, "barovia");
    server
        .get(&party.outsider, &path)
        .await
        .expect_error(404, "not_found");
    // Only the GM may change or delete it.
    let change = json!({"name": "Curse of Strahd (revised)"});
    server
        .patch(&party.player, &path, &change)
        .await
        .expect_error(403, "forbidden");
    server
        .patch(&party.outsider, &path, &change)
        .await
        .expect_error(404, "not_found");
    let updated: Campaign = server
        .patch(&party.gm, &path, &change)
        .await
        .expect(200)
        .json();
    assert_eq!(updated.name, "Curse of Strahd (revised)");
    assert_eq!(updated.game_system, "dnd5e");
    server
        .delete(&party.player, &path)
        .await
        .expect_error(403, "forbidden");
    server
        .delete(&party.outsider, &path)
        .await
        .expect_error(404, "not_found");
    // FumbleBot's lookups.
    let by_channel: Campaign = server
        .get(&Auth::Service, "/v1/campaigns/by-discord-channel/12")
        .await
        .expect(200)
        .json();
    assert_eq!(by_channel.id, party.campaign.id);
    server
        .get(&party.outsider, "/v1/campaigns/by-discord-channel/12")
        .await
        .expect_error(404, "not_found");
    let by_game: Campaign = server
        .get(&Auth::Service, "/v1/campaigns/by-vtt-game/foundry/barovia")
        .await
        .expect(200)
        .json();
    assert_eq!(by_game.id, party.campaign.id);
    server
        .get(&party.outsider, "/v1/campaigns/by-vtt-game/foundry/barovia")
        .await
        .expect_error(404, "not_found");
    server
        .get(&Auth::Service, "/v1/campaigns/by-vtt-game/roll20/barovia")
        .await
        .expect_error(404, "not_found");
    // A second campaign may not take the same channel.
    server
        .post(
            &Auth::ServiceFor("300".to_owned()),
            "/v1/campaigns",
            &json!({"name": "Other", "game_system": "pf2e", "discord_channel_id": "12"}),
        )
        .await
        .expect_error(409, "conflict");
    server.delete(&party.gm, &path).await.expect(204);
    server
        .get(&party.gm, &path)
        .await
        .expect_error(404, "not_found");
}

async fn members_and_links(backend: Backend) {
    let party = Party::new(backend).await;
    let server = &party.server;
    let members: Page<CampaignMember> = server
        .get(&party.player, &party.path("/members"))
        .await
        .expect(200)
        .json();
    let members = members.items;
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].role, MemberRole::Gm);
    assert_eq!(members[1].user.id, party.player_id);
    // One at a time: the GM's page points at the player's, which is the last.
    let first: Page<CampaignMember> = server
        .get(&party.player, &party.path("/members?limit=1"))
        .await
        .expect(200)
        .json();
    assert_eq!(first.items, members[..1]);
    let cursor = first.next_cursor.unwrap();
    let second: Page<CampaignMember> = server
        .get(
            &party.player,
            &party.path(&format!("/members?limit=1&cursor={cursor}")),
        )
        .await
        .expect(200)
        .json();
    assert_eq!(second.items, members[1..]);
    assert_eq!(second.next_cursor, None);
    // A cursor naming someone who is not a member is stale, not the end of the list.
    expect_stale_cursor(&party, "/members?limit=1").await;
    server
        .get(&party.outsider, &party.path("/members"))
        .await
        .expect_error(404, "not_found");
    let member_path = party.path(&format!("/members/{}", party.player_id));
    server
        .put(&party.player, &member_path, &json!({"role": "gm"}))
        .await
        .expect_error(403, "forbidden");
    server
        .put(&party.outsider, &member_path, &json!({"role": "gm"}))
        .await
        .expect_error(404, "not_found");
    server
        .delete(&party.outsider, &member_path)
        .await
        .expect_error(404, "not_found");
    // The only GM cannot step down or leave.
    let gm_id = members[0].user.id;
    server
        .put(
            &party.gm,
            &party.path(&format!("/members/{gm_id}")),
            &json!({"role": "player"}),
        )
        .await
        .expect_error(409, "conflict");
    // Discord links: FumbleBot, acting for the GM only.
    let discord = json!({"guild_id": "21", "channel_id": "22"});
    server
        .put(&party.gm, &party.path("/links/discord"), &discord)
        .await
        .expect_error(403, "forbidden");
    server
        .put(
            &Auth::ServiceFor("200".to_owned()),
            &party.path("/links/discord"),
            &discord,
        )
        .await
        .expect_error(403, "forbidden");
    server
        .put(
            &Auth::ServiceFor("300".to_owned()),
            &party.path("/links/discord"),
            &discord,
        )
        .await
        .expect_error(404, "not_found");
    let linked: Campaign = server
        .put(
            &Auth::ServiceFor("100".to_owned()),
            &party.path("/links/discord"),
            &discord,
        )
        .await
        .expect(200)
        .json();
    assert_eq!(linked.discord_channel_id.as_deref(), Some("22"));
    let unlinked: Campaign = server
        .delete(&party.gm, &party.path("/links/discord"))
        .await
        .expect(200)
        .json();
    assert_eq!(unlinked.discord_channel_id, None);
    server
        .delete(&party.player, &party.path("/links/vtt"))
        .await
        .expect_error(403, "forbidden");
    let game = json!({"vtt": "roll20", "game_id": "12345"});
    server
        .put(&party.outsider, &party.path("/links/vtt"), &game)
        .await
        .expect_error(404, "not_found");
    let relinked: Campaign = server
        .put(&party.gm, &party.path("/links/vtt"), &game)
        .await
        .expect(200)
        .json();
    assert_eq!(relinked.vtt_game.unwrap().game_id, "12345");
    server
        .delete(&party.gm, &party.path("/links/vtt"))
        .await
        .expect(200);
    // A player may leave; then they are an outsider.
    server.delete(&party.player, &member_path).await.expect(204);
    server
        .get(&party.player, &party.path(""))
        .await
        .expect_error(404, "not_found");
}

async fn characters_crud_and_tenancy(backend: Backend) {
    let party = Party::new(backend).await;
    let server = &party.server;
    let sheet = json!({"class": "Wizard", "level": 5, "hp": {"current": 20, "max": 27},
                       "ac": 12, "abilities": {"strength": 8, "dexterity": 14,
                       "constitution": 13, "intelligence": 18, "wisdom": 12, "charisma": 10},
                       "skills": {"arcana": 7}, "notes": "Has a cat"});
    let body = json!({"name": "Ezmerelda", "sheet": sheet});
    server
        .post(&party.outsider, &party.path("/characters"), &body)
        .await
        .expect_error(404, "not_found");
    let hero: Character = server
        .post(&party.player, &party.path("/characters"), &body)
        .await
        .expect(201)
        .json();
    assert_eq!(hero.owner_id, party.player_id);
    assert_eq!(hero.sheet.level, Some(5));
    assert_eq!(hero.sheet.skills["arcana"], 7);
    // A player cannot create a character for someone else; the GM can.
    let for_gm = json!({"name": "Npc", "owner_id": party.campaign.created_by});
    server
        .post(&party.player, &party.path("/characters"), &for_gm)
        .await
        .expect_error(403, "forbidden");
    let for_player = json!({"name": "Sidekick", "owner_id": party.player_id});
    server
        .post(&party.gm, &party.path("/characters"), &for_player)
        .await
        .expect(201);
    // Bad sheets are 422 naming the field.
    let error = server
        .post(
            &party.player,
            &party.path("/characters"),
            &json!({"name": "X", "sheet": {"level": 99}}),
        )
        .await
        .expect_error(422, "validation_failed");
    assert_eq!(error.error.details.unwrap()["field"], "sheet.level");
    let path = party.path(&format!("/characters/{}", hero.id));
    let list: Page<Character> = server
        .get(&party.gm, &party.path("/characters"))
        .await
        .expect(200)
        .json();
    assert_eq!(list.items.len(), 2);
    server
        .get(&party.outsider, &party.path("/characters"))
        .await
        .expect_error(404, "not_found");
    let got: Character = server.get(&party.gm, &path).await.expect(200).json();
    assert_eq!(got, hero);
    server
        .get(&party.outsider, &path)
        .await
        .expect_error(404, "not_found");
    let renamed: Character = server
        .patch(&party.gm, &path, &json!({"name": "Ez"}))
        .await
        .expect(200)
        .json();
    assert_eq!(
        (renamed.name.as_str(), renamed.sheet.level),
        ("Ez", Some(5))
    );
    server
        .patch(&party.outsider, &path, &json!({"name": "Mine"}))
        .await
        .expect_error(404, "not_found");
    // The GM's own character cannot be changed by a player.
    let npc: Character = server
        .post(
            &party.gm,
            &party.path("/characters"),
            &json!({"name": "Strahd"}),
        )
        .await
        .expect(201)
        .json();
    let npc_path = party.path(&format!("/characters/{}", npc.id));
    server
        .patch(&party.player, &npc_path, &json!({"name": "Weak"}))
        .await
        .expect_error(403, "forbidden");
    server
        .delete(&party.player, &npc_path)
        .await
        .expect_error(403, "forbidden");
    server
        .delete(&party.outsider, &path)
        .await
        .expect_error(404, "not_found");
    server.delete(&party.player, &path).await.expect(204);
    server
        .get(&party.gm, &path)
        .await
        .expect_error(404, "not_found");
    // Pages are cut in SQL: five more characters, read two at a time, oldest first.
    for n in 0..5 {
        server
            .post(
                &party.player,
                &party.path("/characters"),
                &json!({"name": format!("P{n}"), "sheet": {}}),
            )
            .await
            .expect(201);
    }
    let mut names = Vec::new();
    let mut query = "?limit=2".to_owned();
    loop {
        let page: Page<Character> = server
            .get(&party.gm, &party.path(&format!("/characters{query}")))
            .await
            .expect(200)
            .json();
        assert!(page.items.len() <= 2);
        names.extend(page.items.into_iter().map(|character| character.name));
        match page.next_cursor {
            Some(next) => query = format!("?limit=2&cursor={next}"),
            None => break,
        }
    }
    assert_eq!(names, ["Sidekick", "Strahd", "P0", "P1", "P2", "P3", "P4"]);
    server
        .get(&party.gm, &party.path("/characters?cursor=garbage"))
        .await
        .expect_error(400, "bad_request");
}

async fn sessions_and_active_session(backend: Backend) {
    let party = Party::new(backend).await;
    let server = &party.server;
    let start = json!({"title": "Session 1"});
    server
        .post(&party.player, &party.path("/sessions"), &start)
        .await
        .expect_error(403, "forbidden");
    server
        .post(&party.outsider, &party.path("/sessions"), &start)
        .await
        .expect_error(404, "not_found");
    let session: GameSession = server
        .post(&party.gm, &party.path("/sessions"), &start)
        .await
        .expect(201)
        .json();
    assert_eq!(session.vtt_game.as_ref().unwrap().game_id, "barovia");
    assert!(session.ended_at.is_none());
    let active: GameSession = server
        .get(
            &Auth::Service,
            "/v1/campaigns/by-vtt-game/foundry/barovia/active-session",
        )
        .await
        .expect(200)
        .json();
    assert_eq!(active.id, session.id);
    server
        .get(
            &party.outsider,
            "/v1/campaigns/by-vtt-game/foundry/barovia/active-session",
        )
        .await
        .expect_error(404, "not_found");
    let path = party.path(&format!("/sessions/{}", session.id));
    let got: GameSession = server.get(&party.player, &path).await.expect(200).json();
    assert_eq!(got, session);
    // A cursor naming no session of this campaign is stale, not the end of the list.
    expect_stale_cursor(&party, "/sessions?limit=1").await;
    server
        .get(&party.outsider, &path)
        .await
        .expect_error(404, "not_found");
    server
        .patch(&party.player, &path, &json!({"title": "Mine"}))
        .await
        .expect_error(403, "forbidden");
    server
        .patch(&party.outsider, &path, &json!({"title": "Mine"}))
        .await
        .expect_error(404, "not_found");
    let retitled: GameSession = server
        .patch(&party.gm, &path, &json!({"title": "Into the mists"}))
        .await
        .expect(200)
        .json();
    assert_eq!(retitled.title.as_deref(), Some("Into the mists"));
    let end = json!({"notes": "The party met Ireena."});
    server
        .post(&party.player, &format!("{path}/end"), &end)
        .await
        .expect_error(403, "forbidden");
    server
        .post(&party.outsider, &format!("{path}/end"), &end)
        .await
        .expect_error(404, "not_found");
    let ended: GameSession = server
        .post(&party.gm, &format!("{path}/end"), &end)
        .await
        .expect(200)
        .json();
    assert!(ended.ended_at.is_some());
    assert_eq!(ended.notes.as_deref(), Some("The party met Ireena."));
    server
        .get(
            &Auth::Service,
            "/v1/campaigns/by-vtt-game/foundry/barovia/active-session",
        )
        .await
        .expect_error(404, "not_found");
    let list: Page<GameSession> = server
        .get(&party.player, &party.path("/sessions"))
        .await
        .expect(200)
        .json();
    assert_eq!(list.items, vec![ended.clone()]);
    server
        .get(&party.outsider, &party.path("/sessions"))
        .await
        .expect_error(404, "not_found");
    // Two more sessions, paged one at a time in SQL: newest first.
    let mut started = vec![ended.id];
    for title in ["Session 2", "Session 3"] {
        let next: GameSession = server
            .post(
                &party.gm,
                &party.path("/sessions"),
                &json!({"title": title}),
            )
            .await
            .expect(201)
            .json();
        let path = party.path(&format!("/sessions/{}/end", next.id));
        server.post(&party.gm, &path, &end).await.expect(200);
        started.push(next.id);
    }
    let mut seen = Vec::new();
    let mut query = "?limit=1".to_owned();
    loop {
        let page: Page<GameSession> = server
            .get(&party.player, &party.path(&format!("/sessions{query}")))
            .await
            .expect(200)
            .json();
        assert_eq!(page.items.len(), 1);
        seen.push(page.items[0].id);
        match page.next_cursor {
            Some(next) => query = format!("?limit=1&cursor={next}"),
            None => break,
        }
    }
    started.reverse();
    assert_eq!(seen, started);
}

async fn campaign_list_pages(backend: Backend) {
    let server = TestServer::start(backend).await;
    let user = server.user("400", "Many").await;
    let other = server.user("401", "Other").await;
    let token = server.token_for(&user).await;
    let other_token = server.token_for(&other).await;
    for n in 0..5 {
        server
            .post(
                &token,
                "/v1/campaigns",
                &json!({"name": format!("C{n}"), "game_system": "dnd5e"}),
            )
            .await
            .expect(201);
    }
    server
        .post(
            &other_token,
            "/v1/campaigns",
            &json!({"name": "Theirs", "game_system": "dnd5e"}),
        )
        .await
        .expect(201);
    let mut names = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/v1/campaigns?limit=2&cursor={cursor}"),
            None => "/v1/campaigns?limit=2".to_owned(),
        };
        let page: Page<Campaign> = server.get(&token, &path).await.expect(200).json();
        names.extend(page.items.into_iter().map(|campaign| campaign.name));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(names, ["C0", "C1", "C2", "C3", "C4"]);
    server
        .get(&token, "/v1/campaigns?cursor=garbage")
        .await
        .expect_error(400, "bad_request");
    server
        .get(&token, "/v1/campaigns?bogus=1")
        .await
        .expect_error(400, "bad_request");
}

/// A well-formed cursor that names nothing in the list gives 400, not an empty last page.
async fn expect_stale_cursor(party: &Party, list: &str) {
    let path = party.path(&format!("{list}&cursor={}", uuid::Uuid::new_v4()));
    party
        .server
        .get(&party.player, &path)
        .await
        .expect_error(400, "bad_request");
}
