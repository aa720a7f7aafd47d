# mentions → push subscription → classify_mention; after MAX_DELIVERY_ATTEMPTS failed
# deliveries a message moves to the dead-letter topic, whose pull subscription keeps it
# for inspection and replay (docs/deploy.md). No Eventarc trigger: Terraform cannot give
# Eventarc's own subscription a dead-letter policy.
locals {
  # The classifier's timeout is also the push request's deadline, so Pub/Sub never
  # redelivers a message that is still being processed.
  classify_timeout_s = 60
}

resource "google_pubsub_topic" "mentions" {
  name   = "mentions"
  labels = local.labels

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_topic" "dead_letter" {
  name   = "mentions-dead-letter"
  labels = local.labels

  depends_on = [google_project_service.enabled]
}

resource "google_pubsub_subscription" "classify" {
  name   = "mentions-classify"
  topic  = google_pubsub_topic.mentions.id
  labels = local.labels

  ack_deadline_seconds       = local.classify_timeout_s
  message_retention_duration = "604800s" # 7 days: survives a long classifier outage

  push_config {
    push_endpoint = google_cloudfunctions2_function.fn["classify_mention"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.invoker["classify_push"].email
      audience              = google_cloudfunctions2_function.fn["classify_mention"].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = 5
  }

  expiration_policy {
    ttl = "" # never expires, even through a quiet month
  }
}

resource "google_pubsub_subscription" "dead_letter_hold" {
  name   = "mentions-dead-letter-hold"
  topic  = google_pubsub_topic.dead_letter.id
  labels = local.labels

  ack_deadline_seconds       = 60
  message_retention_duration = "2678400s" # 31 days, the maximum: time to notice and replay

  expiration_policy {
    ttl = ""
  }
}
