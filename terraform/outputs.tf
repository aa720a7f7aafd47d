output "status_page_url" {
  description = "Public URL of the status page."
  value       = local.status_base_url
}

output "function_names" {
  description = "Deployed function name per entry point."
  value       = { for entry_point, fn in google_cloudfunctions2_function.fn : entry_point => fn.name }
}

output "function_uris" {
  description = "Cloud Run URL per entry point (only the status page answers the public)."
  value       = { for entry_point, fn in google_cloudfunctions2_function.fn : entry_point => fn.service_config[0].uri }
}

output "mentions_topic" {
  description = "Topic every intake channel publishes mentions to."
  value       = google_pubsub_topic.mentions.name
}

output "dead_letter_topic" {
  description = "Topic that receives mentions the classifier failed on five times."
  value       = google_pubsub_topic.dead_letter.name
}

output "dead_letter_subscription" {
  description = "Pull subscription holding dead-lettered mentions for inspection and replay."
  value       = google_pubsub_subscription.dead_letter_hold.name
}

output "secret_ids" {
  description = "Secret Manager secret id per environment variable; add their values with gcloud."
  value       = { for env_var, secret in google_secret_manager_secret.secret : env_var => secret.secret_id }
}

output "scheduler_jobs" {
  description = "Cloud Scheduler jobs (run one by hand with `gcloud scheduler jobs run`)."
  value       = [google_cloud_scheduler_job.fetch.name, google_cloud_scheduler_job.digests.name]
}

output "agency_ids" {
  description = "Agencies in config/agencies.yaml."
  value       = local.agency_ids
}

output "polled_accounts" {
  description = "X accounts fetch_mentions polls, from config/agencies.yaml."
  value       = local.polled_accounts
}
