/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/*
 * Server tests talk to the real iocd program over HTTPS on loopback, the way
 * the console does: no mock can miss what the real process gets wrong.
 *
 * The helpers assert with g_assert_*(); in a program that called
 * g_test_set_nonfatal_assertions() they mark the test failed and return
 * NULL (or 0, -1) instead, so callers should check g_test_failed() before
 * using what they got.
 */

typedef struct {
  GSubprocess *process;
  char        *state_dir;      /* a fresh temporary directory, removed by free */
  char        *base_uri;       /* "https://127.0.0.1:PORT" without trailing slash */
  char        *fingerprint;    /* as printed by iocd */
  char        *demo_password;
  GStrv        extra_args;
} IocdTestServer;

typedef enum {
  IOCD_TEST_SERVER_DEFAULT         = 0,
  /* No --tls-cert/--tls-key: iocd creates its own certificate in the state dir. */
  IOCD_TEST_SERVER_OWN_CERTIFICATE = 1 << 0,
} IocdTestServerFlags;

/* Starts the iocd binary (path from env IOCD_BINARY) with --demo --demo-tasks 200
 * --state-dir <tmp> --listen 127.0.0.1:0 --tls-cert/--tls-key (env IOCD_TEST_CERT /
 * IOCD_TEST_KEY) plus extra_args, reads its stdout until the listening line (gives up
 * after 60 s), parses password, URI and fingerprint. iocd's standard error goes to
 * iocd.log in the state dir. */
IocdTestServer *iocd_test_server_start      (const char * const *extra_args);
IocdTestServer *iocd_test_server_start_full (IocdTestServerFlags  flags,
                                             const char * const  *extra_args);
/* SIGTERM, wait for exit; asserts that iocd exited with status 0. */
void            iocd_test_server_stop       (IocdTestServer *server);
/* Stops, then starts again on the same state dir (the port changes). */
void            iocd_test_server_restart    (IocdTestServer *server);
/* Stops if running, removes the state dir. */
void            iocd_test_server_free       (IocdTestServer *server);
/* What iocd printed on standard output during its latest start. */
const char     *iocd_test_server_get_output (IocdTestServer *server);
/* The iocd binary, for running its command line (iocd user …). */
const char     *iocd_test_server_get_binary (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocdTestServer, iocd_test_server_free)

typedef struct {
  guint               status;    /* 0 when no response came (TLS or connection error) */
  JsonNode           *body;      /* NULL when the body is empty or not JSON */
  char               *text;      /* the raw body */
  SoupMessageHeaders *headers;   /* response headers */
} IocdTestResponse;

void iocd_test_response_free (IocdTestResponse *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocdTestResponse, iocd_test_response_free)

/* A session that trusts exactly this server's certificate fingerprint
 * (accept-certificate handler comparing SHA-256 of DER), timeout 30 s. The pin
 * applies to every message the session sends, also ones made by hand. */
SoupSession      *iocd_test_session_new (IocdTestServer *server);
/* The same pinned to any fingerprint ("AA:BB:…", case does not matter). */
SoupSession      *iocd_test_session_new_for_fingerprint (const char *fingerprint);
/* The certificate the session's latest TLS handshake was offered (whether or not
 * it was accepted), or NULL. */
GTlsCertificate  *iocd_test_session_get_peer_certificate (SoupSession *session);

/* SHA-256 of the DER certificate as upper-case hex pairs joined by ':', like iocd. */
char             *iocd_test_certificate_fingerprint (GTlsCertificate *certificate);

/* A message to base_uri + path with Authorization: Bearer @token (if not NULL),
 * for requests that need headers of their own. */
SoupMessage      *iocd_test_message_new (IocdTestServer *server,
                                         const char     *method,
                                         const char     *path,
                                         const char     *token);
/* Sends it synchronously and collects the response. */
IocdTestResponse *iocd_test_send        (SoupSession    *session,
                                         SoupMessage    *msg);

/* Synchronous request; body may be NULL; token NULL = no Authorization;
 * idempotency_key NULL = none. content-type application/json. */
IocdTestResponse *iocd_test_request     (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *method,
                                         const char     *path,
                                         const char     *token,
                                         const char     *body,
                                         const char     *idempotency_key);
