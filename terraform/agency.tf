# The agencies' answers go back to the citizen: after an agency's change commits, the
# status page publishes a reply request (aduan.reply/1) to the replies topic, which
# send_replies consumes. It may publish there and nowhere else.
resource "google_pubsub_topic_iam_member" "status_page_publishes_replies" {
  topic  = google_pubsub_topic.replies.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.function["status_page"].email}"
}
