"""Bad configuration stops start-up with a message naming the file, the item and the field."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aduan.adapters.config_files import load_config
from aduan.config import ConfigError
from aduan.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_shipped_configuration_is_valid_and_covers_central_java():
    config = load_config(ROOT / "config")
    agencies = config.agencies
    assert agencies.get(agencies.province_desk).regions == ("33",)
    kabkota = {r for a in agencies.agencies for r in a.regions if len(r) == 4}
    assert {"3371", "3308", "3374", "3372", "3302"} <= kabkota
    assert "pemkotmagelang" in agencies.handles
    assert config.taxonomy.fallback == "lainnya" and len(config.taxonomy.slugs) == 18


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "config", tmp_path / "config")
    return tmp_path / "config"


def mutate(config_dir: Path, change) -> None:
    path = config_dir / "agencies.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def agency(data: dict, agency_id: str) -> dict:
    return next(a for a in data["agencies"] if a["id"] == agency_id)


CASES = [
    (
        "unknown region",
        lambda d: agency(d, "kota-magelang").update(regions=["3399"]),
        "agency 'kota-magelang'",
        "regions",
        "3399",
    ),
    (
        "unknown category",
        lambda d: agency(d, "kota-magelang-dlh").update(categories=["sampahh"]),
        "agency 'kota-magelang-dlh'",
        "categories",
        "sampahh",
    ),
    (
        "bad e-mail",
        lambda d: agency(d, "kab-klaten")["digest"].update(recipients=["not-an-address"]),
        "agency 'kab-klaten' digest",
        "recipients",
        "not-an-address",
    ),
    (
        "numeric id as int",
        lambda d: agency(d, "kota-semarang")["accounts"][0].update(user_id="12ab"),
        "agency 'kota-semarang' account #1",
        "user_id",
        "12ab",
    ),
    (
        "duplicate id",
        lambda d: d["agencies"].append(dict(agency(d, "kab-banyumas"))),
        "agency 'kab-banyumas'",
        "id",
        "another agency",
    ),
    (
        "language",
        lambda d: agency(d, "kab-magelang").update(language="jv"),
        "agency 'kab-magelang'",
        "language",
        "'jv'",
    ),
    (
        "missing name",
        lambda d: agency(d, "kab-magelang").pop("name"),
        "agency 'kab-magelang'",
        "name",
        "required",
    ),
    ("desk", lambda d: d.update(province_desk="nowhere"), "agencies file", "province_desk", "nowhere"),
    (
        "account twice",
        lambda d: agency(d, "kab-klaten")["accounts"].append({"username": "PemkotSmg", "user_id": "5"}),
        "agency 'kab-klaten' account #2",
        "username",
        "kota-semarang",
    ),
    # Issue #11, item 14: accepted at start-up, failing at Monday's send (or the next poll).
    (
        "CR/LF in a name (mail header)",
        lambda d: agency(d, "kota-magelang").update(name="Pemkot Magelang\r\nBcc: x@evil.example"),
        "agency 'kota-magelang'",
        "name",
        "control character U+000D",
    ),
    (
        "trailing newline in a recipient",
        lambda d: agency(d, "kab-klaten")["digest"].update(recipients=["humas@klatenkab.example.go.id\n"]),
        "agency 'kab-klaten' digest",
        "recipients",
        "control character U+000A",
    ),
    (
        "trailing newline in an agency id",
        lambda d: agency(d, "kab-klaten").update(id="kab-klaten\n"),
        "agency #",
        "id",
        "'kab-klaten\\n'",
    ),
    (
        "trailing newline in a user id",
        lambda d: agency(d, "kota-semarang")["accounts"][0].update(user_id="1100000000000000030\n"),
        "agency 'kota-semarang' account #1",
        "user_id",
        "1100000000000000030",
    ),
    (
        "trailing newline in a username",
        lambda d: agency(d, "kota-semarang")["accounts"][0].update(username="pemkotsmg\n"),
        "agency 'kota-semarang' account #1",
        "username",
        "control character U+000A",
    ),
    (
        "zero-width space in a username",
        lambda d: agency(d, "kota-semarang")["accounts"][0].update(username="pemkot\u200bsmg"),
        "agency 'kota-semarang' account #1",
        "username",
        "U+200B",
    ),
    (
        "same X user id under two usernames",
        lambda d: agency(d, "kab-klaten")["accounts"].append(
            {"username": "klaten_lain", "user_id": "1100000000000000030"}
        ),
        "agency 'kab-klaten' account #2",
        "user_id",
        "@pemkotsmg (agency 'kota-semarang')",
    ),
    (
        "same account twice in one agency",
        lambda d: agency(d, "kota-semarang")["accounts"].append(
            {"username": "PEMKOTSMG", "user_id": "1100000000000000030"}
        ),
        "agency 'kota-semarang' account #2",
        "username",
        "twice in this agency",
    ),
    (
        "same recipient twice, other case",
        lambda d: agency(d, "kab-klaten")["digest"].update(
            recipients=["humas@klatenkab.example.go.id", "Humas@KlatenKab.example.go.id"]
        ),
        "agency 'kab-klaten' digest",
        "recipients",
        "duplicates",
    ),
    (
        "newline in the province desk",
        lambda d: d.update(province_desk="jateng-laporgub\n"),
        "agencies file",
        "province_desk",
        "control character",
    ),
]


@pytest.mark.parametrize(("label", "change", "item", "field", "detail"), CASES, ids=[c[0] for c in CASES])
def test_invalid_agency_is_refused_naming_file_item_and_field(
    config_copy, label, change, item, field, detail
):
    mutate(config_copy, change)
    with pytest.raises(ConfigError) as err:
        load_config(config_copy)
    message = str(err.value)
    assert message.startswith(str(config_copy / "agencies.yaml"))
    assert item in message and f"field '{field}'" in message and detail in message


def test_broken_yaml_and_bad_taxonomy_are_refused(config_copy):
    (config_copy / "taxonomy.yaml").write_text("categories:\n  - slug: jalan\n    label: {id: Jalan}\n")
    with pytest.raises(ConfigError, match="taxonomy.yaml: taxonomy: field 'categories': exactly one"):
        load_config(config_copy)
    (config_copy / "agencies.yaml").write_text("agencies: [\n")
    (config_copy / "taxonomy.yaml").write_text((ROOT / "config" / "taxonomy.yaml").read_text())
    with pytest.raises(ConfigError, match=r"agencies.yaml: \(file\): field '\(syntax\)'"):
        load_config(config_copy)


def test_control_character_in_a_category_label_is_refused(config_copy):
    path = config_copy / "taxonomy.yaml"
    data = yaml.safe_load(path.read_text())
    data["categories"][0]["label"]["en"] = "Roads\r\nX-Injected: 1"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ConfigError) as err:
        load_config(config_copy)
    assert "taxonomy.yaml: category 'jalan' label: field 'en'" in str(err.value)
    assert "control character U+000D" in str(err.value)


def test_bad_environment_is_refused_naming_the_variable():
    with pytest.raises(ConfigError, match="environment: GOOGLE_CLOUD_PROJECT"):
        Settings.from_env({}, ROOT / "config")
    with pytest.raises(ConfigError, match="ADUAN_FETCH_MODE"):
        Settings.from_env({"GOOGLE_CLOUD_PROJECT": "p", "ADUAN_FETCH_MODE": "both"}, ROOT / "config")
    with pytest.raises(ConfigError, match="ADUAN_FETCH_DEADLINE_S"):
        Settings.from_env({"GOOGLE_CLOUD_PROJECT": "p", "ADUAN_FETCH_DEADLINE_S": "soon"}, ROOT / "config")


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"GOOGLE_CLOUD_PROJECT": "aduan-prod\n"}, "GOOGLE_CLOUD_PROJECT"),
        ({"GOOGLE_CLOUD_PROJECT": "p", "X_API_BASE_URL": "https://api.x.com\n"}, "X_API_BASE_URL"),
        ({"GOOGLE_CLOUD_PROJECT": "p", "X_API_BASE_URL": "https://u:p@api.x.com"}, "X_API_BASE_URL"),
        ({"GOOGLE_CLOUD_PROJECT": "p", "ADUAN_MENTIONS_TOPIC": "mentions\n"}, "ADUAN_MENTIONS_TOPIC"),
    ],
)
def test_a_trailing_newline_or_credentials_in_the_environment_are_refused(env, variable):
    """Item 14's class in the environment: values that reach a URL or a resource name."""
    with pytest.raises(ConfigError, match=f"environment: {variable}: field 'value'"):
        Settings.from_env(env, ROOT / "config")


