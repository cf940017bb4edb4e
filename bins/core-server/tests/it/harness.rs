//! The test harness: a real Core on 127.0.0.1:0 over a fresh SQLite file or PostgreSQL schema.

use std::net::SocketAddr;

use critfumble_core::config::{Secrets, ServeArgs};
use critfumble_core::{AppState, Store};
use critfumble_sdk::api_key::KeyEnv;
use critfumble_sdk::wire::{KeyScope, TokenScope, UpsertUserRequest, User};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The two storage backends every test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use (trust auth).
pub(crate) const POSTGRES_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub(crate) const WEBHOOK_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
pub(crate) const PEPPER: &str = "test-pepper-test-pepper-test-pepper";

/// Runs `$name(Backend)` once per backend, as two tests.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::harness::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::harness::postgres_available().await {
                        super::$name($crate::harness::Backend::Postgres).await;
                    }
                }
            }
        )*
    };
}

/// Whether PostgreSQL answers. Without it the PostgreSQL tests are skipped, except under
/// `CI=true`, where they fail.
pub(crate) async fn postgres_available() -> bool {
    match sqlx::PgPool::connect(POSTGRES_ADMIN_URL).await {
        Ok(pool) => {
            pool.close().await;
            true
        }
        Err(error) => {
            if std::env::var("CI").is_ok_and(|value| value == "true") {
                panic!("CI=true and PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {error}");
            }
            eprintln!("skipping: PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {error}");
            false
        }
    }
}

