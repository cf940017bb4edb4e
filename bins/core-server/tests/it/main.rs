//! Integration tests of Core: a real server on 127.0.0.1:0, over SQLite and PostgreSQL.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions should fail loudly on setup errors"
)]

mod harness;

mod ai;
mod attacks;
mod basics;
mod campaigns;
mod cli;
mod durability;
mod embed;
mod fakes;
mod limits;
mod login;
mod me;
mod roll_trees;
mod rolls;
mod saved_rolls;
mod web;
