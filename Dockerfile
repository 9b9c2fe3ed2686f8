# The registry's image: migrate, web, worker and beat all run it (see docker-compose.yml).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
# WeasyPrint's libraries and fonts; the PostgreSQL 15 client for scripts/backup.py.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
       postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# Secrets are mounted at run time; refuse to build an image that carries them.
RUN if [ -e secrets ] || [ -e .env ]; then \
      echo "secrets/ or .env is in the build context: add them to .dockerignore" >&2; exit 1; \
    fi
RUN useradd --system --home /srv/registry registry \
    && mkdir -p /srv/registry/var /srv/registry/private \
    && chown -R registry /srv/registry
USER registry
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--forwarded-allow-ips=*"]
