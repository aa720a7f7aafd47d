# Replies to citizens: topic `replies` → push subscription → send_replies, with retry and a
# dead-letter topic like `mentions`; the per-account X credentials; who may publish requests.
# Names are aduan.names' (REPLIES_*); docs/contracts.md fixes the message.
locals {
  # send_replies waits up to 40 s inside a delivery (a claim's lease, a short 429): the
  # timeout is also the push deadline, so Pub/Sub never redelivers a reply still in flight.
  replies_timeout_s = 60

  # Accounts with `replies: {enabled: true}` in config/agencies.yaml answer citizens; each has
  # its own access-token pair (aduan.names.reply_token_envs) under Aduan's X app.
  reply_accounts = distinct(flatten([
    for agency in local.agencies_config.agencies : [
      for account in try(agency.accounts, []) : account.username if try(account.replies.enabled, false)
    ]
  ]))
  # Environment variable => Secret Manager secret id, two per answering account.
  reply_token_secrets = merge([
    for username in local.reply_accounts : {
      "X_ACCESS_TOKEN_${upper(username)}"  = "aduan-x-access-token-${lower(replace(username, "_", "-"))}"
      "X_ACCESS_SECRET_${upper(username)}" = "aduan-x-access-secret-${lower(replace(username, "_", "-"))}"
    }
  ]...)
  send_replies_secrets = concat(["X_CONSUMER_KEY", "X_CONSUMER_SECRET"], sort(keys(local.reply_token_secrets)))

  scheduler_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudscheduler.iam.gserviceaccount.com"
}

variable "replies_max_instances" {
  description = "Most send_replies instances at once."
  type        = number
  default     = 5
}

variable "replies_sweep_minutes" {
  description = "How often parked replies (spent budget, long rate limits) are re-published when due."
  type        = number
  default     = 5
}

resource "google_pubsub_topic" "replies" {
  name   = "replies"
  labels = local.labels

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "replies_dead_letter" {
  name   = "replies-dead-letter"
  labels = local.labels

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription" "replies_send" {
  name   = "replies-send"
  topic  = google_pubsub_topic.replies.id
  labels = local.labels

  ack_deadline_seconds       = local.replies_timeout_s
  message_retention_duration = "604800s" # 7 days: survives an X outage

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["send_replies"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.invoker["replies_push"].email
      audience              = google_cloudfunctions2_function.fn["send_replies"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.replies_dead_letter.id
    max_delivery_attempts = 5
  }

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "replies_dead_letter_hold" {
  name   = "replies-dead-letter-hold"
  topic  = google_pubsub_topic.replies_dead_letter.id
  labels = local.labels

  ack_deadline_seconds       = 60
  message_retention_duration = "2678400s" # 31 days: time to notice and replay

  expiration_policy {
    ttl = ""
  }
}

# Who publishes reply requests: classify_mention (acknowledgements), status_page (the
# agency's answers) and send_replies itself (cluster fan-out, sweeping parked replies).
resource "google_pubsub_topic_iam_member" "replies_publisher" {
  for_each = toset(["classify_mention", "status_page", "send_replies"])

  topic  = google_pubsub_topic.replies.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.function[each.key].email}"
}

# Dead-lettering, as for mentions: the Pub/Sub service agent forwards and acknowledges.
resource "google_pubsub_topic_iam_member" "replies_dead_letter_publisher" {
  topic  = google_pubsub_topic.replies_dead_letter.name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "replies_dead_letter_ack" {
  subscription = google_pubsub_subscription.replies_send.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# Every few minutes a sweep message (aduan.reply-sweep/1) makes send_replies re-publish the
# replies parked until a budget or rate-limit reset that has now passed.
resource "google_cloud_scheduler_job" "replies_sweep" {
  name        = "aduan-replies-sweep"
  description = "Re-publish parked replies that are due (${length(local.reply_accounts)} answering accounts)."
  region      = var.region
  schedule    = "*/${var.replies_sweep_minutes} * * * *"
  time_zone   = "Asia/Jakarta"

  pubsub_target {
    topic_name = google_pubsub_topic.replies.id
    data       = base64encode(jsonencode({ schema = "aduan.reply-sweep/1" }))
    attributes = { schema = "aduan.reply-sweep/1" }
  }

  depends_on = [google_pubsub_topic_iam_member.scheduler_publishes_sweeps]
}

resource "google_pubsub_topic_iam_member" "scheduler_publishes_sweeps" {
  topic  = google_pubsub_topic.replies.name
  role   = "roles/pubsub.publisher"
  member = local.scheduler_service_agent
}
