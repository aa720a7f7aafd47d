# Retraining the classifier from agencies' corrections (issue 10, docs/classification.md).
#
# train_classifier is one more entry of local.functions (functions.tf; the policy tests
# read that map as one literal, so its entry stays there), so it gets what
# every function gets there and in iam.tf: the same source archive, its own runtime
# service account, roles/datastore.user (it reads corrections/ and writes models/; no
# other role), and ingress from internal callers only. Its one caller is the weekly
# Cloud Scheduler job below, with the OIDC identity local.invokers.train_scheduler.
# It publishes a new model only when it scores no worse on the held-out posts; a
# rollback is `python -m aduan.models rollback` (docs/deploy.md, docs/classification.md).

locals {
  train_timeout_s = 900 # 10,000 corrections train in well under a minute here; the rest is margin
}

resource "google_cloud_scheduler_job" "train" {
  name             = "aduan-train-classifier"
  description      = "Weekly retraining of the classifier from agencies' corrections, Sunday 02:00 WIB."
  region           = var.region
  schedule         = "0 2 * * 0"
  time_zone        = "Asia/Jakarta"
  attempt_deadline = "${local.train_timeout_s + 30}s"

  # A run that publishes nothing changes nothing, and one that fails is retried next week
  # as well as here: training is deterministic and publication compares before it writes.
  retry_config {
    retry_count          = 1
    min_backoff_duration = "600s"
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.fn["train_classifier"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.invoker["train_scheduler"].email
      audience              = google_cloudfunctions2_function.fn["train_classifier"].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.invoker]
}
