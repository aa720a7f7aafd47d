# The agencies file the functions read is also Terraform's: one source of truth.
locals {
  labels = {
    app        = "aduan"
    managed-by = "terraform"
  }

  agencies_config = yamldecode(file("${path.module}/../config/agencies.yaml"))
  agency_ids      = [for agency in local.agencies_config.agencies : agency.id]
  polled_accounts = distinct(flatten([
    for agency in local.agencies_config.agencies : [for account in try(agency.accounts, []) : account.username]
  ]))
}

# Stops `terraform plan` before anything ships with an agencies file the functions
# would refuse at start-up (they validate the rest in detail).
resource "terraform_data" "agencies_check" {
  input = local.agency_ids

  lifecycle {
    precondition {
      condition     = contains(local.agency_ids, local.agencies_config.province_desk)
      error_message = "config/agencies.yaml: province_desk \"${local.agencies_config.province_desk}\" is not the id of an agency."
    }
    precondition {
      condition     = length(distinct(local.agency_ids)) == length(local.agency_ids)
      error_message = "config/agencies.yaml: agency ids must be unique."
    }
    precondition {
      condition     = length(local.polled_accounts) > 0
      error_message = "config/agencies.yaml: no agency lists an X account, so fetch_mentions would poll nothing."
    }
  }
}
