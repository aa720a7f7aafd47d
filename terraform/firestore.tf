# Firestore in native mode, with the composite indexes the code's queries need.
resource "google_firestore_database" "main" {
  project     = var.project_id
  name        = "(default)"
  location_id = var.firestore_location
  type        = "FIRESTORE_NATIVE"

  # Seven days of versions to recover from a bad deploy or a wrong status change.
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = var.firestore_delete_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy                   = var.firestore_deletion_policy

  depends_on = [google_project_service.enabled]
}

# Mirrors aduan.names.FIRESTORE_INDEXES field for field (tests/test_terraform_policy.py
# compares them): a query without its index fails in production only, since the
# emulator does not enforce indexes.
locals {
  firestore_indexes = {
    # digest: an agency's reports received in a week
    reports_agency_received = {
      collection = "reports"
      fields = [
        { path = "agency_id", order = "ASCENDING" },
        { path = "received_at", order = "ASCENDING" },
      ]
    }
    # digest: an agency's open reports received before the week
    reports_agency_open_received = {
      collection = "reports"
      fields = [
        { path = "agency_id", order = "ASCENDING" },
        { path = "open", order = "ASCENDING" },
        { path = "received_at", order = "ASCENDING" },
      ]
    }
    # digest: an agency's reports resolved in the week
    reports_agency_resolved = {
      collection = "reports"
      fields = [
        { path = "agency_id", order = "ASCENDING" },
        { path = "resolved_at", order = "ASCENDING" },
      ]
    }
    # digest: an agency's public reports per category in the week before
    reports_agency_category_public_received = {
      collection = "reports"
      fields = [
        { path = "agency_id", order = "ASCENDING" },
        { path = "category", order = "ASCENDING" },
        { path = "public", order = "ASCENDING" },
        { path = "received_at", order = "ASCENDING" },
      ]
    }
    # agency page: an agency's open reports by due date
    reports_agency_open_due = {
      collection = "reports"
      fields = [
        { path = "agency_id", order = "ASCENDING" },
        { path = "open", order = "ASCENDING" },
        { path = "due_at", order = "ASCENDING" },
      ]
    }
    # status page / Open311: public reports, newest first
    reports_public_received = {
      collection = "reports"
      fields = [
        { path = "public", order = "ASCENDING" },
        { path = "received_at", order = "DESCENDING" },
      ]
    }
    # status page / Open311: public reports of one category, newest first
    reports_public_category_received = {
      collection = "reports"
      fields = [
        { path = "public", order = "ASCENDING" },
        { path = "category", order = "ASCENDING" },
        { path = "received_at", order = "DESCENDING" },
      ]
    }
    # Open311: public reports filtered by open/closed, newest first
    reports_public_open_received = {
      collection = "reports"
      fields = [
        { path = "public", order = "ASCENDING" },
        { path = "open", order = "ASCENDING" },
        { path = "received_at", order = "DESCENDING" },
      ]
    }
    # Open311: public reports of one category filtered by open/closed, newest first
    reports_public_category_open_received = {
      collection = "reports"
      fields = [
        { path = "public", order = "ASCENDING" },
        { path = "category", order = "ASCENDING" },
        { path = "open", order = "ASCENDING" },
        { path = "received_at", order = "DESCENDING" },
      ]
    }
    # digest: an agency's reports a citizen reopened in the period
    reports_agency_reopened = {
      collection = "reports"
      fields = [
        { path = "agency_id", order = "ASCENDING" },
        { path = "reopened_at", order = "ASCENDING" },
      ]
    }
    # escalation: an agency's open reports past their response deadline
    reports_agency_open_due_response = {
      collection = "reports"
      fields = [
        { path = "agency_id", order = "ASCENDING" },
        { path = "open", order = "ASCENDING" },
        { path = "due_response_at", order = "ASCENDING" },
      ]
    }
    # clustering: same category and place in the last 72 hours
    reports_cluster_received = {
      collection = "reports"
      fields = [
        { path = "cluster_key", order = "ASCENDING" },
        { path = "received_at", order = "DESCENDING" },
      ]
    }
  }
}

resource "google_firestore_index" "composite" {
  for_each = local.firestore_indexes

  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = each.value.collection

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path = fields.value.path
      order      = fields.value.order
    }
  }
}

# The stats shards hold thousands of map keys (days × agency|category|status) that are only
# ever read whole: exempt them from single-field indexing, or they would hit the index-entry
# limit per document and cost index writes on every increment.
resource "google_firestore_field" "stats_days_unindexed" {
  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = "stats"
  field      = "days"

  index_config {}
}

# A reply budget slot (reply_budgets/{channel}:{account}:{day}:{n}) only counts on its day: Firestore
# deletes it after expires_at (set REPLY_BUDGET_SLOT_DAYS ahead when the slot is created), so the
# collection stays the size of a few days' replies. Billed as deletes; within about a day.
resource "google_firestore_field" "reply_budgets_ttl" {
  project    = var.project_id
  database   = google_firestore_database.main.name
  collection = "reply_budgets"
  field      = "expires_at"

  ttl_config {}
  index_config {}
}