def test_an_x_token_with_a_trailing_newline_is_refused():
    settings = Settings.from_env({"GOOGLE_CLOUD_PROJECT": "p", "X_BEARER_TOKEN": "AAAA\n"}, ROOT / "config")
    with pytest.raises(ConfigError, match="X_BEARER_TOKEN.*trailing newline"):
        settings.require_x_token()


def start_main(config_dir: Path, **env: str) -> subprocess.CompletedProcess:
    """Import main.py as functions-framework does at instance start (it sets FUNCTION_TARGET first)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUAN_", "X_", "FUNCTION_"))}
    full_env.update(
        {
            "GOOGLE_CLOUD_PROJECT": "p",
            "ADUAN_CONFIG_DIR": str(config_dir),
            "PYTHONPATH": str(ROOT / "functions"),
            **env,
        }
    )
    return subprocess.run(
        [sys.executable, "-c", "import main"],
        cwd=ROOT / "functions",
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_function_with_bad_config_stops_at_start_up(config_copy):
    """functions-framework imports main.py at start; the instance must refuse to serve."""
    mutate(config_copy, lambda d: agency(d, "kota-magelang").update(regions=["9999"]))
    proc = start_main(config_copy)
    assert proc.returncode != 0
    assert "agencies.yaml: agency 'kota-magelang': field 'regions': '9999'" in proc.stderr


def test_each_function_checks_its_own_settings_at_start_up(config_copy):
    assert "environment: X_BEARER_TOKEN" in start_main(config_copy, FUNCTION_TARGET="fetch_mentions").stderr
    assert "ADUAN_LINK_SIGNING_KEY" in start_main(config_copy, FUNCTION_TARGET="status_page").stderr
    digest = start_main(config_copy, FUNCTION_TARGET="send_digests", ADUAN_SMTP_HOST="smtp.example.org")
    assert digest.returncode != 0 and "environment: ADUAN_" in digest.stderr
    fine = start_main(config_copy, FUNCTION_TARGET="fetch_mentions", X_BEARER_TOKEN="t")
    assert fine.returncode == 0, fine.stderr


DIGEST_ENV = {
    "FUNCTION_TARGET": "send_digests",
    "ADUAN_SMTP_HOST": "127.0.0.1",
    "ADUAN_STATUS_BASE_URL": "https://lapor.example.go.id",
}


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "is required"),
        ("abc", "at least 32 characters"),
        (" " * 32, "whitespace"),
        ("k3Y-" * 10 + "\n", "trailing newline"),
    ],
    ids=["missing", "3 characters", "32 spaces", "trailing newline"],
)
def test_send_digests_refuses_an_unusable_signing_key_at_start_up(config_copy, key, problem):
    """Item 15: a digest run with no usable key sent action links the status page refused (or none)."""
    env = {**DIGEST_ENV, **({} if key is None else {"ADUAN_LINK_SIGNING_KEY": key})}
    proc = start_main(config_copy, **env)
    assert proc.returncode != 0
    assert "environment: ADUAN_LINK_SIGNING_KEY: field 'value'" in proc.stderr and problem in proc.stderr


def test_an_smtp_password_with_a_newline_is_refused_without_repeating_it(config_copy):
    env = {**DIGEST_ENV, "ADUAN_LINK_SIGNING_KEY": "Zk3-" * 12, "ADUAN_SMTP_USER": "aduan"}
    proc = start_main(config_copy, **env, ADUAN_SMTP_PASSWORD="hunter2-secret\n")
    assert proc.returncode != 0 and "ADUAN_SMTP_PASSWORD: field 'value': contains a control" in proc.stderr
    assert "hunter2" not in proc.stderr


def test_send_digests_starts_with_a_real_key(config_copy):
    proc = start_main(config_copy, **DIGEST_ENV, ADUAN_LINK_SIGNING_KEY="Zk3-" * 12)
    assert proc.returncode == 0, proc.stderr


def test_status_page_refuses_a_key_of_spaces(config_copy):
    env = {"FUNCTION_TARGET": "status_page", "ADUAN_STATUS_BASE_URL": "https://lapor.example.go.id"}
    proc = start_main(config_copy, **env, ADUAN_LINK_SIGNING_KEY=" " * 40)
    assert (
        proc.returncode != 0 and "ADUAN_LINK_SIGNING_KEY: field 'value': contains whitespace" in proc.stderr
    )


def test_a_broken_vocabulary_stops_the_classifier_at_start_up(config_copy):
    vocabulary = config_copy / "vocabulary" / "categories.yaml"
    vocabulary.write_text(vocabulary.read_text() + "\n  - {{ broken\n")
    proc = start_main(config_copy, FUNCTION_TARGET="classify_mention")
    assert proc.returncode != 0 and "categories.yaml" in proc.stderr
