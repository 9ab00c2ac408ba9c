# syntax=docker/dockerfile:1

# ---- builder: compile every dependency into wheels once ----
FROM python:3.11-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt .
RUN pip wheel --wheel-dir /wheels -r requirements.txt

# ---- runtime: slim image, no compilers, non-root ----
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=fitbud.settings.production \
    PORT=8000
RUN groupadd --system --gid 1000 fitbud \
    && useradd --system --uid 1000 --gid fitbud --home-dir /app --shell /usr/sbin/nologin fitbud
WORKDIR /app
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
COPY --chown=fitbud:fitbud . .
# Static files are baked into the image (served by WhiteNoise). The settings need a key and
# hosts to import; these throwaway values exist only during this build step.
RUN SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput --verbosity 0
# Progress photos' private directory (a volume in docker-compose), owned by the app user.
RUN mkdir -p /app/private-media && chown fitbud:fitbud /app/private-media
USER fitbud
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]
# The app comes from gunicorn.conf.py (GUNICORN_APP, default fitbud.wsgi:application).
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
