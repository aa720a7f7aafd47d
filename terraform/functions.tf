# The four Cloud Functions (gen2), built from one source archive.
#
# The archive's root is the contents of functions/ (main.py, requirements.txt, the
# aduan package) with templates/ and config/ beside main.py; the functions find the
# configuration through ADUAN_CONFIG_DIR=config. The object is named by the archive's
# hash, so every code, template or configuration change redeploys all four.
locals {
  repo_root = abspath("${path.module}/..")

  # Path inside the archive => path in the repository.
  source_files = merge(
    { for f in fileset("${local.repo_root}/functions", "**") : f => "functions/${f}" },
    { for f in fileset("${local.repo_root}/templates", "**") : "templates/${f}" => "templates/${f}" },
    { for f in fileset("${local.repo_root}/config", "**") : "config/${f}" => "config/${f}" },
    # The classifier's labelled posts: train_classifier's base and held-out data (training.tf).
    { for f in fileset("${local.repo_root}/tests/data/labelled", "*.jsonl") : "labelled/${f}" => "tests/data/labelled/${f}" },
  )
  # Bytecode caches and dotfiles (editor and tool state) stay out of the archive.
  shipped_files = {
    for archive_path, repo_path in local.source_files : archive_path => repo_path
    if !can(regex("(^|/)(__pycache__|\\.[^/]+)(/|$)|\\.pyc$", archive_path))
  }

  fetch_timeout_s  = 120
  digest_timeout_s = 900

  status_base_url = coalesce(var.status_base_url, "https://${var.region}-${var.project_id}.cloudfunctions.net/status-page")

  # Every function reads these.
  common_env = {
    GOOGLE_CLOUD_PROJECT = var.project_id # not set by the python312 runtime on gen2
    ADUAN_CONFIG_DIR     = "config"
  }

  # One entry per entry point in functions/main.py (aduan.names.ENTRY_POINTS); the key is
  # the entry point, the deployed name is the same with hyphens (Cloud Run service names
  # allow no underscores). `secrets` lists environment variables from secrets.tf
  # (aduan.names.FUNCTION_SECRETS); `env` holds only non-secret values.
  functions = {
    fetch_mentions = {
      description   = "Polls X for mentions of the agencies' accounts and publishes each post to Pub/Sub."
      memory        = "512Mi"
      timeout_s     = local.fetch_timeout_s
      max_instances = 1 # one poller at a time: two would read and move the same checkpoints
      public        = false
      env = {
        X_API_BASE_URL         = var.x_api_base_url
        ADUAN_FETCH_MODE       = var.fetch_mode
        ADUAN_FETCH_DEADLINE_S = tostring(local.fetch_timeout_s - 30) # stop polling with time left to publish
        ADUAN_MENTIONS_TOPIC   = google_pubsub_topic.mentions.name
      }
      secrets = ["X_BEARER_TOKEN"]
    }
    classify_mention = {
      description   = "Classifies, routes, redacts and stores one post pushed by Pub/Sub; alerts agencies of urgent ones."
      memory        = "512Mi"
      timeout_s     = local.classify_timeout_s
      max_instances = var.classify_max_instances # scales out with the backlog
      public        = false
      env = {
        ADUAN_SMTP_HOST       = var.smtp_host
        ADUAN_SMTP_PORT       = tostring(var.smtp_port)
        ADUAN_SMTP_USER       = var.smtp_user
        ADUAN_SMTP_STARTTLS   = tostring(var.smtp_starttls)
        ADUAN_MAIL_FROM       = var.mail_from
        ADUAN_STATUS_BASE_URL = local.status_base_url
        ADUAN_ALERTS          = var.urgent_alerts ? "on" : "off"
      }
      secrets = ["ADUAN_SMTP_PASSWORD", "ADUAN_LINK_SIGNING_KEY", "ADUAN_WEBHOOK_SIGNING_KEY"]
    }
    send_digests = {
      description   = "Sends each agency its weekly (or daily) digest by e-mail, idempotent per agency and period."
      memory        = "1Gi"
      timeout_s     = local.digest_timeout_s
      max_instances = 1 # one run at a time; a retry must not race the first attempt
      public        = false
      env = {
        ADUAN_SMTP_HOST       = var.smtp_host
        ADUAN_SMTP_PORT       = tostring(var.smtp_port)
        ADUAN_SMTP_USER       = var.smtp_user
        ADUAN_SMTP_STARTTLS   = tostring(var.smtp_starttls)
        ADUAN_MAIL_FROM       = var.mail_from
        ADUAN_STATUS_BASE_URL = local.status_base_url
      }
      secrets = ["ADUAN_SMTP_PASSWORD", "ADUAN_LINK_SIGNING_KEY"]
    }
    status_page = {
      description   = "Public status pages, Open311 API and signed agency actions."
      memory        = "512Mi"
      timeout_s     = 30
      max_instances = var.status_max_instances
      public        = true
      env = {
        ADUAN_STATUS_BASE_URL = local.status_base_url
      }
      secrets = ["ADUAN_LINK_SIGNING_KEY"]
    }
    send_replies = {
      description   = "Answers citizens on X (acknowledgement, the agency's response), once per event."
      memory        = "512Mi"
      timeout_s     = local.replies_timeout_s
      max_instances = var.replies_max_instances # X's per-user limits bound the rate anyway
      public        = false
      env = {
        X_API_BASE_URL        = var.x_api_base_url
        ADUAN_STATUS_BASE_URL = local.status_base_url
        ADUAN_REPLIES_TOPIC   = google_pubsub_topic.replies.name
      }
      # The app's consumer pair plus one access-token pair per account with replies enabled (replies.tf).
      secrets = local.send_replies_secrets
    }
    train_classifier = { # retraining from corrections: terraform/training.tf
      description   = "Retrains the classifier weekly from agencies' corrections; publishes only if not worse."
      memory        = "2Gi" # with 1 vCPU: training is single-threaded Python
      timeout_s     = local.train_timeout_s
      max_instances = 1 # one training run at a time: two would race to publish
      public        = false
      env           = {}
      secrets       = []
    }
  }
}

