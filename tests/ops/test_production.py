"""Production settings: the deploy check passes, unsafe settings are refused, headers are sent."""

import json
import subprocess

import pytest

from tests.ops.helpers import PYTHON, ROOT, production_env, run_manage, run_script

pytestmark = pytest.mark.django_db


def test_it_passes_the_deploy_check_with_the_secret_key_from_a_file(tmp_path):
    env = production_env(tmp_path)
    key_file = tmp_path / "secret"
    key_file.write_text(env.pop("DJANGO_SECRET_KEY") + "\n", encoding="utf-8")
    env["DJANGO_SECRET_KEY_FILE"] = str(key_file)
    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_web_process_refuses_to_start_without_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    env.pop("DJANGO_SECRET_KEY")
    result = run_script(env, "import config.wsgi")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def _import_settings(env):
    return subprocess.run(
        [PYTHON, "-c", "import config.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "secret_key", ["", "django-insecure-development-only-do-not-use-in-production", "short-but-set"]
)
def test_the_settings_refuse_an_empty_default_or_short_secret_key(tmp_path, secret_key):
    result = _import_settings(production_env(tmp_path, DJANGO_SECRET_KEY=secret_key))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_the_system_check_refuses_a_long_key_without_variety(tmp_path):
    env = production_env(tmp_path, DJANGO_SECRET_KEY="x" * 60)
    assert _import_settings(env).returncode == 0
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert "registry.E002" in result.stderr


def test_it_refuses_debug_any_host_and_no_throttling_in_production(tmp_path):
    env = production_env(
        tmp_path, DJANGO_DEBUG="true", DJANGO_ALLOWED_HOSTS="*", AXES_ENABLED="false"
    )
    result = run_manage(env, "check")
    assert result.returncode != 0
    for error in ("registry.E001", "registry.E003", "registry.E009"):
        assert error in result.stderr


def test_it_sends_the_security_headers_in_production(tmp_path):
    """Through the real middleware stack: HTTPS redirect, HSTS, CSP, referrer policy, secure cookies."""
    result = run_script(
        production_env(tmp_path),
        """
        import json
        from django.test import Client
        client = Client(HTTP_HOST="registry.example.gov.vn")
        plain = client.get("/accounts/login/")
        proxied = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
        cookie = proxied.cookies.get("csrftoken")
        print(json.dumps({
            "plain_status": plain.status_code,
            "plain_location": plain.get("Location", ""),
            "status": proxied.status_code,
            "hsts": proxied.get("Strict-Transport-Security", ""),
            "csp": proxied.get("Content-Security-Policy", ""),
            "referrer": proxied.get("Referrer-Policy", ""),
            "frame": proxied.get("X-Frame-Options", ""),
            "nosniff": proxied.get("X-Content-Type-Options", ""),
            "cookie_secure": bool(cookie and cookie["secure"]),
            "foreign_host": client.get("/accounts/login/", HTTP_HOST="evil.example",
                                       HTTP_X_FORWARDED_PROTO="https").status_code,
            # A container probe: plain HTTP to 127.0.0.1, neither redirected nor refused.
            "probe": Client(HTTP_HOST="127.0.0.1:8000").get("/healthz").status_code,
        }))
        """,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_status"] == 301
    assert seen["plain_location"].startswith("https://registry.example.gov.vn/")
    assert seen["status"] == 200
    assert "max-age=31536000" in seen["hsts"]
    assert "includeSubDomains" in seen["hsts"]
    assert "default-src 'self'" in seen["csp"]
    assert "frame-ancestors 'none'" in seen["csp"]
    assert seen["referrer"] == "same-origin"
    assert seen["frame"] == "DENY"
    assert seen["nosniff"] == "nosniff"
    assert seen["cookie_secure"] is True
    assert seen["foreign_host"] == 400
    assert seen["probe"] == 200
