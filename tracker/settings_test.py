"""Settings for the test suite: the same as production settings, plus what makes tests fast and exact."""

import os
import tempfile

os.environ.setdefault("DEBUG", "True")
os.environ["HUEY_IMMEDIATE"] = "True"
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="tracker-test-var-"))

from tracker.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "media"  # noqa: F405
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
