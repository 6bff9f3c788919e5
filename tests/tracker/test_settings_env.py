import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from tracker.env import env_bool, env_int


def test_env_bool_accepts_only_true_and_false(monkeypatch):
    monkeypatch.setenv("X_FLAG", "True")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "False")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "yes")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_env_int_names_the_variable(monkeypatch):
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(DJANGO_SETTINGS_MODULE="tracker.settings", DEBUG="False", VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr
