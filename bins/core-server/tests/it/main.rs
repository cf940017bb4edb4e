//! Integration tests of Core: a real server on 127.0.0.1:0, over SQLite and PostgreSQL.

mod harness;

mod basics;
mod campaigns;
mod rolls;
