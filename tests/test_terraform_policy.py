"""Policy tests for the Terraform deployment in ``terraform/``.

No provider can be downloaded here, so ``terraform validate/plan`` cannot run; these
tests parse the HCL instead and hold it to the rules of issue 7: least privilege,
dead-lettering, secrets only as secret environment variables, OIDC everywhere, one
public function — and every name the code depends on read from ``aduan.names``, so a
rename on either side fails here rather than in production.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from hcl2.utils import SerializationOptions

from aduan import names

REPO = Path(__file__).resolve().parents[1]
TERRAFORM = REPO / "terraform"
PRIMITIVE_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}
PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
ENV_NAMES = {value for key, value in vars(names).items() if key.startswith("ENV_")}


def _load(path: Path) -> dict[str, Any]:
    options = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
    with path.open(encoding="utf-8") as f:
        return hcl2.load(f, serialization_options=options)


def _merged() -> dict[str, Any]:
    """All ``*.tf`` files as one module: blocks by kind, resources keyed by (type, name)."""
    module: dict[str, Any] = {"resource": {}, "data": {}, "locals": {}, "variable": {}, "terraform": []}
    for path in sorted(TERRAFORM.glob("*.tf")):
        parsed = _load(path)
        for kind in ("resource", "data"):
            for block in parsed.get(kind, []):
                for rtype, by_name in block.items():
                    for name, body in by_name.items():
                        assert (rtype, name) not in module[kind], f"{rtype}.{name} defined twice"
                        module[kind][(rtype, name)] = body
        for block in parsed.get("locals", []):
            module["locals"].update(block)
        for block in parsed.get("variable", []):
            module["variable"].update(block)
        module["terraform"].extend(parsed.get("terraform", []))
    return module


MODULE = _merged()
LOCALS = MODULE["locals"]
FUNCTION_SPECS: dict[str, dict[str, Any]] = LOCALS["functions"]


def resources(rtype: str) -> dict[str, dict[str, Any]]:
    return {name: body for (t, name), body in MODULE["resource"].items() if t == rtype}


def one(blocks: list[dict[str, Any]] | None) -> dict[str, Any]:
    """A nested block that must appear exactly once (python-hcl2 gives blocks as lists)."""
    assert blocks is not None and len(blocks) == 1, blocks
    return blocks[0]


def strings(node: Any) -> Iterator[str]:
    """Every string anywhere in a parsed structure, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def function_ref(entry_point: str) -> str:
    return f'google_cloudfunctions2_function.fn["{entry_point}"]'


FUNCTION = resources("google_cloudfunctions2_function")["fn"]


# --- providers and layout ------------------------------------------------------------


def test_providers_are_pinned_and_state_is_remote() -> None:
    terraform = one(MODULE["terraform"])
    providers = one(terraform["required_providers"])
    assert providers["google"] == {"source": "hashicorp/google", "version": "~> 7.0"}
    assert providers["archive"]["source"] == "hashicorp/archive"
    assert providers["archive"]["version"].startswith("~> ")
    assert "gcs" in one(terraform["backend"])


def test_apis_stay_enabled_on_destroy() -> None:
    (service,) = resources("google_project_service").values()
    assert service["disable_on_destroy"] is False


