variable "project_id" {
  description = "Google Cloud project that hosts Aduan (created empty, billing enabled)."
  type        = string
}

variable "region" {
  description = "Region of the functions, scheduler jobs and source bucket. asia-southeast2 is Jakarta."
  type        = string
  default     = "asia-southeast2"
}

variable "firestore_location" {
  description = "Firestore location; cannot change after the database is created."
  type        = string
  default     = "asia-southeast2"
}

variable "fetch_interval_minutes" {
  description = "Minutes between two polls of X. Must divide 60 so polls stay evenly spaced across the hour."
  type        = number
  default     = 5

  validation {
    condition     = contains([1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30], var.fetch_interval_minutes)
    error_message = "fetch_interval_minutes must divide 60 (1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30)."
  }
}

variable "fetch_mode" {
  description = "\"search\" batches many accounts into one X API request; \"mentions\" polls each account's mention timeline."
  type        = string
  default     = "search"

  validation {
    condition     = contains(["search", "mentions"], var.fetch_mode)
    error_message = "fetch_mode must be \"search\" or \"mentions\"."
  }
}

variable "x_api_base_url" {
  description = "X API host; change only to point at a proxy."
  type        = string
  default     = "https://api.x.com"
}

variable "smtp_host" {
  description = "SMTP relay that sends the weekly digests."
  type        = string
}

variable "smtp_port" {
  description = "SMTP port (587 with STARTTLS, 465 with implicit TLS)."
  type        = number
  default     = 587
}

variable "smtp_user" {
  description = "SMTP login. The password is a Secret Manager secret, never a variable."
  type        = string
}

variable "smtp_starttls" {
  description = "Upgrade the SMTP connection with STARTTLS."
  type        = bool
  default     = true
}

variable "mail_from" {
  description = "From address of the digests, e.g. \"Aduan Jateng <aduan@jatengprov.go.id>\"."
  type        = string
}

variable "status_base_url" {
  description = "Public base URL of the status page when served from a custom domain; empty uses the function's cloudfunctions.net URL."
  type        = string
  default     = ""
}

variable "classify_max_instances" {
  description = "Upper bound on classifier instances; bounds Firestore write bursts and cost."
  type        = number
  default     = 20
}

variable "status_max_instances" {
  description = "Upper bound on status page instances (public traffic)."
  type        = number
  default     = 10
}

variable "firestore_delete_protection" {
  description = "Refuse to delete the Firestore database (turn off only to tear the project down)."
  type        = bool
  default     = true
}

variable "firestore_deletion_policy" {
  description = "What `terraform destroy` does to Firestore: ABANDON keeps the data, DELETE removes it."
  type        = string
  default     = "ABANDON"

  validation {
    condition     = contains(["ABANDON", "DELETE"], var.firestore_deletion_policy)
    error_message = "firestore_deletion_policy must be ABANDON or DELETE."
  }
}

variable "secret_deletion_protection" {
  description = "Refuse to destroy the Secret Manager secrets (turn off only to tear the project down)."
  type        = bool
  default     = true
}

variable "urgent_alerts" {
  description = "classify_mention e-mails (and, where configured, webhooks) agencies about urgent reports and large clusters within a minute."
  type        = bool
  default     = true
}
