"""Names shared by the code, the local cloud and Terraform.

Terraform's policy tests read this module, so a name changed here and not in
``terraform/`` fails CI instead of failing in production.
"""

from __future__ import annotations

# Pub/Sub
MENTIONS_TOPIC = "mentions"
DEAD_LETTER_TOPIC = "mentions-dead-letter"
CLASSIFY_SUBSCRIPTION = "mentions-classify"  # push → classify_mention
DEAD_LETTER_SUBSCRIPTION = "mentions-dead-letter-hold"  # pull, keeps poison messages
MAX_DELIVERY_ATTEMPTS = 5
MESSAGE_SCHEMA = "aduan.mention/1"
# Replies to citizens on their channel (one message per reply event; see docs/contracts.md).
REPLIES_TOPIC = "replies"
REPLIES_DEAD_LETTER_TOPIC = "replies-dead-letter"
REPLIES_SUBSCRIPTION = "replies-send"  # push → send_replies
REPLIES_DEAD_LETTER_SUBSCRIPTION = "replies-dead-letter-hold"
REPLY_SCHEMA = "aduan.reply/1"
REPLY_SWEEP_SCHEMA = "aduan.reply-sweep/1"  # scheduled: re-publish parked replies that are due
REPLY_EVENTS = ("acknowledged", "responded", "resolved", "rejected")

# Entry points in functions/main.py. Deployed function names are these with "-" for "_"
# (Cloud Run service names allow no underscores).
FETCH_MENTIONS = "fetch_mentions"
CLASSIFY_MENTION = "classify_mention"
SEND_DIGESTS = "send_digests"
STATUS_PAGE = "status_page"
SEND_REPLIES = "send_replies"
TRAIN_CLASSIFIER = "train_classifier"  # weekly: retrain from corrections, publish if not worse
ENTRY_POINTS = (FETCH_MENTIONS, CLASSIFY_MENTION, SEND_DIGESTS, STATUS_PAGE, SEND_REPLIES, TRAIN_CLASSIFIER)

# Firestore collections
REPORTS = "reports"
CHECKPOINTS = "checkpoints"
STATS = "stats"
DIGESTS = "digests"
OPTOUTS = "digest_optouts"  # {agency}-{hash of address}: recipients who unsubscribed
REPLIES = "replies"  # {report_id}-{event}: ledger, one reply per event
REPLY_BUDGETS = "reply_budgets"  # {channel}:{account}:{day}:{n}: a reply claim's slot in the daily budget
# Collections whose documents Firestore deletes after the time in this field (TTL policy,
# terraform/firestore.tf): a budget slot matters on its day only.
TTL_FIELDS = {REPLY_BUDGETS: "expires_at"}
REPLY_BUDGET_SLOT_DAYS = 3  # a slot outlives its day (UTC or WIB) by a margin, then goes
CORRECTIONS = "corrections"  # {report_id}: what an agency corrected (training data, private)
MODELS = "models"  # published classifier artifacts and the pointer to the current one
ALERTS = "alerts"  # {cluster_id}: ledger of the cluster's latest urgent alert (one per hour at most)
COLLECTIONS = (REPORTS, CHECKPOINTS, STATS, DIGESTS, OPTOUTS, REPLIES, CORRECTIONS, MODELS, ALERTS)

# Environment variables, read only by functions/main.py.
ENV_PROJECT = "GOOGLE_CLOUD_PROJECT"
ENV_CONFIG_DIR = "ADUAN_CONFIG_DIR"
ENV_X_API_BASE_URL = "X_API_BASE_URL"
ENV_X_BEARER_TOKEN = "X_BEARER_TOKEN"  # secret
ENV_FETCH_MODE = "ADUAN_FETCH_MODE"  # "mentions" (per account) or "search" (batched)
ENV_FETCH_DEADLINE_S = "ADUAN_FETCH_DEADLINE_S"
ENV_MENTIONS_TOPIC = "ADUAN_MENTIONS_TOPIC"