def test_terraform_files_are_formatted() -> None:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform binary not installed")
    result = subprocess.run(
        [binary, "fmt", "-check", "-recursive", str(TERRAFORM)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"needs `terraform fmt`: {result.stdout}"


# --- functions -----------------------------------------------------------------------


def test_one_function_per_entry_point_and_each_is_defined_in_main_py() -> None:
    assert set(FUNCTION_SPECS) == set(names.ENTRY_POINTS)
    assert FUNCTION["for_each"] == "${local.functions}"
    build = one(FUNCTION["build_config"])
    assert build["entry_point"] == "${each.key}"
    assert re.fullmatch(r"python3(1[2-9]|[2-9]\d)", build["runtime"]), build["runtime"]

    main_py = REPO / "functions" / "main.py"
    assert main_py.is_file(), "functions/main.py must exist: it is the archive's entry module"
    tree = ast.parse(main_py.read_text(encoding="utf-8"))
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    missing = set(names.ENTRY_POINTS) - defined
    assert not missing, f"entry points not defined in functions/main.py: {sorted(missing)}"


def test_classifier_is_fed_by_our_push_subscription_not_eventarc() -> None:
    assert "event_trigger" not in FUNCTION


def test_every_function_runs_as_its_own_service_account() -> None:
    service = one(FUNCTION["service_config"])
    assert service["service_account_email"] == "${google_service_account.function[each.key].email}"
    runtime_accounts = resources("google_service_account")["function"]
    # One account per entry of the same map the functions iterate: never shared.
    assert runtime_accounts["for_each"] == "${local.functions}"
    assert "each.key" in runtime_accounts["account_id"]
    # Callers have their own accounts, distinct from every runtime account.
    invoker_accounts = resources("google_service_account")["invoker"]
    assert invoker_accounts["for_each"] == "${local.invokers}"
    ids = [spec["account_id"] for spec in LOCALS["invokers"].values()]
    assert len(ids) == len(set(ids))
    assert not any(account_id.startswith("aduan-${") for account_id in ids)


def test_each_caller_may_invoke_one_private_function() -> None:
    invokers = LOCALS["invokers"]
    targets = [spec["function"] for spec in invokers.values()]
    assert sorted(targets) == sorted(
        {names.FETCH_MENTIONS, names.CLASSIFY_MENTION, names.SEND_DIGESTS, names.SEND_REPLIES, names.TRAIN_CLASSIFIER}
    )
    grant = resources("google_cloud_run_v2_service_iam_member")["invoker"]
    assert grant["for_each"] == "${local.invokers}"
    assert grant["role"] == "roles/run.invoker"
    assert grant["member"] == "serviceAccount:${google_service_account.invoker[each.key].email}"
    assert "[each.value.function]" in grant["name"]


def test_fetch_polls_alone_and_classify_scales_out() -> None:
    assert FUNCTION_SPECS[names.FETCH_MENTIONS]["max_instances"] == 1
    assert one(FUNCTION["service_config"])["max_instance_request_concurrency"] == 1
    classify_max = FUNCTION_SPECS[names.CLASSIFY_MENTION]["max_instances"]
    assert classify_max == "${var.classify_max_instances}"
    assert MODULE["variable"]["classify_max_instances"]["default"] > 1


def test_archive_is_named_by_content_hash_and_ships_text_files() -> None:
    archive_object = resources("google_storage_bucket_object")["source"]
    assert "${data.archive_file.functions.output_" in archive_object["name"]
    source = one(one(one(FUNCTION["build_config"])["source"])["storage_source"])
    assert source["object"] == "${google_storage_bucket_object.source.name}"
    for required in ("functions/main.py", "functions/requirements.txt", "config/agencies.yaml"):
        assert (REPO / required).is_file(), required
    # Terraform's file() reads UTF-8 text only; anything else fails the plan.
    for folder in ("functions", "templates", "config"):
        for path in (REPO / folder).rglob("*"):
            relative = path.relative_to(REPO).parts
            if (
                path.is_dir()
                or path.suffix == ".pyc"
                or any(p.startswith((".", "__pycache__")) for p in relative)
            ):
                continue
            path.read_bytes().decode("utf-8")


# --- environment and secrets ---------------------------------------------------------


def test_environment_variable_names_are_the_codes() -> None:
    common = LOCALS["common_env"]
    assert common[names.ENV_PROJECT] == "${var.project_id}"
    assert common[names.ENV_CONFIG_DIR] == "config"
    used = set(common)
    for spec in FUNCTION_SPECS.values():
        used |= set(spec["env"]) | set(static_secrets(spec))
    unknown = used - ENV_NAMES
    assert not unknown, f"not in aduan.names.ENV_*: {sorted(unknown)}"
    assert (
        one(FUNCTION["service_config"])["environment_variables"]
        == "${merge(local.common_env, each.value.env)}"
    )
    fetch_env = FUNCTION_SPECS[names.FETCH_MENTIONS]["env"]
    assert fetch_env[names.ENV_MENTIONS_TOPIC] == "${google_pubsub_topic.mentions.name}"


def static_secrets(spec: dict[str, Any]) -> list[str]:
    """A function's secret variables; send_replies adds per-account ones computed from the config."""
    if spec["secrets"] == "${local.send_replies_secrets}":
        return re.findall(r'"([A-Z_]+)"', LOCALS["send_replies_secrets"].split("]")[0])
    return spec["secrets"]


def test_secrets_reach_each_function_exactly_as_names_says() -> None:
    assert set(LOCALS["secrets"]) == set(names.SECRET_ENV_VARS)
    for entry_point, expected in names.FUNCTION_SECRETS.items():
        spec = FUNCTION_SPECS[entry_point]
        assert sorted(static_secrets(spec)) == sorted(expected), entry_point
        assert not set(spec["env"]) & set(names.SECRET_ENV_VARS), f"{entry_point}: secret in plain env"
    assert not set(LOCALS["common_env"]) & set(names.SECRET_ENV_VARS)

    service = one(FUNCTION["service_config"])
    dynamic = one(service["dynamic"])["secret_environment_variables"]
    assert dynamic["for_each"] == "${toset(each.value.secrets)}"
    content = one(dynamic["content"])
    assert content["key"] == "${secret_environment_variables.value}"
    assert content["version"] == "latest"
    assert "google_secret_manager_secret.secret[secret_environment_variables.value]" in content["secret"]
    assert "secret_volumes" not in service


def test_secret_values_never_pass_through_terraform() -> None:
    assert not resources("google_secret_manager_secret_version")
    assert not any(rtype.startswith("google_secret_manager") for rtype, _ in MODULE["data"])
    assert not any("secret_data" in s for s in strings(MODULE))


def test_each_function_reads_only_its_own_secrets() -> None:
    grant = resources("google_secret_manager_secret_iam_member")["function"]
    assert grant["for_each"] == "${local.function_secret_grants}"
    assert grant["role"] == "roles/secretmanager.secretAccessor"
    assert grant["member"] == "serviceAccount:${google_service_account.function[each.value.function].email}"
    # The grants are derived from the same per-function lists that wire the variables.
    assert "local.functions" in LOCALS["function_secret_grants"]
    assert "spec.secrets" in LOCALS["function_secret_grants"]


# --- IAM -----------------------------------------------------------------------------


def test_no_primitive_roles_anywhere() -> None:
    found = {s for s in strings(MODULE) for role in PRIMITIVE_ROLES if role in s}
    assert not found, found
    authoritative = [t for t, _ in MODULE["resource"] if t.endswith(("_iam_binding", "_iam_policy"))]
    assert not authoritative, f"authoritative IAM would strip grants made elsewhere: {authoritative}"


def test_status_page_is_the_only_public_function() -> None:
    public = [
        (rtype, name, body)
        for (rtype, name), body in MODULE["resource"].items()
        if rtype.endswith("_iam_member") and body.get("member") in PUBLIC_MEMBERS
    ]
    assert len(public) == 1, public
    rtype, _, body = public[0]
    assert rtype == "google_cloud_run_v2_service_iam_member"
    assert body["role"] == "roles/run.invoker"
    assert function_ref(names.STATUS_PAGE) in body["name"]
    assert [ep for ep, spec in FUNCTION_SPECS.items() if spec["public"]] == [names.STATUS_PAGE]


def test_pubsub_service_agent_can_dead_letter() -> None:
    agent = LOCALS["pubsub_service_agent"]
    assert agent.startswith("serviceAccount:service-") and agent.endswith(
        "@gcp-sa-pubsub.iam.gserviceaccount.com"
    )
    publisher = resources("google_pubsub_topic_iam_member")["dead_letter_publisher"]
    assert (publisher["topic"], publisher["role"]) == (
        "${google_pubsub_topic.dead_letter.name}",
        "roles/pubsub.publisher",
    )
    assert publisher["member"] == "${local.pubsub_service_agent}"
    subscriber = resources("google_pubsub_subscription_iam_member")["classify_dead_letter_ack"]
    assert subscriber["subscription"] == "${google_pubsub_subscription.classify.name}"
    assert subscriber["role"] == "roles/pubsub.subscriber"
    assert subscriber["member"] == "${local.pubsub_service_agent}"


# --- Pub/Sub ---------------------------------------------------------------------------


def test_topic_and_subscription_names_are_the_codes() -> None:
    topics = {body["name"] for body in resources("google_pubsub_topic").values()}
    assert topics == {
        names.MENTIONS_TOPIC,
        names.DEAD_LETTER_TOPIC,
        names.REPLIES_TOPIC,
        names.REPLIES_DEAD_LETTER_TOPIC,
    }
    subscriptions = {body["name"] for body in resources("google_pubsub_subscription").values()}
    assert subscriptions == {
        names.CLASSIFY_SUBSCRIPTION,
        names.DEAD_LETTER_SUBSCRIPTION,
        names.REPLIES_SUBSCRIPTION,
        names.REPLIES_DEAD_LETTER_SUBSCRIPTION,
    }


def test_every_push_subscription_has_oidc_retry_and_dead_letter() -> None:
    pushes = {n: b for n, b in resources("google_pubsub_subscription").items() if "push_config" in b}
    assert pushes, "no push subscription: nothing feeds the classifier"
    for name, body in pushes.items():
        push = one(body["push_config"])
        oidc = one(push.get("oidc_token"))
        assert oidc["service_account_email"] and oidc["audience"], name
        assert one(body.get("retry_policy")), name
        dead_letter = one(body.get("dead_letter_policy"))
        assert dead_letter["max_delivery_attempts"] == names.MAX_DELIVERY_ATTEMPTS, name
        assert one(body["expiration_policy"])["ttl"] == "", f"{name} would expire when idle"
    classify = pushes["classify"]
    push = one(classify["push_config"])
    assert push["push_endpoint"].startswith("${" + function_ref(names.CLASSIFY_MENTION))
    assert one(push["oidc_token"])["audience"] == push["push_endpoint"]
    assert classify["ack_deadline_seconds"] == FUNCTION_SPECS[names.CLASSIFY_MENTION]["timeout_s"]


def test_dead_letter_topic_has_a_pull_subscription_that_never_expires() -> None:
    subscriptions = resources("google_pubsub_subscription")
    topic_refs = {
        one(body["dead_letter_policy"])["dead_letter_topic"]
        for body in subscriptions.values()
        if "dead_letter_policy" in body
    }
    assert topic_refs
    for ref in topic_refs:
        holders = [b for b in subscriptions.values() if b["topic"] == ref]
        assert holders, f"nothing subscribes to {ref}: dead letters would be lost"
        for holder in holders:
            assert "push_config" not in holder
            assert one(holder["expiration_policy"])["ttl"] == ""


# --- Scheduler -------------------------------------------------------------------------


def test_scheduler_jobs_call_their_function_with_oidc() -> None:
    jobs = resources("google_cloud_scheduler_job")
    targets = {
        names.FETCH_MENTIONS: jobs["fetch"],
        names.SEND_DIGESTS: jobs["digests"],
        names.TRAIN_CLASSIFIER: jobs["train"],
    }
    http_jobs = [job for job in jobs.values() if "http_target" in job]
    assert len(http_jobs) == len(targets)
    for entry_point, job in targets.items():
        http = one(job["http_target"])
        assert "oauth_token" not in http
        oidc = one(http["oidc_token"])
        assert function_ref(entry_point) in http["uri"]
        assert oidc["audience"] == http["uri"]
        assert oidc["service_account_email"].startswith("${google_service_account.invoker[")


def test_schedules() -> None:
    jobs = resources("google_cloud_scheduler_job")
    assert jobs["fetch"]["schedule"] == "*/${var.fetch_interval_minutes} * * * *"
    assert MODULE["variable"]["fetch_interval_minutes"]["default"] == 5
    digests = jobs["digests"]
    # Daily at 07:00 WIB: daily digests every morning, weekly ones on Mondays (aduan.digest.job.due_periods).
    assert (digests["schedule"], digests["time_zone"]) == ("0 7 * * *", "Asia/Jakarta")
    train = jobs["train"]
    assert (train["schedule"], train["time_zone"]) == ("0 2 * * 0", "Asia/Jakarta")  # weekly


def test_training_runs_alone_and_ships_its_data() -> None:
    spec = FUNCTION_SPECS[names.TRAIN_CLASSIFIER]
    assert spec["max_instances"] == 1 and not spec["public"] and not spec["secrets"]
    assert "tests/data/labelled" in str(LOCALS["source_files"])


# --- Firestore -------------------------------------------------------------------------


def test_firestore_indexes_are_the_codes() -> None:
    declared = sorted(
        (index["collection"], tuple((field["path"], field["order"]) for field in index["fields"]))
        for index in LOCALS["firestore_indexes"].values()
    )
    assert declared == sorted(names.FIRESTORE_INDEXES)
    assert {collection for collection, _ in declared} <= set(names.COLLECTIONS)
    index = resources("google_firestore_index")["composite"]
    assert index["for_each"] == "${local.firestore_indexes}"
    fields = one(index["dynamic"])["fields"]
    assert fields["for_each"] == "${each.value.fields}"


def test_documents_that_expire_have_a_ttl_policy_on_the_field_the_code_writes() -> None:
    declared = {
        (field["collection"], field["field"])
        for field in resources("google_firestore_field").values()
        if field.get("ttl_config") is not None
    }
    assert declared == set(names.TTL_FIELDS.items())


def test_firestore_is_native_with_recovery() -> None:
    database = resources("google_firestore_database")["main"]
    assert (database["name"], database["type"]) == ("(default)", "FIRESTORE_NATIVE")
    assert database["point_in_time_recovery_enablement"] == "POINT_IN_TIME_RECOVERY_ENABLED"
    assert MODULE["variable"]["firestore_delete_protection"]["default"] is True


# --- configuration -----------------------------------------------------------------------


def test_agencies_come_from_the_functions_config_file() -> None:
    assert LOCALS["agencies_config"] == '${yamldecode(file("${path.module}/../config/agencies.yaml"))}'
    # Terraform checks the same at plan time (config.tf); here it is checked without Terraform.
    config = yaml.safe_load((REPO / "config" / "agencies.yaml").read_text(encoding="utf-8"))
    ids = [agency["id"] for agency in config["agencies"]]
    assert config["province_desk"] in ids
    assert any(agency.get("accounts") for agency in config["agencies"])


# --- replies ---------------------------------------------------------------------------------


def test_send_replies_is_fed_by_its_push_subscription_and_publishers_are_few() -> None:
    spec = FUNCTION_SPECS[names.SEND_REPLIES]
    assert spec["public"] is False
    assert spec["env"][names.ENV_REPLIES_TOPIC] == "${google_pubsub_topic.replies.name}"
    push_sub = resources("google_pubsub_subscription")["replies_send"]
    push = one(push_sub["push_config"])
    assert push["push_endpoint"].startswith("${" + function_ref(names.SEND_REPLIES))
    assert (
        one(push["oidc_token"])["service_account_email"]
        == '${google_service_account.invoker["replies_push"].email}'
    )
    assert push_sub["ack_deadline_seconds"] == spec["timeout_s"] == "${local.replies_timeout_s}"
    assert (
        one(push_sub["dead_letter_policy"])["dead_letter_topic"]
        == "${google_pubsub_topic.replies_dead_letter.id}"
    )
    publishers = resources("google_pubsub_topic_iam_member")["replies_publisher"]
    assert publishers["for_each"] == '${toset(["classify_mention", "status_page", "send_replies"])}'
    assert publishers["role"] == "roles/pubsub.publisher"
    ack = resources("google_pubsub_subscription_iam_member")["replies_dead_letter_ack"]
    assert ack["subscription"] == "${google_pubsub_subscription.replies_send.name}"


def test_each_answering_account_has_its_own_token_secrets_named_as_the_code_reads_them() -> None:
    derived = LOCALS["reply_token_secrets"]
    assert f'"{names.REPLY_TOKEN_ENV_PREFIX}${{upper(username)}}"' in derived
    assert f'"{names.REPLY_SECRET_ENV_PREFIX}${{upper(username)}}"' in derived
    assert "try(account.replies.enabled, false)" in LOCALS["reply_accounts"]
    assert "local.reply_token_secrets" in LOCALS["send_replies_secrets"]
    secret = resources("google_secret_manager_secret")["secret"]
    assert secret["for_each"] == "${merge(local.secrets, local.reply_token_secrets)}"
    assert names.reply_token_envs("pemkot_smg") == ("X_ACCESS_TOKEN_PEMKOT_SMG", "X_ACCESS_SECRET_PEMKOT_SMG")


def test_parked_replies_are_swept_on_a_schedule() -> None:
    job = resources("google_cloud_scheduler_job")["replies_sweep"]
    target = one(job["pubsub_target"])
    assert target["topic_name"] == "${google_pubsub_topic.replies.id}"
    assert (
        names.REPLY_SWEEP_SCHEMA in target["data"]
        and target["attributes"]["schema"] == names.REPLY_SWEEP_SCHEMA
    )
