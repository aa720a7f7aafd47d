# Secret Manager secrets, handed to functions as secret environment variables.
# Terraform creates the secrets only: their values are added with
# `gcloud secrets versions add` (docs/deploy.md), so no value ever sits in state.
locals {
  # Environment variable (aduan.names.SECRET_ENV_VARS) => Secret Manager secret id.
  secrets = {
    X_BEARER_TOKEN            = "aduan-x-bearer-token"
    ADUAN_SMTP_PASSWORD       = "aduan-smtp-password"
    ADUAN_LINK_SIGNING_KEY    = "aduan-link-signing-key"
    ADUAN_WEBHOOK_SIGNING_KEY = "aduan-webhook-signing-key" # agencies' alert-webhook keys derive from it
    X_CONSUMER_KEY            = "aduan-x-consumer-key"
    X_CONSUMER_SECRET         = "aduan-x-consumer-secret"
  }
}

resource "google_secret_manager_secret" "secret" {
  for_each = merge(local.secrets, local.reply_token_secrets) # per-account tokens: replies.tf

  secret_id           = each.value
  labels              = local.labels
  deletion_protection = var.secret_deletion_protection

  replication {
    auto {}
  }

  depends_on = [google_project_service.enabled]
}