/* Same but body given as raw bytes with a content type (for invalid UTF-8 / big bodies). */
IocdTestResponse *iocd_test_request_bytes (IocdTestServer *server,
                                           SoupSession    *session,
                                           const char     *method,
                                           const char     *path,
                                           const char     *token,
                                           GBytes         *body,
                                           const char     *content_type);

/* {"username": @username, "password": @password} as JSON text, the body that signs in. */
char             *iocd_test_login_body  (const char     *username,
                                         const char     *password);
/* Logs in with the demo password (or @password if not NULL), asserts 200, returns the token. */
char             *iocd_test_login       (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *username,
                                         const char     *password);
/* A token of @username, signed in with the demo password the first time it is
 * asked for and kept by @server after that (sessions live in iocd's database,
 * so they survive a restart); "" when signing in failed. */
const char       *iocd_test_token       (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *username);
/* Signs @token out (DELETE /api/v1/session); asserts 204. */
void              iocd_test_logout      (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *token);

/*
 * Answers. The check functions are for answers a test goes on after, so that
 * it lists every wrong one: they mark the running test failed (also where
 * assertions are fatal) and return FALSE. The assert functions use
 * g_assert_*() like the other helpers. @what names the request in messages.
 */

/* Logs the message and marks the running test failed, without stopping it
 * (the failure message of a test keeps only the last one). */
#define iocd_test_fail(...) G_STMT_START { \
    g_test_message (__VA_ARGS__); \
    g_test_fail_printf (__VA_ARGS__); \
  } G_STMT_END

/* Whether @r has the HTTP status @expected. */
gboolean          iocd_test_check_status (IocdTestResponse *r,
                                          guint             expected,
                                          const char       *what);
/* Whether @r is the documented error object {error: {code, message}} with
 * @status. @code and @field may be NULL for "any"; @field "" means the answer
 * must name none. */
gboolean          iocd_test_check_error  (IocdTestResponse *r,
                                          guint             status,
                                          const char       *code,
                                          const char       *field,
                                          const char       *what);
/* Whether @r is a 401 "unauthorized" error that says how to authenticate
 * (WWW-Authenticate). */
gboolean          iocd_test_check_unauthorized (IocdTestResponse *r,
                                                const char       *what);
/* Asserts that @r has the HTTP status @expected, logging @what and the answer
 * first when not; returns whether it has. */
gboolean          iocd_test_assert_status (IocdTestResponse *r,
                                           guint             expected,
                                           const char       *what);

/* Getters on a JSON body by a dotted path: "error.code", "task.state",
 * "tasks.0.id" (a number indexes an array). NULL / -1 when the member is
 * missing, null or of another type. */
JsonNode         *iocd_test_json_get    (JsonNode   *node,
                                         const char *dotted_path);
const char       *iocd_test_json_string (JsonNode   *node,
                                         const char *dotted_path);
gint64            iocd_test_json_int    (JsonNode   *node,
                                         const char *dotted_path);
/* Parses an ISO 8601 time member to microseconds since the epoch; 0 when absent. */
gint64            iocd_test_json_time   (JsonNode   *node,
                                         const char *dotted_path);
/* Whether the member is there at all (also when it is null). */
gboolean          iocd_test_json_has    (JsonNode   *node,
                                         const char *dotted_path);
/* Ends the outermost object of @builder and returns the whole as compact JSON text. */
char             *iocd_test_json_finish (JsonBuilder *builder);

/* Tasks */

/* Intake of a fresh task as operator: returns its JSON object node (owned); asserts 201. */
JsonNode         *iocd_test_intake      (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *token,
                                         const char     *category,
                                         const char     *title);
/* The same, returning the new task's id; asserts that it has one (0 when not). */
gint64            iocd_test_new_task    (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *token,
                                         const char     *category,
                                         const char     *title);
/* POST /api/v1/tasks/@id/@action; @body and @idempotency_key may be NULL. */
IocdTestResponse *iocd_test_act         (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *token,
                                         gint64          id,
                                         const char     *action,
                                         const char     *body,
                                         const char     *idempotency_key);
/* GET /api/v1/tasks/@id. */
IocdTestResponse *iocd_test_get_task    (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *token,
                                         gint64          id);
