# Provider pins. Google 7.x: event_trigger.event_type is required, service_config.service
# is output-only and google_project_service no longer disables APIs on destroy by default.
terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.7"
    }
  }

  # State lives in a GCS bucket created before the first apply (docs/deploy.md);
  # bucket and prefix come from `terraform init -backend-config=...`.
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}
