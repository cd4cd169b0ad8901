# One image for every role: web (default), worker and beat; the command picks the role.
#   web:    gunicorn config.wsgi -c python:config.gunicorn   (BIND, WEB_CONCURRENCY, WEB_TIMEOUT)
#   worker: celery -A config worker -Q default,sync -l INFO
#   beat:   celery -A config beat -l INFO

# --- build: wheels for the locked dependencies (compilers stay in this stage) ---------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libxml2-dev libxslt1-dev \
 && rm -rf /var/lib/apt/lists/*
COPY requirements.lock .
RUN pip wheel --wheel-dir /wheels -r requirements.lock

# --- runtime -------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxml2 libxslt1.1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app
COPY --from=build /wheels /wheels
RUN pip install --no-index --find-links /wheels /wheels/* && rm -rf /wheels
WORKDIR /app
COPY --chown=app:app . .
# collectstatic needs settings to load; this key exists only for this build step.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key-0123456789abcdefghijklmnopqrstuvwxyz \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
 && mkdir -p /data/media /data/screening-index && chown -R app:app /data /app/staticfiles
USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz').status == 200 else 1)"
ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["gunicorn", "config.wsgi", "-c", "python:config.gunicorn"]