data "archive_file" "functions" {
  type        = "zip"
  output_path = "${path.module}/.build/functions-source.zip"

  dynamic "source" {
    for_each = local.shipped_files
    content {
      content  = file("${local.repo_root}/${source.value}")
      filename = source.key
    }
  }
}

resource "google_storage_bucket" "source" {
  name                        = "${var.project_id}-aduan-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true # holds only build inputs, rebuilt by every apply
  labels                      = local.labels

  depends_on = [google_project_service.enabled]
}

resource "google_storage_bucket_object" "source" {
  name   = "functions-${data.archive_file.functions.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.functions.output_path
}

resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  name        = replace(each.key, "_", "-")
  location    = var.region
  description = each.value.description
  labels      = local.labels

  build_config {
    runtime         = "python312"
    entry_point     = each.key
    service_account = google_service_account.build.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    service_account_email            = google_service_account.function[each.key].email
    available_memory                 = each.value.memory
    timeout_seconds                  = each.value.timeout_s
    max_instance_count               = each.value.max_instances
    max_instance_request_concurrency = 1
    # Scheduler and Pub/Sub push count as internal traffic; only the status page faces the internet.
    ingress_settings               = each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    environment_variables          = merge(local.common_env, each.value.env)

    dynamic "secret_environment_variables" {
      for_each = toset(each.value.secrets)
      content {
        key        = secret_environment_variables.value
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  # A deploy fails if the runtime identity cannot read its secrets or the build
  # identity cannot write the image, so their grants come first.
  depends_on = [
    google_project_service.enabled,
    google_secret_manager_secret_iam_member.function,
    google_project_iam_member.build,
    google_storage_bucket_iam_member.build_source,
    terraform_data.agencies_check,
  ]
}
