//! The rooms in memory: join, roll, broadcast, leave, reconnect and the room's end.

use critfumble_sdk::wire::{RollSource, TableDie, TableRoll, TableServerMessage, TableUser};

use super::*;

fn user(id: &str, name: &str) -> TableUser {
    TableUser {
        id: id.to_owned(),
        name: name.to_owned(),
        avatar: None,
    }
}

/// A roll of one d20 showing `value`.
fn d20(by: &TableUser, value: i64) -> TableRoll {
    TableRoll {
        seq: 0,
        user: by.clone(),
        source: RollSource::Activity,
        expression: "1d20".to_owned(),
        label: None,
        total: value as f64,
        dice: vec![TableDie {
            faces: Some(20),
            value,
            kept: true,
            critical: value == 20,
            fumble: value == 1,
        }],
        markdown: format!("1d20 ({value}) = `{value}`"),
        rolled_at: chrono::Utc::now(),
    }
}

fn next(feed: &mut broadcast::Receiver<Feed>) -> TableServerMessage {
    let text = feed.try_recv().expect("a message in the feed");
    serde_json::from_str(&text).unwrap()
}

/// The next roll in a feed, skipping participant updates.
fn next_roll(feed: &mut broadcast::Receiver<Feed>) -> TableRoll {
    loop {
        if let TableServerMessage::Roll { roll, .. } = next(feed) {
            return roll;
        }
    }
}

#[tokio::test]
async fn a_roll_reaches_every_socket_of_the_room_and_no_other() {
    let rooms = Rooms::memory();
    let (mira, tom) = (user("1", "Mira"), user("2", "Tom"));
    let mut first = rooms.join("i-1", "c-1", &mira, None).await.unwrap();
    let mut second = rooms.join("i-1", "c-1", &tom, None).await.unwrap();
    let mut elsewhere = rooms.join("i-2", "c-2", &tom, None).await.unwrap();
    assert_eq!(
        second
            .participants
            .iter()
            .map(|p| p.user.name.as_str())
            .collect::<Vec<_>>(),
        ["Mira", "Tom"]
    );
    // Mira's socket hears herself, then Tom, arrive.
    for count in [1, 2] {
        let TableServerMessage::Participants { participants } = next(&mut first.feed) else {
            panic!("a participants update");
        };
        assert_eq!(participants.len(), count);
    }

    let stored = rooms.roll("i-1", d20(&mira, 17)).await.unwrap().unwrap();
    assert_eq!(stored.seq, 1);
    // The roll carries Mira's luck: one d20 at 16 of 19 steps up.
    let TableServerMessage::Roll { roll, luck } = next(&mut first.feed) else {
        panic!("the roll");
    };
    assert_eq!(roll, stored);
    assert_eq!(luck.unwrap().score, Some(16.0 / 19.0));
    assert_eq!(next_roll(&mut second.feed), stored);
    // The other instance's socket heard only its own join.
    while let Ok(text) = elsewhere.feed.try_recv() {
        assert!(!text.contains("\"roll\""), "{text}");
    }
    let second_roll = rooms.roll("i-1", d20(&tom, 3)).await.unwrap().unwrap();
    assert_eq!(second_roll.seq, 2);
}

#[tokio::test]
async fn a_reconnecting_socket_gets_the_rolls_it_missed() {
    let rooms = Rooms::memory();
    let (mira, tom) = (user("1", "Mira"), user("2", "Tom"));
    let _staying = rooms.join("i", "c", &mira, None).await.unwrap();
    let leaving = rooms.join("i", "c", &tom, None).await.unwrap();
    rooms.roll("i", d20(&mira, 5)).await.unwrap();
    drop(leaving);
    rooms.leave("i", "2").await.unwrap();
    for value in [6, 7, 8] {
        rooms.roll("i", d20(&mira, value)).await.unwrap();
    }
    // Tom held roll 1; he gets 2, 3 and 4, in order.
    let back = rooms.join("i", "c", &tom, Some(1)).await.unwrap();
    assert_eq!(
        back.rolls
            .iter()
            .map(|r| (r.seq, r.total))
            .collect::<Vec<_>>(),
        [(2, 6.0), (3, 7.0), (4, 8.0)]
    );
    // A first join gets the whole log.
    let fresh = rooms.join("i", "c", &user("3", "Ana"), None).await.unwrap();
    assert_eq!(fresh.rolls.len(), 4);
}

#[tokio::test]
async fn the_log_keeps_the_last_rolls_only() {
    let rooms = Rooms::memory();
    let mira = user("1", "Mira");
    let _joined = rooms.join("i", "c", &mira, None).await.unwrap();
    for _ in 0..LOG_ROLLS + 5 {
        rooms.roll("i", d20(&mira, 10)).await.unwrap();
    }
    let again = rooms.join("i", "c", &mira, None).await.unwrap();
    assert_eq!(again.rolls.len(), LOG_ROLLS);
    assert_eq!(again.rolls[0].seq, 6);
    assert_eq!(again.rolls[LOG_ROLLS - 1].seq, (LOG_ROLLS + 5) as u64);
}

#[tokio::test]
async fn luck_counts_each_players_dice() {
    let rooms = Rooms::memory();
    let (mira, tom) = (user("1", "Mira"), user("2", "Tom"));
    let _a = rooms.join("i", "c", &mira, None).await.unwrap();
    let _b = rooms.join("i", "c", &tom, None).await.unwrap();
    for value in [20, 1, 11] {
        rooms.roll("i", d20(&mira, value)).await.unwrap();
    }
    rooms.roll("i", d20(&tom, 20)).await.unwrap();
    let joined = rooms.join("i", "c", &mira, None).await.unwrap();
    let luck = |id: &str| {
        joined
            .participants
            .iter()
            .find(|p| p.user.id == id)
            .unwrap()
            .luck
    };
    // Mira: (19 + 0 + 10) / 19 / 3 of the way from the lowest face to the highest.
    let mira_luck = luck("1");
    assert_eq!(
        (mira_luck.dice, mira_luck.criticals, mira_luck.fumbles),
        (3, 1, 1)
    );
    assert!((mira_luck.score.unwrap() - 29.0 / 57.0).abs() < 1e-12);
    assert_eq!(luck("2").score, Some(1.0));
}

#[tokio::test]
async fn the_room_goes_when_its_last_socket_leaves() {
    let rooms = Rooms::memory();
    let mira = user("1", "Mira");
    let first = rooms.join("i", "c", &mira, None).await.unwrap();
    let second = rooms.join("i", "c", &mira, None).await.unwrap();
    rooms.roll("i", d20(&mira, 4)).await.unwrap();
    assert_eq!(rooms.in_channel("c").await.unwrap(), ["i"]);
    // One of Mira's two sockets leaves: she is still there.
    drop(first);
    rooms.leave("i", "1").await.unwrap();
    assert_eq!(rooms.in_channel("c").await.unwrap(), ["i"]);
    drop(second);
    rooms.leave("i", "1").await.unwrap();
    assert!(rooms.in_channel("c").await.unwrap().is_empty());
    assert_eq!(rooms.local_rooms(), 0);
    // A roll for the gone room is not kept, and a new room starts from 1.
    assert!(rooms.roll("i", d20(&mira, 4)).await.unwrap().is_none());
    let again = rooms.join("i", "c", &mira, None).await.unwrap();
    assert!(again.rolls.is_empty());
    assert_eq!(
        rooms.roll("i", d20(&mira, 4)).await.unwrap().unwrap().seq,
        1
    );
}
