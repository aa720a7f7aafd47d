# Cloud Scheduler calls the two HTTP functions with OIDC tokens of their own invoker
# accounts (iam.tf); both functions refuse unauthenticated calls.

resource "google_cloud_scheduler_job" "fetch" {
  name             = "aduan-fetch-mentions"
  description      = "Poll X for new mentions (${length(local.polled_accounts)} accounts)."
  region           = var.region
  schedule         = "*/${var.fetch_interval_minutes} * * * *"
  time_zone        = "Asia/Jakarta"
  attempt_deadline = "${local.fetch_timeout_s + 30}s"

  # No retries: the next poll resumes from the checkpoint, and a retry could overlap it.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.fn["fetch_mentions"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.invoker["fetch_scheduler"].email
      audience              = google_cloudfunctions2_function.fn["fetch_mentions"].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.invoker]
}

resource "google_cloud_scheduler_job" "digests" {
  name             = "aduan-send-digests"
  description      = "Digests to ${length(local.agency_ids)} agencies, 07:00 WIB: weekly ones on Mondays, daily ones every day."
  region           = var.region
  schedule         = "0 7 * * *"
  time_zone        = "Asia/Jakarta"
  attempt_deadline = "${local.digest_timeout_s + 60}s"

  # Sending is idempotent per agency and period (digests/{agency}-{week or day}), so a failed
  # run can be retried safely.
  retry_config {
    retry_count          = 3
    min_backoff_duration = "300s"
    max_backoff_duration = "1800s"
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.fn["send_digests"].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.invoker["digest_scheduler"].email
      audience              = google_cloudfunctions2_function.fn["send_digests"].service_config[0].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.invoker]
}
