# Least privilege: one identity per function and per caller, each granted only what it
# uses, on the one resource it uses it on. No primitive roles (owner/editor/viewer).

# --- Runtime identities: one per function -------------------------------------------

resource "google_service_account" "function" {
  for_each = local.functions

  account_id   = "aduan-${replace(each.key, "_", "-")}"
  display_name = "Aduan ${each.key} (runtime)"
  description  = each.value.description
}

# Firestore has no per-collection IAM: every function reads and writes documents
# (checkpoints, reports, digests, status changes), none administers the database.
resource "google_project_iam_member" "function_firestore" {
  for_each = local.functions

  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.function[each.key].email}"
}

resource "google_pubsub_topic_iam_member" "fetch_publishes_mentions" {
  topic  = google_pubsub_topic.mentions.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.function["fetch_mentions"].email}"
}

locals {
  # "function/ENV_VAR" => grant: each function reads exactly the secrets it is handed.
  function_secret_grants = merge([
    for fn, spec in local.functions : {
      for env_var in spec.secrets : "${fn}/${env_var}" => { function = fn, secret = env_var }
    }
  ]...)
}

resource "google_secret_manager_secret_iam_member" "function" {
  for_each = local.function_secret_grants

  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.function[each.value.function].email}"
}

# --- Invoker identities: one per caller ---------------------------------------------

locals {
  invokers = {
    classify_push    = { account_id = "aduan-push-classify", function = "classify_mention", caller = "Pub/Sub push subscription" }
    fetch_scheduler  = { account_id = "aduan-sched-fetch", function = "fetch_mentions", caller = "Cloud Scheduler fetch job" }
    digest_scheduler = { account_id = "aduan-sched-digest", function = "send_digests", caller = "Cloud Scheduler digest job" }
    replies_push     = { account_id = "aduan-push-replies", function = "send_replies", caller = "Pub/Sub push subscription (replies)" }
    train_scheduler  = { account_id = "aduan-sched-train", function = "train_classifier", caller = "Cloud Scheduler training job" }
  }
}

resource "google_service_account" "invoker" {
  for_each = local.invokers

  account_id   = each.value.account_id
  display_name = "Aduan ${each.value.caller} → ${each.value.function}"
  description  = "OIDC identity of the ${each.value.caller}; may invoke ${each.value.function} only."
}

# Gen2 functions are Cloud Run services and check run.routes.invoke on the service.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = local.invokers

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn[each.value.function].service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker[each.key].email}"
}

# The status page is public; it is the only function anyone may call.
resource "google_cloud_run_v2_service_iam_member" "status_public" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.fn["status_page"].service_config[0].service
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- Pub/Sub service agent: dead-lettering ------------------------------------------

locals {
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# Pub/Sub forwards an undeliverable message to the dead-letter topic as itself...
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  topic  = google_pubsub_topic.dead_letter.name
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

# ...and acknowledges it on the source subscription.
resource "google_pubsub_subscription_iam_member" "classify_dead_letter_ack" {
  subscription = google_pubsub_subscription.classify.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# --- Build identity ------------------------------------------------------------------

# Cloud Build runs the function builds as this account instead of the Compute Engine
# default account (which new projects no longer grant broad roles).
resource "google_service_account" "build" {
  account_id   = "aduan-build"
  display_name = "Aduan function builds"
  description  = "Builds the functions' container images from the source archive."
}

resource "google_project_iam_member" "build" {
  for_each = toset([
    "roles/logging.logWriter",       # build logs
    "roles/artifactregistry.writer", # pushes images to gcf-artifacts
    "roles/storage.objectViewer",    # reads the source, which Cloud Functions also stages in its own bucket
  ])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.build.email}"
}

resource "google_storage_bucket_iam_member" "build_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.build.email}"
}