/// A fresh, empty database: a SQLite file in a temporary directory, or a new PostgreSQL
/// schema (dropped when the value is dropped).
pub(crate) struct TestDatabase {
    pub(crate) url: String,
    schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    pub(crate) async fn new(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = dir.path().join("core.db").display().to_string();
                TestDatabase {
                    url,
                    schema: None,
                    _dir: Some(dir),
                }
            }
            Backend::Postgres => {
                let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
                let pool = sqlx::PgPool::connect(POSTGRES_ADMIN_URL).await.unwrap();
                sqlx::query(&format!("CREATE SCHEMA {schema}"))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                TestDatabase {
                    url: format!("{POSTGRES_ADMIN_URL}?options=-c%20search_path%3D{schema}"),
                    schema: Some(schema),
                    _dir: None,
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(schema) = self.schema.take() {
            // Best effort, on a thread of its own: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    if let Ok(pool) = sqlx::PgPool::connect(POSTGRES_ADMIN_URL).await {
                        let _ = sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
                            .execute(&pool)
                            .await;
                        pool.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// Settings for a test server.
pub(crate) fn serve_args(database_url: &str) -> ServeArgs {
    ServeArgs {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: database_url.to_owned(),
        discord_client_id: None,
        discord_client_secret: None,
        discord_api_base: "http://127.0.0.1:9/api".to_owned(),
        public_url: Some("http://127.0.0.1:9".to_owned()),
        webhook_secret: vec![WEBHOOK_SECRET.to_owned()],
        pepper: Some(PEPPER.to_owned()),
        fumblebot_url: "http://127.0.0.1:9".to_owned(),
        fumblebot_api_key: None,
        key_env: KeyEnv::Dev,
        idempotency_lease_secs: 30,
        // No rate limits and no AI budget unless a test sets them: the tests make many
        // requests from one address and one user.
        rate_limit_user_per_minute: 0,
        rate_limit_user_burst: 0,
        rate_limit_service_per_minute: 0,
        rate_limit_service_burst: 0,
        rate_limit_ip_per_minute: 0,
        rate_limit_ip_burst: 0,
        rate_limit_user_ip_per_minute: 0,
        rate_limit_user_ip_burst: 0,
        client_ip_header: None,
        redis_url: None,
        ai_daily_tokens_per_campaign: 0,
    }
}

/// A running Core with a service key, and helpers to call it.
pub(crate) struct TestServer {
    pub(crate) base_url: String,
    pub(crate) store: Store,
    pub(crate) pepper: critfumble_sdk::api_key::KeyPepper,
    pub(crate) service_key: String,
    pub(crate) http: reqwest::Client,
    _database: TestDatabase,
}

impl TestServer {
    /// The server's database URL, for a second server on the same database.
    pub(crate) fn database_url(&self) -> &str {
        &self._database.url
    }

    /// A second connection to the server's database, for a test to look at or change it
    /// behind Core's back.
    pub(crate) async fn database(&self) -> Database {
        if self._database.schema.is_some() {
            Database::Postgres(sqlx::PgPool::connect(&self._database.url).await.unwrap())
        } else {
            let url = format!("sqlite://{}", self._database.url);
            Database::Sqlite(sqlx::SqlitePool::connect(&url).await.unwrap())
        }
    }

    /// How many rows all of the database's tables hold together.
    pub(crate) async fn count_all_rows(&self) -> i64 {
        let database = self.database().await;
        let tables = database
            .strings(match database {
                Database::Postgres(_) => {
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema()"
                }
                Database::Sqlite(_) => {
                    "SELECT name FROM sqlite_master WHERE type = 'table' \
                     AND name NOT LIKE 'sqlite_%'"
                }
            })
            .await;
        let mut total = 0;
        for table in tables {
            total += database
                .number(&format!("SELECT COUNT(*) FROM {table}"))
                .await;
        }
        total
    }

    /// How many rows `table` holds, read straight from the database.
    pub(crate) async fn count_rows(&self, table: &str) -> i64 {
        self.database()
            .await
            .number(&format!("SELECT COUNT(*) FROM {table}"))
            .await
    }

    pub(crate) async fn start(backend: Backend) -> TestServer {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts a server after letting `configure` change its settings.
    pub(crate) async fn start_with(
        backend: Backend,
        configure: impl FnOnce(&mut ServeArgs),
    ) -> TestServer {
        let database = TestDatabase::new(backend).await;
        let mut args = serve_args(&database.url);
        configure(&mut args);
        let secrets = Secrets::resolve(&args).unwrap();
        let store = Store::connect(&args.database_url).await.unwrap();
        let service_key = critfumble_core::auth::create_service_key(
            &store,
            args.key_env,
            &secrets.pepper,
            "tests",
        )
        .await
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address: SocketAddr = listener.local_addr().unwrap();
        args.public_url = Some(format!("http://{address}"));
        let state = AppState::new(store.clone(), &args, &secrets).await.unwrap();
        tokio::spawn(async move {
            critfumble_core::serve(listener, state, std::future::pending())
                .await
                .unwrap();
        });
        TestServer {
            base_url: format!("http://{address}"),
            pepper: secrets.pepper.clone(),
            store,
            service_key,
            http: reqwest::Client::new(),
            _database: database,
        }
    }

    /// Upserts a user through the API, as the service.
    pub(crate) async fn user(&self, discord_id: &str, name: &str) -> User {
        let request = UpsertUserRequest {
            name: name.to_owned(),
            avatar: None,
        };
        self.call(
            &Auth::Service,
            Method::PUT,
            &format!("/v1/users/discord/{discord_id}"),
            Some(&request),
        )
        .await
        .json()
    }

    /// A user token for `user` with every scope (what the web app's session holds),
    /// stored directly.
    pub(crate) async fn token_for(&self, user: &User) -> Auth {
        let key = critfumble_sdk::api_key::ApiKey::generate(KeyEnv::Dev);
        let now = chrono::Utc::now();
        let stored = critfumble_sdk::api_key::StoredApiKey::issue(
            uuid::Uuid::now_v7(),
            "test",
            &key,
            &self.pepper,
            KeyScope::User,
            Some(user.id),
            now,
        )
        .with_expiry(Some(now + chrono::TimeDelta::days(30)))
        .with_scopes(TokenScope::ALL.to_vec());
        self.store.insert_api_key(&stored).await.unwrap();
        Auth::Token(key.expose_secret().to_owned())
    }

    /// A live browser session of `user_id` for an hour, stored as the login callback stores
    /// one: the cookie's value.
    pub(crate) async fn web_session_for(&self, user_id: uuid::Uuid) -> String {
        let session = format!("session-{}", uuid::Uuid::new_v4().simple());
        self.store
            .insert_web_session(
                &critfumble_core::token::sha256_hex(session.as_bytes()),
                user_id,
                chrono::Utc::now().timestamp_millis() + 3_600_000,
            )
            .await
            .unwrap();
        session
    }

    /// Delivers a signed `vtt_account.linked` webhook, as FumbleBot does once the extension
    /// proved who is logged in to the VTT: `gm_of` are the games the account GMs.
    pub(crate) async fn link_vtt_account(
        &self,
        discord_id: &str,
        vtt: &str,
        vtt_user_id: &str,
        gm_of: &[&str],
    ) {
        let body = serde_json::to_vec(&serde_json::json!({
            "type": "vtt_account.linked",
            "timestamp": chrono::Utc::now(),
            "data": {"discord_id": discord_id, "vtt": vtt, "vtt_user_id": vtt_user_id,
                     "verified_at": chrono::Utc::now(), "gm_game_ids": gm_of},
        }))
        .unwrap();
        let secret = critfumble_sdk::webhook::WebhookSecret::from_whsec(WEBHOOK_SECRET).unwrap();
        let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        let mut request = self
            .http
            .post(format!("{}/v1/webhooks/fumblebot", self.base_url))
            .header("content-type", "application/json")
            .body(body.clone());
        for (name, value) in secret
            .sign_headers(&id, chrono::Utc::now().timestamp(), &body)
            .pairs()
        {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    }

    /// A `CoreClient` from the SDK with the service key.
    pub(crate) fn service_client(&self) -> critfumble_sdk::CoreClient {
        critfumble_sdk::CoreClient::new(self.base_url.clone(), self.service_key.clone()).unwrap()
    }

    /// A `CoreClient` from the SDK with a user token.
    pub(crate) fn client(&self, auth: &Auth) -> critfumble_sdk::CoreClient {
        match auth {
            Auth::Token(token) => {
                critfumble_sdk::CoreClient::new(self.base_url.clone(), token.clone()).unwrap()
            }
            other => panic!("no client for {other:?}"),
        }
    }

    /// Sends a request and returns the status and body.
    pub(crate) async fn call<B: Serialize>(
        &self,
        auth: &Auth,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base_url));
        request = auth.apply(request, &self.service_key);
        if let Some(body) = body {
            request = request.json(body);
        }
        Reply::read(request.send().await.unwrap()).await
    }

    /// Sends a raw body with a content type.
    pub(crate) async fn call_raw(
        &self,
        auth: &Auth,
        method: Method,
        path: &str,
        body: &str,
    ) -> Reply {
        let request = self
            .http
            .request(method, format!("{}{path}", self.base_url))
            .header("content-type", "application/json")
            .body(body.to_owned());
        Reply::read(auth.apply(request, &self.service_key).send().await.unwrap()).await
    }

    pub(crate) async fn get(&self, auth: &Auth, path: &str) -> Reply {
        self.call::<()>(auth, Method::GET, path, None).await
    }

    pub(crate) async fn delete(&self, auth: &Auth, path: &str) -> Reply {
        self.call::<()>(auth, Method::DELETE, path, None).await
    }

    pub(crate) async fn post<B: Serialize>(&self, auth: &Auth, path: &str, body: &B) -> Reply {
        self.call(auth, Method::POST, path, Some(body)).await
    }

    pub(crate) async fn put<B: Serialize>(&self, auth: &Auth, path: &str, body: &B) -> Reply {
        self.call(auth, Method::PUT, path, Some(body)).await
    }

    pub(crate) async fn patch<B: Serialize>(&self, auth: &Auth, path: &str, body: &B) -> Reply {
        self.call(auth, Method::PATCH, path, Some(body)).await
    }
}

/// A test's own connection to a server's database.
pub(crate) enum Database {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Database {
    /// Runs a statement.
    pub(crate) async fn execute(&self, sql: &str) {
        match self {
            Database::Sqlite(pool) => drop(sqlx::raw_sql(sql).execute(pool).await.unwrap()),
            Database::Postgres(pool) => drop(sqlx::raw_sql(sql).execute(pool).await.unwrap()),
        }
    }

    /// The one number a query returns.
    pub(crate) async fn number(&self, sql: &str) -> i64 {
        match self {
            Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
            Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await.unwrap(),
        }
    }

    /// The strings a query returns.
    pub(crate) async fn strings(&self, sql: &str) -> Vec<String> {
        match self {
            Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
            Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        }
    }
}

/// How a test request authenticates.
#[derive(Clone, Debug)]
pub(crate) enum Auth {
    None,
    Service,
    /// The service key acting for a Discord user.
    ServiceFor(String),
    Token(String),
    Cookie(String),
}

impl Auth {
    /// Adds these credentials to `request`.
    pub(crate) fn apply(
        &self,
        request: reqwest::RequestBuilder,
        service_key: &str,
    ) -> reqwest::RequestBuilder {
        match self {
            Auth::None => request,
            Auth::Service => request.bearer_auth(service_key),
            Auth::ServiceFor(discord_id) => request
                .bearer_auth(service_key)
                .header("x-act-as-discord-id", discord_id),
            Auth::Token(token) => request.bearer_auth(token),
            Auth::Cookie(value) => request.header("cookie", format!("cf_session={value}")),
        }
    }
}

/// A response: status, headers and body text.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) text: String,
}

impl Reply {
    /// Reads a whole response.
    pub(crate) async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        Reply {
            status,
            headers,
            text,
        }
    }

    /// Parses the body as `T`, showing the body when that fails.
    #[track_caller]
    pub(crate) fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("cannot parse {} body {:?}: {e}", self.status, self.text))
    }

    /// The seconds of the `Retry-After` header, which the response must have.
    #[track_caller]
    pub(crate) fn retry_after(&self) -> u64 {
        self.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub(crate) fn expect(&self, status: u16) -> &Reply {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status, body: {}",
            self.text
        );
        self
    }

    /// Asserts an error status and code in the SDK error body.
    #[track_caller]
    pub(crate) fn expect_error(&self, status: u16, code: &str) -> critfumble_sdk::wire::ErrorBody {
        self.expect(status);
        let body: critfumble_sdk::wire::ErrorBody = self.json();
        assert_eq!(body.error.code.as_str(), code, "body: {}", self.text);
        body
    }
}