/* The same, asserting 200: a copy of the task, or NULL. */
JsonNode         *iocd_test_fetch_task  (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *token,
                                         gint64          id);
/* The task's version now, as @token sees it (-1 when it could not be read). */
gint64            iocd_test_task_version (IocdTestServer *server,
                                          SoupSession    *session,
                                          const char     *token,
                                          gint64          id);
/* How many entries @task's timeline has; asserts that it has one (0 when not). */
guint             iocd_test_timeline_length (JsonNode *task);

/* How far iocd_test_advance() takes a task: each stage includes the ones before. */
typedef enum {
  IOCD_TEST_AT_RECEIVED,
  IOCD_TEST_AT_VERIFIED,
  IOCD_TEST_AT_FORWARDED,
  IOCD_TEST_AT_ACKNOWLEDGED,
  IOCD_TEST_AT_IN_PROGRESS,
  IOCD_TEST_AT_RESOLVED,
} IocdTestStage;

/* Takes the received task @id on to @stage, one action at a time with the
 * version it has then (read as @operator_token), each asserted to succeed:
 * verify and forward to @department as @operator_token; acknowledge, start
 * and resolve as @liaison_token, a liaison of @department. Stops at the first
 * action that fails; returns whether none did. */
gboolean          iocd_test_advance     (IocdTestServer *server,
                                         SoupSession    *session,
                                         gint64          id,
                                         IocdTestStage   stage,
                                         const char     *operator_token,
                                         const char     *liaison_token,
                                         const char     *department);

/* Every task that GET /api/v1/tasks?limit=@limit&@query lists for @token,
 * following "next" page by page (JsonNode objects, in order); @query may be
 * NULL. The number of pages goes to @n_pages (may be NULL). Asserts 200 and
 * at most @limit tasks on each page, and that the list ends. */
GPtrArray        *iocd_test_list_tasks  (IocdTestServer *server,
                                         SoupSession    *session,
                                         const char     *token,
                                         const char     *query,
                                         guint           limit,
                                         guint          *n_pages);
/* The task with @id among @tasks (JsonNode objects), or NULL. */
JsonNode         *iocd_test_find_task   (GPtrArray      *tasks,
                                         gint64          id);

/*
 * The event stream over WebSocket. Events arrive while the thread-default main
 * context runs; iocd_test_events_wait() runs it.
 */
typedef struct _IocdTestEvents IocdTestEvents;

/* Connects to /api/v1/events?after=@after (no parameter when @after < 0). Returns
 * NULL when the handshake was refused, with the HTTP status in @status (may be NULL). */
IocdTestEvents   *iocd_test_events_connect (IocdTestServer *server,
                                            SoupSession    *session,
                                            const char     *token,
                                            gint64          after,
                                            guint          *status);
/* Runs the main context until at least @n events have arrived in total, the
 * server closed the socket or @timeout_ms passed; returns whether they did. */
gboolean          iocd_test_events_wait    (IocdTestEvents *events,
                                            guint           n,
                                            guint           timeout_ms);
/* Every event received so far (JsonNode objects), in arrival order. */
GPtrArray        *iocd_test_events_get     (IocdTestEvents *events);
/* Whether the server closed the connection. */
gboolean          iocd_test_events_is_closed (IocdTestEvents *events);
/* Closes the socket (if still open) and frees. */
void              iocd_test_events_free    (IocdTestEvents *events);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IocdTestEvents, iocd_test_events_free)

/*
 * Programs whose cases share one iocd (seeding the demo city costs seconds).
 */

/* g_test_init() with isolated directories and non-fatal assertions, so that a
 * failed check does not end the other cases; then starts iocd with
 * iocd_test_server_start (NULL) and a session pinned to it. */
void              iocd_test_init_shared (int             *argc,
                                         char          ***argv,
                                         IocdTestServer **server,
                                         SoupSession    **session);
/* Adds the case that stops @server (SIGTERM) after the cases added before
 * it: a crash or a critical on the way out fails it. */
void              iocd_test_add_shutdown (const char     *test_path,
                                          IocdTestServer *server);
/* Runs the cases (g_test_run()), then frees @session and @server and clears
 * both; returns what g_test_run() did. */
int               iocd_test_run         (IocdTestServer **server,
                                         SoupSession    **session);

G_END_DECLS
