# APIs Aduan uses. They stay enabled on destroy: other workloads in the project may
# rely on them, and disabling an API can delete its data.
locals {
  apis = toset([
    "artifactregistry.googleapis.com", # function images
    "cloudbuild.googleapis.com",       # builds the function source
    "cloudfunctions.googleapis.com",
    "cloudresourcemanager.googleapis.com", # data.google_project
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com", # gen2 functions are Cloud Run services
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.apis

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# The project number names the Google-managed service agents (Pub/Sub's, below in iam.tf).
data "google_project" "this" {
  project_id = var.project_id

  depends_on = [google_project_service.enabled]
}
