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
    # digest / agency page: an agency's open reports by due date
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
