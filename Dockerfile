# One image for every process: the first argument names it — web (default), worker, beat,
# ingest, migrate or manage COMMAND … (deploy/image/entrypoint; docker-compose.yml uses them).
#
# BASE_IMAGE is any Debian-like image with Python 3.11: the official python image by default, or
# plain Debian bookworm with python3 and python3-venv, as deploy/image/build makes without a
# registry.
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HUB_VAR_DIR=/app/var STATIC_ROOT=/app/static

# Always a venv: Debian's own python3 refuses installs into the system (PEP 668, "externally
# managed"), the python image does not mind; with /opt/venv both bases take the same path.
RUN python3 -m venv /opt/venv

WORKDIR /app
# requirements.txt is the hub's run-time set only; the test tools are in requirements-test.txt.
COPY requirements.txt .
# Unset normally (pip's defaults); deploy/image/build points it at the build machine's own pip
# configuration, mounted for the RUN steps only.
ARG PIP_CONFIG_FILE
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings that load; these build-time values never reach a running container.
RUN SECRET_KEY=build-only HUB_ENCRYPTION_KEY=YnVpbGQtb25seS1rZXktbm90LWZvci1ydW50aW1lMDA= \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput -v 0 \
    && rm -f /tmp/build.sqlite3 \
    && useradd --create-home --uid 10001 hub \
    && mkdir -p /app/var && chown hub:hub /app/var

USER hub
EXPOSE 8000
ENTRYPOINT ["/app/deploy/image/entrypoint"]
CMD ["web"]