X_API_DEFAULT_BASE_URL = "https://api.x.com"
ENV_SMTP_HOST = "ADUAN_SMTP_HOST"
ENV_SMTP_PORT = "ADUAN_SMTP_PORT"
ENV_SMTP_USER = "ADUAN_SMTP_USER"
ENV_SMTP_PASSWORD = "ADUAN_SMTP_PASSWORD"  # secret
ENV_SMTP_STARTTLS = "ADUAN_SMTP_STARTTLS"
ENV_MAIL_FROM = "ADUAN_MAIL_FROM"
ENV_LINK_SIGNING_KEY = "ADUAN_LINK_SIGNING_KEY"  # secret
ENV_STATUS_BASE_URL = "ADUAN_STATUS_BASE_URL"
ENV_ALERTS = "ADUAN_ALERTS"  # "on" (default) or "off": urgent alerts from classify_mention
ENV_WEBHOOK_SIGNING_KEY = "ADUAN_WEBHOOK_SIGNING_KEY"  # secret; agencies' webhook keys derive from it
# Replies: Aduan's X app (consumer pair) plus one access token pair per answering account.
ENV_X_CONSUMER_KEY = "X_CONSUMER_KEY"  # secret
ENV_X_CONSUMER_SECRET = "X_CONSUMER_SECRET"  # secret
ENV_REPLIES_TOPIC = "ADUAN_REPLIES_TOPIC"
ENV_REPLY_LEASE_S = "ADUAN_REPLY_LEASE_S"
ENV_REPLY_INLINE_WAIT_S = "ADUAN_REPLY_INLINE_WAIT_S"
REPLY_TOKEN_ENV_PREFIX = "X_ACCESS_TOKEN_"  # + USERNAME (upper case): secret
REPLY_SECRET_ENV_PREFIX = "X_ACCESS_SECRET_"  # + USERNAME (upper case): secret


def reply_token_envs(username: str) -> tuple[str, str]:
    """The environment variables holding an answering account's access token and its secret
    (Terraform names the secrets ``x-access-token-<username>`` / ``x-access-secret-<username>``)."""
    return REPLY_TOKEN_ENV_PREFIX + username.upper(), REPLY_SECRET_ENV_PREFIX + username.upper()


# Which secret reaches which function (Terraform wires exactly these).
FUNCTION_SECRETS: dict[str, tuple[str, ...]] = {
    FETCH_MENTIONS: (ENV_X_BEARER_TOKEN,),
    CLASSIFY_MENTION: (ENV_SMTP_PASSWORD, ENV_LINK_SIGNING_KEY, ENV_WEBHOOK_SIGNING_KEY),
    SEND_DIGESTS: (ENV_SMTP_PASSWORD, ENV_LINK_SIGNING_KEY),
    STATUS_PAGE: (ENV_LINK_SIGNING_KEY,),
    # plus reply_token_envs(username) for every account with replies enabled (config/agencies.yaml)
    SEND_REPLIES: (ENV_X_CONSUMER_KEY, ENV_X_CONSUMER_SECRET),
    TRAIN_CLASSIFIER: (),
}
SECRET_ENV_VARS = tuple(sorted({s for secrets in FUNCTION_SECRETS.values() for s in secrets}))

# Composite indexes the code's queries need: (collection, ((field, "ASCENDING"|"DESCENDING"), ...)).
# Terraform creates exactly these (google_firestore_index); the emulator does not enforce them.
FIRESTORE_INDEXES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    # digest: an agency's reports received in a week
    (REPORTS, (("agency_id", "ASCENDING"), ("received_at", "ASCENDING"))),
    # digest: an agency's open reports received before the week, resolved in the week, counts per category
    (REPORTS, (("agency_id", "ASCENDING"), ("open", "ASCENDING"), ("received_at", "ASCENDING"))),
    (REPORTS, (("agency_id", "ASCENDING"), ("resolved_at", "ASCENDING"))),
    (
        REPORTS,
        (
            ("agency_id", "ASCENDING"),
            ("category", "ASCENDING"),
            ("public", "ASCENDING"),
            ("received_at", "ASCENDING"),
        ),
    ),
    # agency page: an agency's open reports by due date
    (REPORTS, (("agency_id", "ASCENDING"), ("open", "ASCENDING"), ("due_at", "ASCENDING"))),
    # status page / Open311: public reports, newest first, optionally by category
    (REPORTS, (("public", "ASCENDING"), ("received_at", "DESCENDING"))),
    (REPORTS, (("public", "ASCENDING"), ("category", "ASCENDING"), ("received_at", "DESCENDING"))),
    # Open311 requests filtered by status (open/closed), optionally by category
    (REPORTS, (("public", "ASCENDING"), ("open", "ASCENDING"), ("received_at", "DESCENDING"))),
    (
        REPORTS,
        (
            ("public", "ASCENDING"),
            ("category", "ASCENDING"),
            ("open", "ASCENDING"),
            ("received_at", "DESCENDING"),
        ),
    ),
    # digest: reports a citizen reopened in the period; escalation: overdue reports of an agency
    (REPORTS, (("agency_id", "ASCENDING"), ("reopened_at", "ASCENDING"))),
    (REPORTS, (("agency_id", "ASCENDING"), ("open", "ASCENDING"), ("due_response_at", "ASCENDING"))),
    # clustering: same category and place in the last 72 hours
    (REPORTS, (("cluster_key", "ASCENDING"), ("received_at", "DESCENDING"))),
)
