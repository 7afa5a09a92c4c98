"""The production stack's files are checked here: no Docker engine runs on these machines."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import need

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_contract_services(compose):
    assert {"web", "worker", "beat", "postgres", "redis", "mailpit"} <= set(compose["services"])


def test_web_runs_gunicorn_on_the_project_wsgi_module(compose):
    command = compose["services"]["web"]["command"]
    assert command[0] == "gunicorn"
    module = command[1].replace(".", "/") + ".py"
    assert (ROOT / module).is_file()


@pytest.mark.parametrize(
    ("service", "verb"), [("worker", "worker"), ("counter", "worker"), ("beat", "beat")]
)
def test_celery_services_use_the_project_app(compose, service, verb):
    command = compose["services"][service]["command"]
    assert command[:4] == ["celery", "-A", "config", verb]
    assert (ROOT / "config" / "celery.py").is_file()


@pytest.mark.parametrize("service", ["web", "worker", "counter", "postgres", "redis", "mailpit"])
def test_long_running_services_have_healthchecks(compose, service):
    assert compose["services"][service]["healthcheck"]["test"]


def test_app_services_build_the_dockerfile_and_read_the_env_file(compose):
    assert (ROOT / "Dockerfile").is_file()
    for name in ("web", "worker", "counter", "beat", "migrate"):
        service = compose["services"][name]
        assert service["build"] == "."
        assert service["env_file"] == ".env"


def test_env_example_sets_what_production_needs_and_points_at_the_services(compose):
    env = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert env["DEBUG"] == "0"
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL"} <= set(env)
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379")
    assert env["EMAIL_HOST"] == "mailpit"
    settings_source = (ROOT / "config" / "settings.py").read_text()
    for name in env:
        assert f'"{name}"' in settings_source, f"{name} is not read by config/settings.py"


def test_postgres_init_file_exists(compose):
    for volume in compose["services"]["postgres"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).is_file()


def test_docker_compose_config_accepts_the_file():
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "compose", "version"], capture_output=True).returncode:
        pytest.skip("docker compose is not installed here (the parse tests above still ran)")
    env = ROOT / ".env"
    created = not env.exists()
    if created:
        env.write_text((ROOT / ".env.example").read_text())
    try:
        result = subprocess.run(
            [docker, "compose", "config", "--quiet"], cwd=ROOT, capture_output=True
        )
    finally:
        if created:
            env.unlink()
    assert result.returncode == 0, result.stderr.decode()


def test_the_stack_keeps_every_process_running_on_its_own(tmp_path):
    """bin/stack runs its processes under supervisord: one that dies is restarted alone,
    rather than `wait -n` stopping everything when the first one exits."""
    import configparser
    import os

    env = {**os.environ, "STACK_CONFIG_ONLY": "1", "STACK_CONF": str(tmp_path / "s.conf")}
    result = subprocess.run(
        ["bash", "bin/stack"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    config = configparser.RawConfigParser()
    config.read_string(result.stdout)
    programs = {s.removeprefix("program:"): config[s] for s in config if s.startswith("program:")}
    assert {"web", "email", "counts", "beat"} <= set(programs)
    for name, program in programs.items():
        assert program["autorestart"] == "true", name
        assert int(program["startretries"]) >= 1000, name
    assert "wait -n" not in (ROOT / "bin" / "stack").read_text()


def test_the_site_and_its_workers_reach_postgres_through_pgbouncer(compose):
    services = compose["services"]
    bouncer = services["pgbouncer"]["environment"]
    assert bouncer["POOL_MODE"] == "transaction" and "@postgres:5432/" in bouncer["DATABASE_URL"]
    for name in ("web", "worker", "counter", "updates", "beat"):
        environment = services[name]["environment"]
        assert "@pgbouncer:5432/" in environment["DATABASE_URL"], name
        assert environment["DATABASE_POOLER"] == "pgbouncer", name
        assert services[name]["depends_on"]["pgbouncer"]["condition"] == "service_healthy"
    assert "environment" not in services["migrate"]  # migrations go straight to PostgreSQL


def test_the_stack_can_put_pgbouncer_in_front_of_postgres(tmp_path):
    import configparser
    import os

    env = {
        **os.environ,
        "STACK_CONFIG_ONLY": "1",
        "STACK_PGBOUNCER": "1",
        "STACK_CONF": str(tmp_path / "s.conf"),
    }
    result = subprocess.run(
        ["bash", "bin/stack"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    need("needs pgbouncer" not in result.stderr, "pgbouncer (apt-get install pgbouncer)")
    assert result.returncode == 0, result.stderr
    config = configparser.RawConfigParser()
    config.read_string(result.stdout)
    program = config["program:pgbouncer"]
    assert program["command"].endswith("var/pgbouncer/pgbouncer.ini")
    if os.getuid() == 0:
        assert program["user"] == "postgres"  # PgBouncer refuses to run as root
    ini = (ROOT / "var" / "pgbouncer" / "pgbouncer.ini").read_text()
    assert "pool_mode = transaction" in ini
