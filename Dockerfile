# One image for every process: web (default), worker, beat and ingest (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HUB_VAR_DIR=/app/var STATIC_ROOT=/app/static

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# collectstatic needs settings that load; these build-time values never reach a running container.
RUN SECRET_KEY=build-only HUB_ENCRYPTION_KEY=YnVpbGQtb25seS1rZXktbm90LWZvci1ydW50aW1lMDA= \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 python manage.py collectstatic --noinput \
    && useradd --create-home --uid 10001 hub \
    && mkdir -p /app/var && chown -R hub:hub /app/var

USER hub
EXPOSE 8000
CMD ["gunicorn", "hub.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
